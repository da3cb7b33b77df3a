/**
 * POST /identities/lookup over real HTTP (local server, real handler, DynamoDB Local): the lookup
 * by value with the values in the body, so the console never puts an email or a phone number in a
 * URL. Validated as /identify's body; one identity, or two when the values belong to different
 * identities; 404 when nothing matches; never writes.
 */
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestTables } from '../support/dynamo';
import { httpRequest } from '../support/http';
import { startAdminServer, stopAdminServer } from './helpers';
import { snapshot } from '../support/snapshot';

const ADMIN_TOKEN = 'admin-token-for-lookup-tests-0123456789';
let server: Server;
let base: string;
let t: TestTables;

beforeEach(async () => {
  ({ server, base, t } = await startAdminServer({ adminToken: ADMIN_TOKEN }));
});

afterEach(() => stopAdminServer(server));

const lookup = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  httpRequest(`${base}/identities/lookup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function identify(email: string | null, phoneNumber: string | null): Promise<number> {
  const res = await httpRequest(`${base}/identify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, phoneNumber }),
  });
  expect(res.status).toBe(200);
  return res.json.contact.primaryContactId;
}

describe('POST /identities/lookup', () => {
  it('finds the identity by email or phone (normalised), two identities when the values differ, never writes', async () => {
    const a = await identify('Anna@Lookup.test', '+1 555 000 1111');
    await identify('anna.two@lookup.test', '+15550001111'); // a secondary of a
    const b = await identify('bert@lookup.test', '7770002');
    const before = await snapshot(t);

    const byEmail = await lookup({ email: '  ANNA.TWO@lookup.test ' });
    expect(byEmail.status, byEmail.text).toBe(200);
    expect(byEmail.json.identities).toHaveLength(1);
    expect(byEmail.json.identities[0]).toMatchObject({
      primaryContactId: a,
      primaryContatctId: a,
      emails: ['anna@lookup.test', 'anna.two@lookup.test'],
      phoneNumbers: ['+15550001111'],
    });
    expect(byEmail.json.identities[0].contacts).toHaveLength(2);

    const byPhone = await lookup({ phoneNumber: '+1 (555) 000-1111' });
    expect(byPhone.json.identities.map((i: any) => i.primaryContactId)).toEqual([a]);
    const both = await lookup({ email: 'bert@lookup.test', phoneNumber: '+15550001111' });
    expect(both.status).toBe(200);
    expect(both.json.identities.map((i: any) => i.primaryContactId)).toEqual([a, b]); // oldest primary first
    const same = await lookup({ email: 'anna@lookup.test', phoneNumber: '+15550001111' });
    expect(same.json.identities.map((i: any) => i.primaryContactId)).toEqual([a]);
    const oneKnown = await lookup({ email: 'nobody@lookup.test', phoneNumber: '7770002' });
    expect(oneKnown.json.identities.map((i: any) => i.primaryContactId)).toEqual([b]);

    expect(await snapshot(t)).toStrictEqual(before);
  });

  it('answers 404 for unknown values and the /identify validation errors for bad bodies', async () => {
    await identify('carla@lookup.test', null);
    const cases: Array<[unknown, number, string, Record<string, string>?]> = [
      [{ email: 'nobody@lookup.test' }, 404, 'identity_not_found'],
      [{}, 400, 'missing_contact_info'],
      [{ email: '  ', phoneNumber: null }, 400, 'missing_contact_info'],
      [{ email: 'not-an-email' }, 400, 'invalid_email'],
      [{ phoneNumber: '12' }, 400, 'invalid_phone_number'],
      [{ email: 42 }, 400, 'invalid_email'],
      [[1, 2], 400, 'invalid_body'],
      ['{"email":', 400, 'invalid_json'],
      ['', 400, 'invalid_json'],
      ['{"__proto__":{"x":1}}', 400, 'invalid_json'],
      ['email=carla@lookup.test', 415, 'unsupported_media_type', { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    for (const [body, status, code, headers] of cases) {
      const res = await lookup(body, headers);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(status);
      expect(res.json).toStrictEqual({ error: { code, message: expect.any(String), requestId: res.headers.get('x-request-id') } });
      expect(res.text).not.toContain('lookup.test');
    }
  });
});
