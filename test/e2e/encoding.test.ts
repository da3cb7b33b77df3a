/**
 * Strict UTF-8 over real HTTP (the local server behind `npm start`): raw bytes that are not valid
 * UTF-8 reach the handler as bytes (base64), never decoded lossily, and are refused; a declared
 * charset other than UTF-8 is refused. Nothing is written.
 */
import { request as httpRequest, type Server } from 'node:http';
import { closeServer, listenLocal } from '../support/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/server';
import { createTestTables, type TestTables } from '../support/dynamo';
import { snapshot } from '../support/snapshot';

let server: Server;
let port: number;
let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'error' });
  server = createLocalServer({ timeoutMs: 10_000 });
  port = Number(new URL(await listenLocal(server)).port);
});

afterAll(() => closeServer(server));

function post(body: Buffer, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/identify', headers: { 'content-type': contentType, 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const raw = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('raw request bytes', () => {
  it('refuses invalid UTF-8 with 400 invalid_encoding; two different byte strings are never one email', async () => {
    const before = await snapshot(tables);
    for (const body of [
      raw('{"email":"a', [0xff], '@x.co"}'),
      raw('{"email":"a', [0xfe], '@x.co"}'),
      raw('{"email":"a', [0xed, 0xa0, 0x80], '@x.co"}'),
    ]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'invalid_encoding', message: expect.any(String) } });
    }
    expect(await snapshot(tables)).toEqual(before);
  });

  it('refuses a declared charset other than UTF-8 with 415', async () => {
    const before = await snapshot(tables);
    const res = await post(raw('{"email":"jos', [0xe9], '@x.co"}'), 'application/json; charset=latin1');
    expect(res.status).toBe(415);
    expect(res.json).toMatchObject({ error: { code: 'unsupported_media_type' } });
    expect(await snapshot(tables)).toEqual(before);
  });

  it('accepts valid UTF-8 and refuses invisible look-alikes', async () => {
    const ok = await post(raw('{"email":"josé@x.co"}'), 'application/json; charset=utf-8');
    expect(ok.status).toBe(200);
    expect(ok.json.contact.emails).toEqual(['josé@x.co']);
    const zw = await post(raw('{"email":"jos\u200bé@x.co"}'));
    expect(zw.status).toBe(400);
    expect(zw.json).toMatchObject({ error: { code: 'invalid_email' } });
  });
});
