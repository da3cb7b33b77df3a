/**
 * `npm start` (lib/local/main.ts under tsx, as the npm script runs it) facing its own faults, as
 * separate processes on an ephemeral port:
 * - DynamoDB Local killed: said in the log, storage routes answer 503 meanwhile, Java restarted
 *   on the same data (the contact created before answers the same after);
 * - SIGTERM with requests in flight: every one of them is answered, then the process exits 0 and
 *   Java is gone;
 * - kill -9 of the server process, or of the tsx process above it: Java does not outlive them;
 * - in memory, a dead DynamoDB Local cannot come back with its data: `npm start` stops, saying why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/dynamodb-local';
import { httpRequest } from '../support/http';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/tsx/dist/cli.mjs');
const started: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** True while `pid` is a live process (a zombie counts as gone). */
function alive(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(status, 'utf8'));
  } catch {
    return false;
  }
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startLocal(options: { inMemory?: boolean } = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxkart-local-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [TSX, 'lib/local/main.ts', ...(options.inMemory ? ['--in-memory'] : [])], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), LOCAL_DATA_DIR: dataDir, ADMIN_TOKEN: 'test-admin-token', LOG_LEVEL: 'warn', REQUEST_TIMEOUT_MS: '10000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const logLines = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const started_ = await until('the server to listen', () => {
    if (exitCode !== undefined) throw new Error(`npm start exited (${exitCode}) before listening:\n${stdout}${stderr}`);
    const line = logLines().find((l) => l.message === 'DynamoDB Local started');
    return stdout.includes('listening on') && line;
  }, 300_000);
  return {
    port,
    tsxPid: child.pid!,
    serverPid: started_.serverPid as number,
    javaPid: started_.pid as number,
    exited,
    logLines,
    output: () => stdout + stderr,
  };
}

async function identify(port: number, body: object) {
  const res = await httpRequest(`http://127.0.0.1:${port}/identify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: res.json };
}

describe('npm start and its own faults', () => {
  it('restarts a DynamoDB Local that died on the same data, answering 503 meanwhile; SIGTERM then finishes every request in flight', async () => {
    const local = await startLocal();
    const first = await identify(local.port, { email: 'kept@x.co', phoneNumber: '5550100' });
    expect(first.status).toBe(200);

    process.kill(local.javaPid, 'SIGKILL');
    await until('the log to say DynamoDB Local died', () => local.logLines().find((l) => /exited unexpectedly/.test(l.message)));
    const during = await identify(local.port, { email: 'kept@x.co' });
    const restarted = local.logLines().some((l) => /restarted/.test(l.message));
    if (!restarted) {
      expect(during.status).toBe(503);
      expect(during.json).toMatchObject({ error: { code: 'storage_unavailable' } });
    }
    const back = await until('the restart', () => local.logLines().find((l) => /restarted on the same data/.test(l.message)), 300_000);
    expect(back.pid).not.toBe(local.javaPid);
    const after = await identify(local.port, { email: 'kept@x.co' });
    expect(after.status).toBe(200);
    expect(after.json.contact.primaryContactId).toBe(first.json.contact.primaryContactId);
    expect(after.json.contact.phoneNumbers).toEqual(['5550100']);

    // 24 requests in flight: headers and half of each body sent, then SIGTERM, then the rest.
    const sockets = Array.from({ length: 24 }, (_, i) => {
      const body = JSON.stringify({ email: `drain${i}@x.co` });
      const socket = connect(local.port, '127.0.0.1');
      let received = '';
      const answered = new Promise<string>((r) => {
        socket.on('data', (c) => (received += c.toString()));
        socket.on('close', () => r(received));
        socket.on('error', () => r(received));
      });
      const sent = new Promise<void>((r) =>
        socket.write(`POST /identify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`, () => r()),
      );
      return { socket, body, answered, sent };
    });
    // Every connection established and its partial request flushed, then time for the server to
    // accept and parse them all (a loaded machine is slow to): only then is each one in flight.
    await Promise.all(sockets.map((s) => s.sent));
    await new Promise((r) => setTimeout(r, 1_500));
    process.kill(local.tsxPid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const s of sockets) s.socket.write(s.body.slice(5));
    const answers = await Promise.all(sockets.map((s) => s.answered));
    const statuses = answers.map((a) => Number(/^HTTP\/1\.1 (\d{3})/.exec(a)?.[1]));
    expect(statuses).toEqual(Array(24).fill(200));
    for (const a of answers) expect(a.toLowerCase()).toContain('connection: close');
    expect(await local.exited).toBe(0);
    await until('Java to be gone', () => !alive(back.pid as number), 10_000);
  }, 600_000);

  it('kill -9 of the server process: Java does not outlive it', async () => {
    const local = await startLocal();
    expect(alive(local.javaPid)).toBe(true);
    process.kill(local.serverPid, 'SIGKILL');
    await until('Java to be gone', () => !alive(local.javaPid), 10_000);
    await local.exited;
  }, 600_000);

  it('kill -9 of the tsx process above it: the server stops and Java with it', async () => {
    const local = await startLocal();
    process.kill(local.tsxPid, 'SIGKILL');
    await until('the server to stop', () => !alive(local.serverPid), 30_000);
    await until('Java to be gone', () => !alive(local.javaPid), 10_000);
  }, 600_000);

  it('in memory, a DynamoDB Local that died stops npm start with a clear message', async () => {
    const local = await startLocal({ inMemory: true });
    process.kill(local.javaPid, 'SIGKILL');
    expect(await local.exited).toBe(1);
    expect(local.output()).toMatch(/npm start: DynamoDB Local died and its data was in memory/);
  }, 600_000);
});
