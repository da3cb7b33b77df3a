/**
 * Building the pages (web/, Vite) when their build is missing or stale: used by `npm start`, the
 * test run's global setup and the CDK app before synth. The build records its inputs
 * (web/vite.config.ts writes dist/.build-inputs.json: every source file bundled, with a content
 * hash), so "stale" means exactly "a file that went into the bundle has changed".
 * Nothing about serving here (lib/local/static.ts) and nothing of the browser.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const WEB_DIR = resolve(ROOT, 'web');
export const WEB_DIST = resolve(WEB_DIR, 'dist');
export const BUILD_INPUTS_FILE = '.build-inputs.json';
/** The pages every build must contain (relative to dist). */
export const WEB_ENTRIES = ['index.html', 'admin/index.html'] as const;

/** sha256 over the listed files (path and content, in order); a missing file counts as changed. */
export function hashInputs(root: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    try {
      hash.update(readFileSync(resolve(root, file)));
    } catch {
      hash.update('\0missing\0');
    }
  }
  return hash.digest('hex');
}

/** Why the build in `dist` must be redone, or null when it is up to date. */
export function staleReason(dist = WEB_DIST): string | null {
  for (const entry of WEB_ENTRIES) if (!existsSync(resolve(dist, entry))) return `${entry} is missing`;
  let recorded: { files: string[]; hash: string };
  try {
    recorded = JSON.parse(readFileSync(resolve(dist, BUILD_INPUTS_FILE), 'utf8'));
  } catch {
    return `${BUILD_INPUTS_FILE} is missing`;
  }
  if (!Array.isArray(recorded.files) || hashInputs(ROOT, recorded.files) !== recorded.hash) return 'sources changed';
  return null;
}

/**
 * Builds web/ into `dist` unless it is up to date. The build goes to a fresh folder that then
 * replaces `dist`, so a server reading `dist` never sees a half-written build, and two processes
 * building at once both end with a complete one.
 */
export async function ensureWebBuild(options: { dist?: string; force?: boolean; log?: (line: string) => void } = {}): Promise<{ built: boolean }> {
  const dist = options.dist ?? WEB_DIST;
  const reason = options.force ? 'forced' : staleReason(dist);
  if (!reason) return { built: false };
  options.log?.(`Building the pages (${reason})…`);
  const tmp = resolve(WEB_DIR, `.dist-${randomUUID().slice(0, 8)}`);
  const { build } = await import('vite');
  try {
    await build({
      configFile: resolve(WEB_DIR, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    await swapInto(tmp, dist);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { built: true };
}

async function swapInto(tmp: string, dist: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const old = `${dist}.old-${randomUUID().slice(0, 8)}`;
    try {
      if (existsSync(dist)) await rename(dist, old).catch(() => undefined);
      await rename(tmp, dist);
      await rm(old, { recursive: true, force: true });
      return;
    } catch (error) {
      // Another process put its build in place between the two renames: try again.
      if (attempt >= 5) throw error;
    }
  }
}
