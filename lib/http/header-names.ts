/**
 * Header names in lower case, and a Content-Type for a body sent without one (read as JSON; an
 * explicit other type gets 415 from decode-body.ts). API Gateway's HTTP API (payload 2.0) already
 * lowercases names, as Node does for the local server; this makes a handler invoked directly
 * (tests, `sam local invoke` with a hand-written event) see the same. Written here rather than
 * with @middy/http-header-normalizer, whose size (1.5 KB of every bundle) is its canonical-case
 * table for payload 1.0 and multi-value headers, neither of which this API receives.
 */

interface HeadersEvent {
  headers?: Record<string, string | undefined> | null;
}

export function headerNames(defaults: Readonly<Record<string, string>> = {}) {
  return {
    before: (request: { event: HeadersEvent }) => {
      // No prototype: a header named __proto__ is a header like any other.
      const headers: Record<string, string | undefined> = Object.assign(Object.create(null), defaults);
      for (const [name, value] of Object.entries(request.event.headers ?? {})) headers[name.toLowerCase()] = value;
      request.event.headers = headers;
    },
  };
}
