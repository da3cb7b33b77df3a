/**
 * Logged stacks of a bundle point at the TypeScript sources without --enable-source-maps
 * (lib/powertools/source-mapped-stack.ts). A tiny entry that uses the project's logger and
 * lib/config.ts is bundled as infra/function.ts bundles (esbuild, ESM, minified, node24, external
 * source map without sources content, the createRequire banner) and run in a fresh `node` with no
 * NODE_OPTIONS, as Lambda runs it; the test reads the JSON lines it logs. Also: a bundle whose map
 * is missing or unparsable logs its stack unchanged, and one run with --enable-source-maps keeps
 * Node's own mapping.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_ESBUILD_OPTIONS } from '../../lib/bundling';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const EMAIL = 'marty@hillvalley.edu';

const ENTRY = `import { loadHttpSettings } from ${JSON.stringify(join(ROOT, 'lib/config'))};
import { getLogger } from ${JSON.stringify(join(ROOT, 'lib/powertools/logger'))};

function claim(email: string): never {
  throw new Error(\`claim exists for \${email}\`); // THROW
}

export function main(): void {
  try {
    claim(${JSON.stringify(EMAIL)}); // CALL
  } catch (error) {
    getLogger().error('claim failed', error);
  }
  try {
    loadHttpSettings({ LOG_LEVEL: 'loud' });
  } catch (cause) {
    getLogger().error('settings refused', new Error('settings refused', { cause })); // WRAP
  }
}

main();
`;

/** 1-based line and column of a marker's line in ENTRY (column of `at`, if given). */
function position(marker: string, at?: string): { line: number; column: number } {
  const lines = ENTRY.split('\n');
  const index = lines.findIndex((l) => l.includes(`// ${marker}`));
  return { line: index + 1, column: at ? lines[index]!.indexOf(at) + 1 : 0 };
}

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxkart-srcmap-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/entry.ts'), ENTRY);
  bundle = join(dir, 'out/index.mjs');
  await build({ ...LAMBDA_ESBUILD_OPTIONS, entryPoints: [join(dir, 'src/entry.ts')], outfile: bundle, logLevel: 'warning' });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Logged = { level: string; message: string; error: { name: string; message: string; stack: string; cause?: Logged['error'] } };

/** Runs a bundle in a fresh node (no NODE_OPTIONS, nothing inherited) and returns its JSON log lines. */
async function logsOf(file: string, nodeArgs: string[] = []): Promise<Logged[]> {
  const { stdout, stderr } = await run(process.execPath, [...nodeArgs, file], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', LOG_LEVEL: 'info' },
    cwd: dir,
    timeout: 20_000,
  });
  const lines = `${stdout}\n${stderr}`.split('\n').filter((l) => l.startsWith('{'));
  return lines.map((l) => JSON.parse(l) as Logged);
}

/** The bundle copied into a directory of its own, with `map` as its source map (none if undefined). */
function copyOfBundle(name: string, map?: string): string {
  const copy = join(dir, name, 'index.mjs');
  mkdirSync(join(dir, name));
  copyFileSync(bundle, copy);
  if (map !== undefined) writeFileSync(`${copy}.map`, map);
  return copy;
}

const frames = (stack: string) => stack.split('\n').filter((l) => /^\s+at /.test(l));

describe('a logged error of a bundle run without --enable-source-maps', () => {
  it('names the original .ts files and lines in its stack and its cause, masked as before', async () => {
    const [claimed, refused, ...more] = await logsOf(bundle);
    expect(more).toEqual([]);

    expect(claimed).toMatchObject({ level: 'ERROR', message: 'claim failed', error: { name: 'Error', message: 'claim exists for m***@***.edu' } });
    const stack = claimed!.error.stack;
    expect(stack).toMatch(/^Error: claim exists for m\*\*\*@\*\*\*\.edu\n/);
    expect(stack).not.toContain(EMAIL);
    expect(stack).not.toContain('index.mjs');
    const thrown = position('THROW', 'new Error');
    // The map's source path without its leading ../ segments: here the bundle's out/ sits beside src/.
    expect(frames(stack)[0]).toMatch(new RegExp(` \\(src/entry\\.ts:${thrown.line}:${thrown.column}\\)$`));
    expect(frames(stack)[1]).toMatch(new RegExp(` \\(src/entry\\.ts:${position('CALL').line}:\\d+\\)$`));

    // The cause, formatted recursively, is mapped too: it was thrown in lib/config.ts.
    expect(refused).toMatchObject({ message: 'settings refused', error: { cause: { name: 'ConfigError' } } });
    expect(frames(refused!.error.stack)[0]).toMatch(new RegExp(`src/entry\\.ts:${position('WRAP').line}:\\d+\\)$`));
    const configTs = relative(join(dir, 'out'), join(ROOT, 'lib/config.ts')).replace(/^(?:\.\.\/)+/, '');
    const configLine =
      readFileSync(join(ROOT, 'lib/config.ts'), 'utf8').split('\n').findIndex((l) => l.includes('throw new ConfigError(problems)')) + 1;
    expect(configTs).toMatch(/(^|\/)lib\/config\.ts$/);
    expect(frames(refused!.error.cause!.stack)[0]).toContain(`${configTs}:${configLine}:`);
  });

  it('keeps the stack as it is when the map is missing or unparsable, and still logs the line', async () => {
    for (const file of [copyOfBundle('no-map'), copyOfBundle('bad-map', '{"version": 3, "mappings": ')]) {
      const [claimed, refused] = await logsOf(file);
      expect(claimed).toMatchObject({ message: 'claim failed', error: { message: 'claim exists for m***@***.edu' } });
      expect(claimed!.error.stack).not.toContain(EMAIL);
      expect(frames(claimed!.error.stack)[0]).toMatch(/index\.mjs:\d+:\d+\)$/);
      expect(refused!.error.cause!.stack).toMatch(/index\.mjs:\d+:\d+\)/);
      expect(refused!.error.cause!.stack).not.toContain('.ts:');
    }
  });

  it('leaves stacks to Node when it maps them itself (--enable-source-maps)', async () => {
    const [claimed] = await logsOf(bundle, ['--enable-source-maps']);
    const thrown = position('THROW', 'new Error');
    // Node's own form: the absolute path of the source, where ours would be the short src/entry.ts.
    expect(frames(claimed!.error.stack)[0]).toContain(`${join(dir, 'src/entry.ts')}:${thrown.line}:${thrown.column}`);
    expect(claimed!.error.stack).not.toContain(EMAIL);
  });
});
