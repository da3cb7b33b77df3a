/**
 * The HTTP layer (lib/http/*) through the real handlers, called with synthetic API Gateway
 * payload-2.0 events: body limit, JSON parsing, the one error mapper, security headers, the
 * health and not-found functions, and log lines (SPEC.md "Errors", "Other routes").
 * Requests that reach storage use fresh tables on the run's DynamoDB Local.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../lib/config';
import { getLogger } from '../../lib/powertools/logger';
import { createTestTables } from '../support/dynamo';
import { apiEvent, invoke, lambdaContext, type EventOptions } from '../support/events';
import { snapshot } from '../support/snapshot';

type Handler = unknown;
let identify: Handler;
let health: Handler;
let notFound: Handler;
let tables: Awaited<ReturnType<typeof createTestTables>>;

beforeAll(async () => {
  tables = await createTestTables();
  // The container reads its configuration on first use; the handlers are imported afterwards.
  Object.assign(process.env, tables.env);
  delete process.env.MAX_BODY_BYTES;
  delete process.env.LOG_LEVEL;
  ({ handler: identify } = await import('../../functions/identify/index'));
  ({ handler: health } = await import('../../functions/health/index'));
  ({ handler: notFound } = await import('../../functions/not-found/index'));
});

/** Log lines the handlers wrote to stdout and stderr during the current test (kept out of the test output). */
let stdoutLines: string[] = [];
beforeEach(() => {
  stdoutLines = [];
  // Powertools writes info and debug to stdout, warn and error to stderr (both reach CloudWatch).
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      stdoutLines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

const post = (options: EventOptions) => invoke(identify, apiEvent({ method: 'POST', path: '/identify', ...options }));
const unmatched = (method: string, path: string) =>
  invoke(notFound, apiEvent({ method, path, routeKey: '$default', headers: {} }));

/** JSON of exactly `bytes` UTF-8 bytes: a valid identify body padded with an ignored field. */
function paddedBody(bytes: number, email = 'pad@hillvalley.edu'): string {
  const head = `{"email":"${email}","pad":"`;
  const tail = '"}';
  const body = head + 'x'.repeat(bytes - head.length - tail.length) + tail;
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function expectSecurityHeaders(headers: Record<string, string>) {
  expect(headers).toMatchObject(SECURITY_HEADERS);
  expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers).not.toHaveProperty('x-powered-by');
  expect(headers).not.toHaveProperty('server');
}

function expectErrorBody(res: { body: string; json: any; headers: Record<string, string> }, code: string) {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.json)).toEqual(['error']);
  expect(Object.keys(res.json.error)).toEqual(['code', 'message', 'requestId']);
  // The request id of the body is the one of the header (and of the event: API Gateway's).
  expect(res.json.error.requestId).toBe(res.headers['x-request-id']);
  expect(res.json.error.code).toBe(code);
  expect(typeof res.json.error.message).toBe('string');
  expect(res.json.error.message.length).toBeGreaterThan(0);
  // No stack trace, no source location, no SDK text.
  expect(res.body).not.toMatch(/\bat \S+ \(|\.ts:\d+|node_modules|Error:|stack/);
  expectSecurityHeaders(res.headers);
}

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} with security headers', async () => {
    const res = await invoke(health, apiEvent({ method: 'GET', path: '/health' }));
    expect(res.statusCode).toBe(200);
    expect(res.json).toStrictEqual({ status: 'ok' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectSecurityHeaders(res.headers);
  });

  it('never touches user data', async () => {
    const before = await snapshot(tables);
    await invoke(health, apiEvent({ method: 'GET', path: '/health' }));
    expect(await snapshot(tables)).toEqual(before);
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/nope'],
    ['POST', '/identify/extra'],
    ['POST', '/Identify'],
    ['GET', '/health/'],
  ])('%s %s -> 404 route_not_found', async (method, path) => {
    const res = await unmatched(method, path);
    expect(res.statusCode).toBe(404);
    expectErrorBody(res, 'route_not_found');
    expect(res.headers).not.toHaveProperty('allow');
  });

  it.each([
    ['GET', '/identify', 'POST'],
    ['PUT', '/identify', 'POST'],
    ['DELETE', '/identify', 'POST'],
    ['POST', '/health', 'GET'],
  ])('%s %s -> 405 with Allow: %s', async (method, path, allow) => {
    const res = await unmatched(method, path);
    expect(res.statusCode).toBe(405);
    expectErrorBody(res, 'method_not_allowed');
    expect(res.headers.allow).toBe(allow);
  });
});

