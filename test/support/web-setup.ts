/**
 * Global setup of the test run: builds the pages (web/ → web/dist) once when they are missing or
 * stale, before any test file starts, so browser tests and the CDK assertions (which stage
 * web/dist as an asset) find a current build. A fresh clone builds here.
 */
import { ensureWebBuild } from '../../lib/local/web-build';

export async function setup(): Promise<void> {
  await ensureWebBuild({ log: (line) => process.stdout.write(`${line}\n`) });
}
