/**
 * Stack traces of the bundled functions, mapped back to the TypeScript sources when (and only
 * when) an error is logged. The Lambda bundles are one minified index.mjs with its source map
 * index.mjs.map beside it (infra/function.ts); the functions run without --enable-source-maps,
 * which would make Node read and parse the ~1 MB map at import, on every cold start (~20 ms for
 * identify, see scripts/bench/cold-start.ts). Here nothing is read until the first stack is
 * mapped; then each bundle file's map is read once and kept (as is the absence of one).
 *
 * A frame `at r (file:///var/task/index.mjs:1:2345)` becomes `at r (lib/store/dynamodb/send.ts:42:7)`:
 * the source path as the map records it (relative to the map's directory, where the bundle was
 * built) without its leading `./` and `../` segments, which for a stack synthesized in the
 * project (cdk.out inside it) is the path from the project root, and for dependencies
 * `node_modules/<package>/...`. Function names stay as V8 reports them (minified): Node names
 * them from the enclosing function's position, which a stack string does not carry; the file,
 * line and column are what lead to the code. Frames of other files (node: internals, files
 * without a map) and frames the map does not cover stay as they are; nothing here throws.
 *
 * Node's own SourceMap class (node:module) parses the map: no library. source-map-support would
 * patch Error.prepareStackTrace for the whole process and add its own parser to every bundle,
 * while Node ships one.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per bundle file: its parsed source map, or null when it has none or an unusable one. */
const maps = new Map<string, SourceMap | null>();

/** `    at name (location:line:column)` or `    at location:line:column`. */
const FRAME = /^(\s*at (?:async )?(?:.+? \()?)(.+):(\d+):(\d+)(\)?)$/;
const BUNDLE_FILE = /\.[cm]?js$/;

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/** The bundle file a frame's location names (a file: URL or an absolute path), if any. */
function bundleFile(location: string): string | undefined {
  const file = location.startsWith('file://') ? fileURLToPath(location) : location;
  return isAbsolute(file) && BUNDLE_FILE.test(file) ? file : undefined;
}

function mapFrame(line: string): string {
  const frame = FRAME.exec(line);
  if (!frame) return line;
  const [, before, location, lineNumber, columnNumber, after] = frame as unknown as string[];
  const file = bundleFile(location!);
  const map = file && sourceMapOf(file);
  if (!map) return line;
  const origin = map.findOrigin(Number(lineNumber), Number(columnNumber));
  if (!('fileName' in origin) || !origin.fileName || !(origin.lineNumber >= 1 && origin.columnNumber >= 1)) return line;
  const source = origin.fileName.replace(/^(?:\.\.?\/)+/, '');
  return `${before}${source}:${origin.lineNumber}:${origin.columnNumber}${after}`;
}

/**
 * `stack` with each frame of a bundle that has a source map pointed at the original source.
 * Left as it is when Node already maps stacks (--enable-source-maps, tsx, vitest) or on any failure.
 */
export function sourceMappedStack(stack: string): string {
  if (process.sourceMapsEnabled) return stack;
  try {
    return stack.split('\n').map(mapFrame).join('\n');
  } catch {
    return stack;
  }
}