describe('POST /identify: request body', () => {
  it.each([
    ['truncated JSON', '{"email":'],
    ['not JSON at all', 'email=doc@hillvalley.edu'],
    ['single quotes', "{'email':'doc@hillvalley.edu'}"],
    ['an empty body', ''],
    ['a trailing comma', '{"email":"doc@hillvalley.edu",}'],
  ])('%s -> 400 invalid_json', async (_name, body) => {
    const res = await post({ body, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res, 'invalid_json');
  });

  it('a JSON content type without a body -> 400', async () => {
    const res = await post({ headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res, 'invalid_json');
  });

  it.each([
    ['__proto__', '{"__proto__":{"email":"doc@hillvalley.edu"},"phoneNumber":"123456"}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"email":"doc@hillvalley.edu"}},"phoneNumber":"123456"}'],
  ])('a body with a %s key -> 400 and no pollution', async (_name, body) => {
    const res = await post({ body });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.code).toMatch(/^invalid_/);
    expect(({} as Record<string, unknown>).email).toBeUndefined();
  });

  it.each([
    ['an array', '[{"email":"doc@hillvalley.edu"}]', 'invalid_body'],
    ['a string', '"doc@hillvalley.edu"', 'invalid_body'],
    ['a number', '42', 'invalid_body'],
    ['null', 'null', 'invalid_body'],
    ['neither value', '{"email":null,"phoneNumber":"  "}', 'missing_contact_info'],
    ['an email of the wrong type', '{"email":true}', 'invalid_email'],
    ['an invalid email', '{"email":"doc@hillvalley"}', 'invalid_email'],
    ['a phone of the wrong type', '{"phoneNumber":["123456"]}', 'invalid_phone_number'],
    ['an invalid phone', '{"phoneNumber":"12"}', 'invalid_phone_number'],
    ['a fractional phone number', '{"phoneNumber":1234.5}', 'invalid_phone_number'],
  ])('%s -> 400 %s', async (_name, body, code) => {
    const res = await post({ body });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res, code);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['xml', { 'content-type': 'application/xml' }],
  ])('a valid JSON body sent as %s -> 415 unsupported_media_type', async (_name, headers) => {
    const event = apiEvent({ body: '{"email":"doc@hillvalley.edu"}' });
    event.headers = headers;
    const res = await invoke(identify, event);
    expect(res.statusCode).toBe(415);
    expectErrorBody(res, 'unsupported_media_type');
  });

  it('reads a body sent without any Content-Type as JSON', async () => {
    const event = apiEvent({ body: '{"email":"no-type@hillvalley.edu"}' });
    event.headers = {};
    const res = await invoke(identify, event);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!).contact.emails).toEqual(['no-type@hillvalley.edu']);
  });

  it.each([
    ['no body and no Content-Type', undefined, {}],
    ['an empty body sent as JSON', '', { 'content-type': 'application/json' }],
  ])('%s -> 400 invalid_json', async (_name, body, headers) => {
    const event = apiEvent({ body });
    event.headers = headers;
    const res = await invoke(identify, event);
    expect(res.statusCode).toBe(400);
    expectErrorBody(res, 'invalid_json');
  });

  it.each([
    ['application/json; charset=utf-8', { 'content-type': 'application/json; charset=utf-8' }],
    ['a capitalised header name', { 'Content-Type': 'application/json' }],
    ['a +json media type', { 'content-type': 'application/vnd.fluxkart+json' }],
  ])('accepts JSON sent as %s', async (_name, headers) => {
    const event = apiEvent({ body: '{"email":"ct@hillvalley.edu"}' });
    event.headers = headers;
    const res = await invoke(identify, event);
    expect(res.statusCode).toBe(200);
    expect(res.json.contact.emails).toEqual(['ct@hillvalley.edu']);
  });
});

