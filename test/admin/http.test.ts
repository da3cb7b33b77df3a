/**
 * The admin routes end to end over real HTTP: the local server behind `npm start` (with its
 * emulated JWT authorizer), the real handlers, fresh tables on DynamoDB Local for every test.
 * The handlers' container reads its configuration once per module instance, so each test
 * re-imports the server's modules (vi.resetModules) after pointing the environment at its tables.
 */
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeCursor } from '../../lib/admin-params';
import { ROUTES } from '../../lib/routes';
import type { TestTables } from '../support/dynamo';
import { checkInvariants, snapshot } from '../support/snapshot';
import { scanEverything, startAdminServer, stopAdminServer } from './helpers';
import { httpRequest } from '../support/http';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdef';
const USER_TOKEN = 'user-token-for-tests-0123456789abcdef';

let server: Server;
let base: string;
let t: TestTables;

beforeEach(async () => {
  ({ server, base, t } = await startAdminServer({ adminToken: ADMIN_TOKEN, userToken: USER_TOKEN }));
});

afterEach(() => stopAdminServer(server));

async function call(method: string, path: string, options: { token?: string | null; body?: unknown; authorization?: string } = {}) {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  return httpRequest(base + path, { method, headers, body });
}

const identify = async (email: string | null, phoneNumber: string | null) => {
  const res = await call('POST', '/identify', { token: null, body: { email, phoneNumber } });
  expect(res.status).toBe(200);
  return res.json.contact as { primaryContactId: number; secondaryContactIds: number[] };
};

function expectError(res: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.json).toStrictEqual({ error: { code, message: expect.any(String), requestId: res.headers.get('x-request-id') } });
  expect(res.json.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

const ROW_KEYS = ['id', 'email', 'phoneNumber', 'linkedId', 'linkPrecedence', 'createdAt', 'updatedAt', 'deletedAt'];

describe('access control over HTTP', () => {
  it('admin routes: anonymous or a wrong token 401, a non-admin 403, an admin 200; public routes stay open', async () => {
    const a = await identify('anna@auth.test', '4440001');
    const b = await identify('bert@auth.test', '4440002');
    const adminRoutes = ROUTES.filter((r) => r.auth === 'admin');
    expect(adminRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'DELETE /identities/{contactId}',
      'GET /audit',
      'GET /contacts',
      'GET /contacts/{id}',
      'GET /identities/{contactId}',
      'GET /identities/{contactId}/orders',
      'POST /identities/lookup',
      'POST /identities/merge',
    ]);
    const requests: Array<{ method: string; path: string; body?: unknown }> = [
      { method: 'GET', path: '/contacts?limit=5' },
      { method: 'GET', path: `/contacts/${a.primaryContactId}` },
      { method: 'GET', path: `/identities/${a.primaryContactId}` },
      { method: 'GET', path: `/identities/${a.primaryContactId}/orders` },
      { method: 'POST', path: '/identities/lookup', body: { email: 'anna@auth.test' } },
      { method: 'POST', path: '/identities/merge', body: { contactIds: [a.primaryContactId, b.primaryContactId] } },
      { method: 'GET', path: '/audit' },
      { method: 'DELETE', path: `/identities/${b.primaryContactId}` }, // last: it erases
    ];
    expect(requests).toHaveLength(adminRoutes.length);
    for (const r of requests) {
      const label = `${r.method} ${r.path}`;
      for (const authorization of [undefined, `Bearer ${ADMIN_TOKEN}x`, 'Bearer', `Basic ${ADMIN_TOKEN}`, ADMIN_TOKEN]) {
        const res = await call(r.method, r.path, { body: r.body, ...(authorization === undefined ? { token: null } : { authorization }) });
        expectError(res, 401, 'unauthorized');
        expect(res.headers.get('www-authenticate'), label).toBe('Bearer');
        expect(res.text).not.toContain(ADMIN_TOKEN);
        expect(res.text).not.toMatch(/auth\.test|444000/);
      }
      const user = await call(r.method, r.path, { token: USER_TOKEN, body: r.body });
      expectError(user, 403, 'forbidden');
      expect(user.text).not.toMatch(/auth\.test|444000|token/);
      const admin = await call(r.method, r.path, { body: r.body });
      expect(admin.status, `${label}: ${admin.text}`).toBe(200);
    }
    // Refused calls wrote nothing: one merge, one erasure, their two audit records.
    const audit = await call('GET', '/audit');
    expect(audit.json.entries.map((e: any) => e.action)).toEqual(['identity.merge', 'identity.erase']);
    expect(audit.json.entries.map((e: any) => e.actor)).toEqual(['local-admin', 'local-admin']);

    expect((await call('GET', '/health', { token: null })).status).toBe(200);
    expect((await call('GET', '/health', { authorization: 'Bearer nonsense' })).status).toBe(200);
    expect((await call('POST', '/identify', { authorization: 'Bearer nonsense', body: { email: 'c@auth.test' } })).status).toBe(200);
  });

  it('neither the token nor customer data reaches the logs', async () => {
    process.env.LOG_LEVEL = 'debug'; // before the first request creates this test's logger
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: any) => {
        written.push(String(chunk));
        return true;
      });
    const a = await identify('secret.person@logs.test', '+15550109999');
    const spies = [capture(process.stdout), capture(process.stderr)];
    try {
      await call('GET', '/contacts', { token: 'Bearer-guess-1234' });
      await call('GET', '/contacts', { token: USER_TOKEN });
      await call('POST', '/identities/lookup', { body: { email: 'secret.person@logs.test' } });
      await call('POST', '/identities/lookup', { body: { email: 'not-an-email' } });
      await call('POST', '/identities/merge', { body: { contactIds: [a.primaryContactId, 999_999] } });
      await call('DELETE', `/identities/${a.primaryContactId}`);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const logs = written.join('');
    expect(logs).toContain('"status":200'); // the request log lines were captured
    for (const secret of [ADMIN_TOKEN, USER_TOKEN, 'Bearer-guess', 'secret.person', '5550109999']) expect(logs).not.toContain(secret);
  });
});

