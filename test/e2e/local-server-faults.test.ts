/**
 * The local server (lib/local/server.ts, behind `npm start`) facing careless or hostile clients,
 * over raw TCP so that the requests can be as malformed as a client can send them:
 * - malformed HTTP that Node's parser refuses gets SPEC's JSON error body, not an empty 400;
 * - a body shorter than its declared length ends with 408 within the request budget;
 * - paths are routed raw, as API Gateway routes them (`..`, `%2e%2e` and `//` are not folded);
 * - a client that disconnects mid-body is one structured log line, never a stack trace;
 * - while storage is known to be down, storage routes answer 503 at once; health still answers.
 */
import { connect } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalServer } from '../../lib/local/server';
import { rawTarget } from '../../lib/local/raw-path';
import { createTestTables } from '../support/dynamo';

const BUDGET_MS = 1_500;
let server: Server;
let port: number;
let storageUp = true;

beforeAll(async () => {
  const tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'error' });
  server = createLocalServer({ timeoutMs: BUDGET_MS, storageAvailable: () => storageUp });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  vi.restoreAllMocks();
  storageUp = true;
});

/** Sends raw bytes, returns everything the server sent until it closed the connection. */
function rawExchange(request: string | Buffer, options: { endAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.write(request);
    if (options.endAfterMs !== undefined) setTimeout(() => socket.destroy(), options.endAfterMs);
  });
}

function parse(response: string) {
  const [head, ...rest] = response.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]);
  const headers = Object.fromEntries(
    (head ?? '').split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const body = rest.join('\r\n\r\n');
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

describe('malformed HTTP', () => {
  it.each<[string, string]>([
    ['a non-numeric Content-Length', 'POST /identify HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}'],
    ['two different Content-Lengths', 'POST /identify HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['Content-Length with Transfer-Encoding', 'POST /identify HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['a NUL in the path', 'GET /health\u0000x HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a space in a header name', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
  ])('%s gets a JSON 400 malformed_request', async (_name, request) => {
    const res = parse(await rawExchange(request));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.connection).toBe('close');
    expect(res.json).toMatchObject({ error: { code: 'malformed_request', message: expect.any(String) } });
  });

  it('headers too large get a JSON 431', async () => {
    const res = parse(await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(res.status).toBe(431);
    expect(res.json).toMatchObject({ error: { code: 'headers_too_large' } });
  });
});

describe('a body shorter than its declared length', () => {
  it('ends with a JSON 408 once the request budget has passed, and the connection is closed', async () => {
    const res = parse(await rawExchange('POST /identify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":'));
    expect(res.status).toBe(408);
    expect(res.json).toMatchObject({ error: { code: 'request_timeout' } });
  });

  it('headers that never end are cut off the same way', async () => {
    const res = parse(await rawExchange('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n'));
    expect(res.status).toBe(408);
    expect(res.json).toMatchObject({ error: { code: 'request_timeout' } });
  });
});

describe('raw-path routing', () => {
  it.each(['/contacts/../identify', '/%2e%2e/identify', '/x/%2E%2E/identify', '//identify', '/identify/', '/./identify'])(
    'POST %s is not folded into /identify: 404 route_not_found',
    async (path) => {
      const body = '{"email":"fold@x.co"}';
      const res = parse(
        await rawExchange(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
      );
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ error: { code: 'route_not_found' } });
    },
  );

  it('splits the request target without normalising it', () => {
    expect(rawTarget('/a/../b?x=1&y=%2B')).toEqual({ rawPath: '/a/../b', rawQueryString: 'x=1&y=%2B' });
    expect(rawTarget('http://host:3000//identify?q')).toEqual({ rawPath: '//identify', rawQueryString: 'q' });
    expect(rawTarget('/health')).toEqual({ rawPath: '/health', rawQueryString: '' });
  });
});

describe('a client that disconnects mid-body', () => {
  it('is logged as one structured line, without a stack trace', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
    await rawExchange('POST /identify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":"gone@x.co"', {
      endAfterMs: 100,
    });
    await vi.waitFor(() => expect(lines.join('')).toContain('client disconnected'), { timeout: 5_000 });
    const text = lines.join('');
    expect(text).not.toMatch(/\n\s+at |Error: aborted|ECONNRESET\n/);
    expect(text).not.toContain('gone@x.co');
    const logged = lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('client disconnected'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 'info', message: expect.stringContaining('client disconnected') });
  });
});

describe('while storage is known to be down', () => {
  it('storage routes answer 503 storage_unavailable at once (Retry-After), health still answers', async () => {
    storageUp = false;
    const body = '{"email":"down@x.co"}';
    const identify = parse(
      await rawExchange(`POST /identify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
    );
    expect(identify.status).toBe(503);
    expect(identify.headers['retry-after']).toBe('1');
    expect(identify.json).toMatchObject({ error: { code: 'storage_unavailable' } });
    const health = parse(await rawExchange('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    expect(health.status).toBe(200);
  });
});
