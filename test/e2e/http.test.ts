/**
 * End to end over real HTTP: the local server (lib/local/server.ts, the one behind `npm start`)
 * on 127.0.0.1 with an ephemeral port, the real handlers, and fresh tables on DynamoDB Local.
 * Requests are what a caller would send with curl.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/server';
import { createTestTables, type TestTables } from '../support/dynamo';
import { checkInvariants, setNextContactId, snapshot } from '../support/snapshot';
import { closeServer, httpRequest, listenLocal } from '../support/http';
import { WORKED_EXAMPLE_1_RESPONSE, WORKED_EXAMPLE_2_RESPONSE } from '../support/worked-examples';

let server: Server;
let base: string;
let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
  // Before the server first imports a handler: the container reads its configuration once.
  // One id per counter write, so that the worked examples can be given the SPEC's ids.
  Object.assign(process.env, tables.env, { ID_BLOCK_SIZE: '1', LOG_LEVEL: 'warn' });
  server = createLocalServer({ timeoutMs: 10_000 });
  base = await listenLocal(server);
});

afterAll(() => closeServer(server));

async function request(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return httpRequest(base + path, {
    method,
    body,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  });
}

const identify = (body: unknown) => request('POST', '/identify', typeof body === 'string' ? body : JSON.stringify(body));

function expectJsonWithSecurityHeaders(headers: Headers) {
  expect(headers.get('content-type')).toMatch(/^application\/json/);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('strict-transport-security')).toMatch(/^max-age=/);
  expect(headers.get('cache-control')).toBe('no-store');
}

function expectError(res: Awaited<ReturnType<typeof request>>, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json).toStrictEqual({ error: { code, message: expect.any(String), requestId: res.headers.get('x-request-id') } });
  expect(res.json.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.text).not.toMatch(/\.ts:\d+|node_modules|stack/);
  expectJsonWithSecurityHeaders(res.headers);
}

describe('worked examples over HTTP', () => {
  it('example 1: lorraine, then mcfly, then three look-ups that write nothing', async () => {
    await setNextContactId(tables, 1);
    const first = await identify({ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' });
    expect(first.status).toBe(200);
    expect(first.json.contact.primaryContactId).toBe(1);

    await setNextContactId(tables, 23);
    const expected = WORKED_EXAMPLE_1_RESPONSE;
    const second = await identify('{"email":"mcfly@hillvalley.edu","phoneNumber":"123456"}');
    expect(second.status).toBe(200);
    expectJsonWithSecurityHeaders(second.headers);
    expect(second.json).toStrictEqual(expected);

    const before = await snapshot(tables);
    for (const body of [
      '{"email":null,"phoneNumber":"123456"}',
      '{"email":"lorraine@hillvalley.edu","phoneNumber":null}',
      '{"email":"mcfly@hillvalley.edu","phoneNumber":null}',
    ]) {
      const res = await identify(body);
      expect(res.status).toBe(200);
      expect(res.json).toStrictEqual(expected);
    }
    expect(await snapshot(tables)).toEqual(before);
  });

  it('example 2: george absorbs biff, and the answer is the SPEC JSON', async () => {
    await setNextContactId(tables, 11);
    expect((await identify({ email: 'george@hillvalley.edu', phoneNumber: '919191' })).json.contact.primaryContactId).toBe(11);
    await setNextContactId(tables, 27);
    expect((await identify({ email: 'biffsucks@hillvalley.edu', phoneNumber: '717171' })).json.contact.primaryContactId).toBe(27);
    const contactsBefore = (await snapshot(tables)).contacts.length;

    const res = await identify('{"email":"george@hillvalley.edu","phoneNumber":"717171"}');

    expect(res.status).toBe(200);
    expect(res.text).toBe(
      JSON.stringify(WORKED_EXAMPLE_2_RESPONSE),
    );
    const after = await snapshot(tables);
    expect(after.contacts).toHaveLength(contactsBefore);
    expect(after.contacts.find((c) => Number(c.id) === 27)).toMatchObject({ linkPrecedence: 'secondary', linkedId: 11 });
    checkInvariants(after);
  });

  it('normalises what it is sent and answers with the canonical values', async () => {
    const res = await identify('{"email":"  Doc.Brown@HillValley.EDU ","phoneNumber":"+1 (555) 010-1955","name":"Doc"}');
    expect(res.status).toBe(200);
    expect(res.json.contact).toMatchObject({ emails: ['doc.brown@hillvalley.edu'], phoneNumbers: ['+15550101955'], secondaryContactIds: [] });
    // A number is read as its decimal digits: 15550101955 is not "+15550101955".
    const other = await identify('{"email":null,"phoneNumber":15550101955}');
    expect(other.json.contact.primaryContactId).not.toBe(res.json.contact.primaryContactId);
    expect(other.json.contact.phoneNumbers).toEqual(['15550101955']);
    const same = await identify('{"email":"DOC.BROWN@hillvalley.edu","phoneNumber":null}');
    expect(same.json).toStrictEqual(res.json);
    const again = await identify('{"phoneNumber":"1-555-010-1955"}');
    expect(again.json).toStrictEqual(other.json);
  });
});

describe('errors over HTTP', () => {
  it('400 invalid_json for a body that is not JSON', async () => {
    expectError(await identify('{"email":'), 400, 'invalid_json');
  });

  it.each([
    ['neither value', '{}', 'missing_contact_info'],
    ['not an object', '["doc@hillvalley.edu"]', 'invalid_body'],
    ['a field of the wrong type', '{"email":{"x":1}}', 'invalid_email'],
    ['an invalid phone', '{"phoneNumber":"+12"}', 'invalid_phone_number'],
  ])('400 for %s', async (_name, body, code) => {
    expectError(await identify(body), 400, code);
  });

  it('404 for an unknown route', async () => {
    expectError(await request('GET', '/contacts-that-do-not-exist'), 404, 'route_not_found');
  });

  it.each([
    ['GET', '/identify', 'POST'],
    ['DELETE', '/identify', 'POST'],
    ['POST', '/health', 'GET'],
  ])('405 for %s %s with Allow: %s', async (method, path, allow) => {
    const res = await request(method, path);
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe(allow);
  });

  it('413 for a body over 8 KB, even when it is not JSON', async () => {
    const before = await snapshot(tables);
    expectError(await identify(`{"email":"big@hillvalley.edu","pad":"${'x'.repeat(9_000)}"}`), 413, 'payload_too_large');
    expectError(await identify('['.repeat(8 * 1024 + 1)), 413, 'payload_too_large');
    expect(await snapshot(tables)).toEqual(before);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['application/octet-stream', 'application/octet-stream'],
    ['a form', 'application/x-www-form-urlencoded'],
  ])('415 for a JSON body sent as %s', async (_name, contentType) => {
    const res = await request('POST', '/identify', '{"email":"doc@hillvalley.edu"}', { 'content-type': contentType });
    expectError(res, 415, 'unsupported_media_type');
  });
});

describe('GET /health over HTTP', () => {
  it('answers 200 {"status":"ok"}', async () => {
    const res = await request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json).toStrictEqual({ status: 'ok' });
    expectJsonWithSecurityHeaders(res.headers);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(res.text));
  });
});