describe('read routes over HTTP', () => {
  it('GET /contacts pages with an opaque cursor; GET /contacts/{id}; parameters are validated', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await identify(`p${i}@list.test`, `555000${i}`)).primaryContactId);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call('GET', `/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.json).sort()).toEqual(['contacts', 'nextCursor']);
      for (const row of res.json.contacts) expect(Object.keys(row)).toEqual(ROW_KEYS);
      seen.push(...res.json.contacts.map((c: any) => c.id));
      cursor = res.json.nextCursor;
      if (cursor !== null) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
      if (pages === 2) await identify('late@list.test', null); // inserted mid-listing: comes at the end
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen.slice(0, 5)).toEqual(ids);
    expect(seen).toHaveLength(6);

    const one = await call('GET', `/contacts/${ids[2]}`);
    expect(one.json).toEqual({
      contact: {
        id: ids[2],
        email: 'p2@list.test',
        phoneNumber: '5550002',
        linkedId: null,
        linkPrecedence: 'primary',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: expect.any(String),
        deletedAt: null,
      },
    });
    expect(Object.keys(one.json.contact)).toEqual(ROW_KEYS);

    expectError(await call('GET', '/contacts/424242'), 404, 'contact_not_found');
    for (const bad of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999']) {
      expectError(await call('GET', `/contacts/${bad}`), 400, 'invalid_contact_id');
    }
    for (const bad of ['0', '101', 'abc', '1.5', '', '10,20']) expectError(await call('GET', `/contacts?limit=${bad}`), 400, 'invalid_limit');
    for (const bad of ['garbage!', 'Zm9v', encodeCursor('audit', 3)]) {
      expectError(await call('GET', `/contacts?cursor=${bad}`), 400, 'invalid_cursor');
    }
    expectError(await call('GET', '/contacts?includeDeleted=yes'), 400, 'invalid_include_deleted');
    expect((await call('GET', '/contacts?limit=100&includeDeleted=true')).json.contacts).toHaveLength(6);
    expect((await call('GET', '/contacts')).json.nextCursor).toBeNull();
  });

  it('GET /identities/{contactId} answers the identity that holds the contact, as the lookup by value does; 404 when unknown; never writes', async () => {
    const doc = await identify('doc@hillvalley.edu', '+1 (555) 010-9999');
    await identify('emmett@hillvalley.edu', '+15550109999');
    const before = await scanEverything(t);

    const bySecondary = await call('GET', `/identities/${doc.primaryContactId + 1}`);
    expect(bySecondary.status).toBe(200);
    expect(bySecondary.json.contact).toMatchObject({
      primaryContactId: doc.primaryContactId,
      primaryContatctId: doc.primaryContactId,
      emails: ['doc@hillvalley.edu', 'emmett@hillvalley.edu'],
      phoneNumbers: ['+15550109999'],
      secondaryContactIds: [doc.primaryContactId + 1],
    });
    expect(bySecondary.json.contact.contacts.map((c: any) => [c.id, c.linkedId])).toEqual([
      [doc.primaryContactId, null],
      [doc.primaryContactId + 1, doc.primaryContactId],
    ]);
    for (const row of bySecondary.json.contact.contacts) expect(Object.keys(row)).toEqual(ROW_KEYS);
    expect((await call('GET', `/identities/${doc.primaryContactId}`)).json).toEqual(bySecondary.json);
    const byValue = await call('POST', '/identities/lookup', { body: { email: '  DOC@HillValley.edu ' } });
    expect(byValue.json.identities).toEqual([bySecondary.json.contact]);

    expectError(await call('GET', '/identities/424242'), 404, 'contact_not_found');
    expectError(await call('GET', '/identities/x1'), 400, 'invalid_contact_id');
    expect(await scanEverything(t)).toEqual(before);
  });

  it('has no lookup by value in a URL: GET /identities?email= is not a route, and its answer does not repeat the value', async () => {
    await identify('doc@hillvalley.edu', null);
    for (const query of ['email=doc@hillvalley.edu', 'phoneNumber=%2B15550109999', '']) {
      const res = await call('GET', `/identities${query ? `?${query}` : ''}`);
      expectError(res, 404, 'route_not_found');
      expect(res.text).not.toContain('doc@');
      expect(res.text).not.toContain('5550109999');
    }
  });
});

describe('admin actions over HTTP', () => {
  it('POST /identities/merge, DELETE /identities/{contactId} and GET /audit', async () => {
    const a = await identify('amy@admin.test', '3330001');
    const b = await identify('ben@admin.test', '3330002');

    for (const [body, code] of [
      [{}, 'invalid_contact_ids'],
      [{ contactIds: [a.primaryContactId] }, 'invalid_contact_ids'],
      [{ contactIds: [a.primaryContactId, String(b.primaryContactId)] }, 'invalid_contact_ids'],
      [{ contactIds: [0, b.primaryContactId] }, 'invalid_contact_id'],
      [{ contactIds: [1.5, b.primaryContactId] }, 'invalid_contact_id'],
      [[a.primaryContactId, b.primaryContactId], 'invalid_body'],
      ['{"contactIds": [1, 2', 'invalid_json'],
    ] as const) {
      expectError(await call('POST', '/identities/merge', { body }), 400, code);
    }
    expectError(await call('POST', '/identities/merge', { body: { contactIds: [a.primaryContactId, 424242] } }), 404, 'contact_not_found');

    const merged = await call('POST', '/identities/merge', { body: { contactIds: [b.primaryContactId, a.primaryContactId] } });
    expect(merged.status).toBe(200);
    expect(merged.json.contact).toMatchObject({
      primaryContactId: a.primaryContactId,
      primaryContatctId: a.primaryContactId,
      emails: ['amy@admin.test', 'ben@admin.test'],
      phoneNumbers: ['3330001', '3330002'],
      secondaryContactIds: [b.primaryContactId],
    });
    expect(merged.json.contact.contacts[1]).toMatchObject({ id: b.primaryContactId, linkedId: a.primaryContactId, linkPrecedence: 'secondary' });
    const again = await call('POST', '/identities/merge', { body: { contactIds: [a.primaryContactId, b.primaryContactId] } });
    expect(again.json).toEqual(merged.json);

    expectError(await call('DELETE', '/identities/abc'), 400, 'invalid_contact_id');
    expectError(await call('DELETE', '/identities/424242'), 404, 'contact_not_found');
    const erased = await call('DELETE', `/identities/${b.primaryContactId}`);
    expect(erased.status).toBe(200);
    expect(erased.json).toEqual({ erasedContactIds: [a.primaryContactId, b.primaryContactId] });
    expect((await call('DELETE', `/identities/${a.primaryContactId}`)).json).toEqual(erased.json);
    expect((await call('GET', `/contacts/${a.primaryContactId}`)).json.contact).toMatchObject({ email: null, phoneNumber: null });
    expectError(await call('GET', `/identities/${a.primaryContactId}`), 404, 'contact_not_found');
    expect((await call('GET', '/contacts')).json.contacts).toEqual([]);

    // The same email later: a brand-new primary.
    const fresh = await identify('amy@admin.test', null);
    expect(fresh.primaryContactId).toBeGreaterThan(b.primaryContactId);
    expect(fresh.secondaryContactIds).toEqual([]);
    checkInvariants(await snapshot(t));

    const first = await call('GET', '/audit?limit=3');
    expect(first.status).toBe(200);
    expect(first.json.entries).toHaveLength(3);
    const rest = await call('GET', `/audit?limit=3&cursor=${first.json.nextCursor}`);
    expect(rest.json.nextCursor).toBeNull();
    const entries = [...first.json.entries, ...rest.json.entries];
    expect(entries.map((e: any) => [e.action, e.changed])).toEqual([
      ['identity.merge', true],
      ['identity.merge', false],
      ['identity.erase', true],
      ['identity.erase', false],
    ]);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(['action', 'actor', 'at', 'changed', 'contactIds', 'primaryContactId', 'requestId', 'seq']);
      expect(e.actor).toBe('local-admin');
    }
    expect(JSON.stringify(entries)).not.toMatch(/admin\.test|33300/);
    expectError(await call('GET', '/audit?limit=0'), 400, 'invalid_limit');
    expectError(await call('GET', `/audit?cursor=${encodeCursor('contacts', 1)}`), 400, 'invalid_cursor');
  });
});