describe('POST /identify: body size limit', () => {
  it(`documents a limit of 8 KB`, () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(8 * 1024);
  });

  it('accepts a body of exactly the limit', async () => {
    const res = await post({ body: paddedBody(DEFAULT_MAX_BODY_BYTES, 'limit@hillvalley.edu') });
    expect(res.statusCode).toBe(200);
    expect(res.json.contact.emails).toEqual(['limit@hillvalley.edu']);
  });

  it.each([
    ['one byte over the limit', () => paddedBody(DEFAULT_MAX_BODY_BYTES + 1)],
    ['far over the limit', () => paddedBody(DEFAULT_MAX_BODY_BYTES * 10)],
    // Under the limit in characters, over it in bytes.
    ['multi-byte characters over the limit in bytes', () => `{"email":"a@b.co","pad":"${'€'.repeat(3000)}"}`],
    // Not JSON: a 413 proves the body was not parsed (parsing would answer 400).
    ['invalid JSON over the limit', () => '{'.repeat(DEFAULT_MAX_BODY_BYTES + 1)],
  ])('%s -> 413 payload_too_large', async (_name, body) => {
    const text = body();
    expect(text.length).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES * 10 + 100);
    const before = await snapshot(tables);
    const res = await post({ body: text });
    expect(res.statusCode).toBe(413);
    expectErrorBody(res, 'payload_too_large');
    expect(res.json.error.message).toContain(String(DEFAULT_MAX_BODY_BYTES));
    expect(await snapshot(tables)).toEqual(before);
  });

  it('checks the size before the content type: an oversized text/plain body -> 413', async () => {
    const res = await post({ body: 'x'.repeat(DEFAULT_MAX_BODY_BYTES + 1), headers: { 'content-type': 'text/plain' } });
    expect(res.statusCode).toBe(413);
  });

  it('measures a base64-encoded body by its decoded size', async () => {
    const over = Buffer.from(paddedBody(DEFAULT_MAX_BODY_BYTES + 1)).toString('base64');
    const overRes = await post({ body: over, isBase64Encoded: true });
    expect(overRes.statusCode).toBe(413);
    expectErrorBody(overRes, 'payload_too_large');

    // Its base64 text is longer than the limit, but the body itself is not.
    const at = Buffer.from(paddedBody(DEFAULT_MAX_BODY_BYTES, 'b64@hillvalley.edu')).toString('base64');
    expect(at.length).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
    const atRes = await post({ body: at, isBase64Encoded: true });
    expect(atRes.statusCode).toBe(200);
    expect(atRes.json.contact.emails).toEqual(['b64@hillvalley.edu']);
  });

  it('refuses a declared Content-Length over the limit', async () => {
    const res = await post({ body: '{"email":"a@b.co"}', headers: { 'content-type': 'application/json', 'content-length': '100000' } });
    expect(res.statusCode).toBe(413);
  });
});

