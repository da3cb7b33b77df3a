/**
 * `npm run import` as an operator runs it, in a child process: interrupted with Ctrl-C (SIGINT:
 * exit 130, checkpoint saved) and killed outright (SIGKILL, mid-write: the checkpoint lags behind
 * committed transactions), then rerun to the end. The final data must equal an uninterrupted
 * import of the same file, item for item (so nothing duplicated, nothing missing), pass the SPEC's
 * invariants, and a further rerun must find nothing to do.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeGenerated } from '../../scripts/import/generate';
import { createTestTables, type TestTables } from '../support/dynamo';
import { checkInvariants, snapshot } from '../support/snapshot';
import { importInto, tempFile } from './helpers';

function cli(t: TestTables, file: string, extra: string[] = []) {
  const prefix = t.tables.contacts.slice(0, -'Contacts'.length);
  // node itself (not the tsx wrapper, which would leave its child running after a SIGKILL).
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/import.ts', file, '--endpoint', t.endpoint, '--table-prefix', prefix, '--concurrency', '2', '--max-actions', '10', '--json', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exit = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exit };
}

/** Waits until the checkpoint marks at least `count` transactions done. */
async function waitForProgress(checkpoint: string, count: number, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error('the import ended before it could be interrupted');
    if (existsSync(checkpoint)) {
      try {
        const data = JSON.parse(readFileSync(checkpoint, 'utf8'));
        const bits = Buffer.from(data.done, 'base64');
        let done = 0;
        for (const byte of bits) for (let b = 0; b < 8; b++) done += (byte >> b) & 1;
        if (done >= count) return;
      } catch {
        // replaced while read: try again
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('resuming an interrupted import', () => {
  it('after Ctrl-C and after SIGKILL, finishes with exactly the data of an uninterrupted run', async () => {
    const file = tempFile('resume.ndjson');
    await writeGenerated(file, { records: 6_000, seed: 3 });
    const checkpoint = `${file}.import-state.json`;
    const [t, clean] = await Promise.all([createTestTables(), createTestTables()]);

    // 1. Ctrl-C: stops after the transactions in flight, saves the checkpoint, exit 130.
    const first = cli(t, file);
    await waitForProgress(checkpoint, 50, first.exit);
    first.child.kill('SIGINT');
    const interrupted = await first.exit;
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(JSON.parse(interrupted.stdout).status).toBe('interrupted');
    const total = JSON.parse(readFileSync(checkpoint, 'utf8')).transactions;

    // 2. Resumed, then killed without warning in the middle of writing.
    const second = cli(t, file);
    await waitForProgress(checkpoint, Math.floor(total / 2), second.exit);
    second.child.kill('SIGKILL');
    expect((await second.exit).signal).toBe('SIGKILL');

    // 3. Rerun to the end: finishes, writing only what was left.
    const third = await cli(t, file).exit;
    expect(third.code, third.stderr).toBe(0);
    const summary = JSON.parse(third.stdout);
    expect(summary.status).toBe('complete');
    expect(summary.itemsWritten).toBeLessThan(summary.items);

    // 4. The same as an uninterrupted import (different checkpoint), item for item.
    const reference = await importInto(clean, file, { checkpointPath: `${file}.clean-state.json`, rejectPath: `${file}.clean-rejected.ndjson` });
    expect(reference.status).toBe('complete');
    const got = await snapshot(t);
    expect(got).toEqual(await snapshot(clean));
    expect(got.contacts.length).toBe(summary.contactsCreated);
    checkInvariants(got);

    // 5. Once more: already complete, nothing written.
    const again = await cli(t, file).exit;
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).status).toBe('already-complete');
    expect(await snapshot(t)).toEqual(got);
  }, 180_000);
});
