/**
 * SPEC.md "Request": the body is UTF-8, decoded strictly. Through the real /identify handler with
 * API Gateway payload-2.0 events (bodies as text and as base64, `isBase64Encoded`): bytes that are
 * not valid UTF-8 get 400 invalid_encoding and are never replaced by U+FFFD (so two different byte
 * strings can never become one email); a declared charset other than UTF-8 gets 415; invisible
 * format characters (Cf) in an email get 400 invalid_email. A rejected request writes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { declaredCharset, strictUtf8 } from '../../lib/http/decode-body';
import { createTestTables, type TestTables } from '../support/dynamo';
import { apiEvent, invoke } from '../support/events';
import { snapshot } from '../support/snapshot';

let identify: unknown;
let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'error' });
  ({ handler: identify } = await import('../../functions/identify/index'));
});

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** A body of raw bytes as API Gateway hands over a body it does not pass as text. */
const postBytes = (body: Buffer, contentType = 'application/json') =>
  invoke(identify, apiEvent({ body: body.toString('base64'), isBase64Encoded: true, headers: { 'content-type': contentType } }));
const postText = (body: string, contentType = 'application/json') =>
  invoke(identify, apiEvent({ body, headers: { 'content-type': contentType } }));

function expectError(res: { statusCode: number; json: any }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.json).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe('strict UTF-8', () => {
  it.each<[string, Buffer]>([
    ['an invalid byte (0xFF)', bytes('{"email":"a', [0xff], '@x.co"}')],
    ['another invalid byte (0xFE)', bytes('{"email":"a', [0xfe], '@x.co"}')],
    ['a CESU-8 lone surrogate (ED A0 80)', bytes('{"email":"a', [0xed, 0xa0, 0x80], '@x.co"}')],
    ['a CESU-8 surrogate pair', bytes('{"email":"a', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], '@x.co"}')],
    ['an overlong encoding of "/" (C0 AF)', bytes('{"email":"a', [0xc0, 0xaf], '@x.co"}')],
    ['a truncated sequence at the end', bytes('{"email":"a@x.co"}', [0xe2, 0x82])],
    ['a stray continuation byte', bytes('{"email":"a', [0x80], '@x.co"}')],
    ['a code point above U+10FFFF', bytes('{"email":"a', [0xf4, 0x90, 0x80, 0x80], '@x.co"}')],
    ['Latin-1 bytes sent without a charset', bytes('{"email":"jos', [0xe9], '@x.co"}')],
  ])('refuses %s with 400 invalid_encoding and writes nothing', async (_name, body) => {
    const before = await snapshot(tables);
    expectError(await postBytes(body), 400, 'invalid_encoding');
    expect(await snapshot(tables)).toEqual(before);
  });

  it('never merges two different byte strings into one email', async () => {
    const before = await snapshot(tables);
    const a = await postBytes(bytes('{"email":"dup', [0xff], '@x.co","phoneNumber":"5550001"}'));
    const b = await postBytes(bytes('{"email":"dup', [0xfe], '@x.co","phoneNumber":"5550002"}'));
    expectError(a, 400, 'invalid_encoding');
    expectError(b, 400, 'invalid_encoding');
    expect(await snapshot(tables)).toEqual(before);
  });

  it('refuses a text body that already carries U+FFFD or a lone surrogate (a lossy decode upstream)', async () => {
    const before = await snapshot(tables);
    expectError(await postText('{"email":"a\uFFFD@x.co"}'), 400, 'invalid_encoding');
    expectError(await postText('{"email":"a\ud800@x.co"}'), 400, 'invalid_encoding');
    expect(await snapshot(tables)).toEqual(before);
  });

  it('accepts valid UTF-8, as base64 bytes and as text, and stores the same email', async () => {
    const viaBytes = await postBytes(bytes('{"email":"José@Bücher.de","phoneNumber":"5550100"}'));
    expect(viaBytes.statusCode).toBe(200);
    expect(viaBytes.json.contact.emails).toEqual(['josé@bücher.de']);
    const viaText = await postText('{"email":"josé@bücher.de"}');
    expect(viaText.statusCode).toBe(200);
    expect(viaText.json.contact.primaryContactId).toBe(viaBytes.json.contact.primaryContactId);
  });

  it('keeps a byte order mark, which JSON refuses: 400 invalid_json, both ways', async () => {
    expectError(await postBytes(bytes([0xef, 0xbb, 0xbf], '{"email":"bom@x.co"}')), 400, 'invalid_json');
    expectError(await postText('\ufeff{"email":"bom@x.co"}'), 400, 'invalid_json');
  });
});

describe('declared charset', () => {
  it.each(['latin1', 'ISO-8859-1', 'utf-16', 'us-ascii', 'windows-1252', '"latin1"', ''])(
    'refuses charset=%s with 415 unsupported_media_type and writes nothing',
    async (charset) => {
      const before = await snapshot(tables);
      const body = '{"email":"charset@x.co"}';
      expectError(await postText(body, `application/json; charset=${charset}`), 415, 'unsupported_media_type');
      expectError(await postBytes(Buffer.from(body), `application/json;charset=${charset}`), 415, 'unsupported_media_type');
      expect(await snapshot(tables)).toEqual(before);
    },
  );

  it.each(['utf-8', 'UTF-8', 'utf8', '"utf-8"', ' Utf-8 '])('accepts charset=%s', async (charset) => {
    const res = await postText('{"email":"utf8ok@x.co"}', `application/json; charset=${charset}`);
    expect(res.statusCode).toBe(200);
  });

  it('reads the charset parameter of a Content-Type header', () => {
    expect(declaredCharset('application/json')).toBeNull();
    expect(declaredCharset(undefined)).toBeNull();
    expect(declaredCharset('application/json; charset=UTF-8')).toBe('utf-8');
    expect(declaredCharset('application/json; foo=bar; Charset="latin1"')).toBe('latin1');
  });

  it('decodes strictly', () => {
    expect(strictUtf8(Buffer.from('é'))).toBe('é');
    expect(() => strictUtf8(Buffer.from([0xff]))).toThrow(/UTF-8/);
  });
});

describe('invisible characters in an email', () => {
  it.each([
    ['a zero-width space', 'zw\u200b@x.co'],
    ['a right-to-left override', 'zw\u202e@x.co'],
    ['a zero-width joiner', 'z\u200dw@x.co'],
  ])('refuses %s with 400 invalid_email, as a JSON escape and as raw UTF-8, and writes nothing', async (_name, email) => {
    const seed = await postText('{"email":"zw@x.co"}');
    expect(seed.statusCode).toBe(200);
    const before = await snapshot(tables);
    const escaped = JSON.stringify({ email }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expectError(await postText(escaped), 400, 'invalid_email');
    expectError(await postBytes(Buffer.from(JSON.stringify({ email }), 'utf8')), 400, 'invalid_email');
    expect(await snapshot(tables)).toEqual(before);
  });
});