describe('POST /identify: success', () => {
  it('answers 200 with the consolidated contact, JSON and security headers', async () => {
    const res = await post({ body: { email: 'Marty@HillValley.edu', phoneNumber: 5550101985 } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectSecurityHeaders(res.headers);
    expect(res.json).toStrictEqual({
      contact: {
        primaryContactId: res.json.contact.primaryContactId,
        primaryContatctId: res.json.contact.primaryContactId,
        emails: ['marty@hillvalley.edu'],
        phoneNumbers: ['5550101985'],
        secondaryContactIds: [],
      },
    });
  });

  it('a rejected request writes nothing', async () => {
    const before = await snapshot(tables);
    for (const body of ['{"email":', '{"email":"new@hillvalley.edu","phoneNumber":"1"}', '[]']) {
      const res = await post({ body });
      expect(res.statusCode).toBe(400);
    }
    expect(await snapshot(tables)).toEqual(before);
  });
});

describe('logs', () => {
  const parsed = () => stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes JSON lines without an email or a phone number in clear', async () => {
    const values = ['emmett.brown@hillvalley.edu', '5551885', 'clara@hillvalley.edu'];
    await post({ body: { email: 'Emmett.Brown@HillValley.edu', phoneNumber: '555-1885' } });
    await post({ body: { email: 'clara@hillvalley.edu', phoneNumber: 5551885 } });
    await post({ body: '{"email":"emmett.brown@hillvalley.edu","phoneNumber":"5551885"' });
    await post({ body: { email: 'emmett.brown@hillvalley', phoneNumber: '5551885' } });
    await invoke(health, apiEvent({ method: 'GET', path: '/health' }));
    const lines = stdoutLines;
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toHaveProperty('requestId');
      if (!('_aws' in entry)) {
        expect(entry).toHaveProperty('level');
        expect(entry).toHaveProperty('message');
      }
      for (const value of values) expect(line).not.toContain(value);
      expect(line.toLowerCase()).not.toContain('emmett');
    }
  });

  it('puts the request id of the event on the response header, in the error body and on every log line', async () => {
    const event = apiEvent({ body: '{"email":' });
    const res = await invoke(identify, event);
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-request-id']).toBe(event.requestContext.requestId);
    expect(res.json.error.requestId).toBe(event.requestContext.requestId);
    const lines = parsed();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.requestId).toBe(event.requestContext.requestId);
    // The Lambda context is on the lines too (Powertools' injectLambdaContext).
    expect(lines.find((l) => l.message === 'request')).toMatchObject({
      level: 'INFO',
      service: 'fluxkart-identity',
      function_name: 'test',
      route: 'POST /identify',
      status: 400,
    });
  });

  it('ignores a caller-supplied x-request-id', async () => {
    const event = apiEvent({ method: 'GET', path: '/health', headers: { 'x-request-id': 'chosen-by-the-caller' } });
    const res = await invoke(health, event);
    expect(res.headers['x-request-id']).toBe(event.requestContext.requestId);
    expect(stdoutLines.join('\n')).not.toContain('chosen-by-the-caller');
  });

  it('falls back to the Lambda request id when the event carries none', async () => {
    const event = apiEvent({ method: 'GET', path: '/nope', routeKey: '$default' });
    delete (event.requestContext as { requestId?: string }).requestId;
    const context = lambdaContext();
    const res = await invoke(notFound, event, context);
    expect(res.headers['x-request-id']).toBe(context.awsRequestId);
    expect(res.json.error.requestId).toBe(context.awsRequestId);
  });

  it('masks personal data wherever it appears in a logged object, child loggers included', () => {
    const logger = getLogger();
    logger.info('event', {
      email: 'george@hillvalley.edu',
      request: { phoneNumber: '+15550109999', emails: ['biff@hillvalley.edu'] },
      phoneNumbers: ['919191', '717171'],
      contact: { phoneNumber: 5550109999 },
    });
    logger.createChild({ persistentKeys: { customerEmail: 'lorraine@hillvalley.edu' } }).warn('child');
    logger.error('failure', { error: new Error('claim exists for mcfly@hillvalley.edu and 555-010-9999') });
    logger.error('failure for +1 (555) 010-7777', new Error('phone 5550108888 taken'));
    const text = stdoutLines.join('\n');
    for (const value of ['george@hillvalley.edu', '15550109999', 'biff@hillvalley.edu', '919191', '717171', '5550109999', 'lorraine@hillvalley.edu', 'mcfly@hillvalley.edu', '010-9999', '010-7777', '5550108888']) {
      expect(text).not.toContain(value);
    }
    const [first, child, failure, other] = parsed();
    expect(first).toMatchObject({ level: 'INFO', message: 'event', service: 'fluxkart-identity', email: 'g***@***.edu' });
    expect(child).toMatchObject({ level: 'WARN', customerEmail: 'l***@***.edu' });
    expect(failure!.error).toMatchObject({ name: 'Error', message: 'claim exists for m***@***.edu and ***99' });
    expect(String((failure!.error as { stack: string }).stack)).toMatch(/^Error: claim exists for m\*\*\*@\*\*\*\.edu and \*\*\*99\n\s+at /);
    expect(other).toMatchObject({ message: 'failure for +***77', error: { message: 'phone ***88 taken' } });
  });

  it('writes nothing below its level', () => {
    const logger = getLogger().createChild({ logLevel: 'WARN' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(parsed().map((l) => l.message)).toEqual(['w', 'e']);
  });
});
