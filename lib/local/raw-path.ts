/**
 * The path and query of an HTTP request target, raw, as API Gateway routes them: no dot-segment
 * removal (`/a/../b`, `/a/%2e%2e/b` stay as sent), no merging of `//`, no percent-decoding. The
 * WHATWG URL parser folds all three, so the local server does not route on `new URL(...)`.
 */
export interface RawTarget {
  rawPath: string;
  rawQueryString: string;
}

export function rawTarget(target: string | undefined): RawTarget {
  let rest = target ?? '/';
  // absolute-form (`GET http://host/path HTTP/1.1`): drop the scheme and authority.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || '/';
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0 ? { rawPath: rest, rawQueryString: '' } : { rawPath: rest.slice(0, q), rawQueryString: rest.slice(q + 1) };
}
