/**
 * The authorisation interface (lib/auth.ts) on the JWT claims shape that API Gateway's JWT
 * authorizer passes to a function, the local authorizer's token check (lib/local/auth.ts), and
 * every admin handler called directly with API Gateway events: anonymous, non-admin, admin.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { authorizeAdmin, parseGroups } from '../../lib/auth';
import { ForbiddenError, UnauthorizedError } from '../../lib/errors';
import { localJwtClaims } from '../../lib/local/auth';
import { FUNCTIONS, ROUTES } from '../../lib/routes';
import { createTestTables } from '../support/dynamo';
import { apiEvent, invoke } from '../support/events';

/** The admin functions' modules, by FUNCTIONS name (their entries are checked below). */
const HANDLERS: Partial<Record<keyof typeof FUNCTIONS, () => Promise<{ handler: unknown }>>> = {
  adminRead: () => import('../../functions/admin-read/index'),
  adminMerge: () => import('../../functions/admin-merge/index'),
  adminErase: () => import('../../functions/admin-erase/index'),
  adminAudit: () => import('../../functions/admin-audit/index'),
};

it('the handler modules above are the entries FUNCTIONS names', () => {
  for (const name of Object.keys(HANDLERS) as Array<keyof typeof FUNCTIONS>) {
    expect(FUNCTIONS[name].entry).toBe(`functions/${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}/index.ts`);
  }
});

/** An event as API Gateway passes it after its JWT authorizer accepted a Cognito token. */
function withClaims<T extends { requestContext: object }>(event: T, claims: Record<string, unknown> | null): T {
  if (claims === null) return event;
  (event.requestContext as Record<string, unknown>).authorizer = { jwt: { claims, scopes: null }, principalId: '', integrationLatency: 0 };
  return event;
}

const cognitoClaims = (groups?: unknown) => ({
  sub: '5f1c2e4a-0000-4000-8000-000000000001',
  iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example',
  client_id: 'exampleclientid',
  token_use: 'access',
  scope: 'aws.cognito.signin.user.admin',
  username: 'support-1',
  exp: '1767225600',
  iat: '1767222000',
  ...(groups === undefined ? {} : { 'cognito:groups': groups }),
});

describe('authorizeAdmin on API Gateway JWT claims', () => {
  it.each([['[admins]'], ['admins'], ['[support admins]'], [['admins']], ['[admins,support]']])(
    'accepts cognito:groups %j',
    (groups) => {
      expect(authorizeAdmin(withClaims(apiEvent(), cognitoClaims(groups)))).toEqual({
        sub: cognitoClaims().sub,
        groups: parseGroups(groups),
      });
    },
  );

  it.each([['[support]'], ['[]'], [''], ['[administrators]'], ['admin'], [[]], [undefined]])(
    'refuses cognito:groups %j with 403',
    (groups) => {
      expect(() => authorizeAdmin(withClaims(apiEvent(), cognitoClaims(groups)))).toThrow(ForbiddenError);
    },
  );

  it('refuses a request without claims or without a subject with 401', () => {
    expect(() => authorizeAdmin(apiEvent())).toThrow(UnauthorizedError);
    expect(() => authorizeAdmin(withClaims(apiEvent(), {}))).toThrow(UnauthorizedError);
    expect(() => authorizeAdmin(withClaims(apiEvent(), { 'cognito:groups': '[admins]' }))).toThrow(UnauthorizedError);
    expect(() => authorizeAdmin(withClaims(apiEvent(), { sub: '', 'cognito:groups': '[admins]' }))).toThrow(UnauthorizedError);
  });
});

describe('the local authorizer', () => {
  const options = { adminToken: 'the-admin-token', userToken: 'the-user-token' };

  it('turns the configured bearer tokens into claims of the API Gateway shape', () => {
    const admin = localJwtClaims('Bearer the-admin-token', options)!;
    expect(admin).toMatchObject({ sub: 'local-admin', 'cognito:groups': '[admins]' });
    expect(authorizeAdmin(withClaims(apiEvent(), admin)).sub).toBe('local-admin');
    const user = localJwtClaims('bearer the-user-token', options)!;
    expect(() => authorizeAdmin(withClaims(apiEvent(), user))).toThrow(ForbiddenError);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'the-admin-token', 'Basic the-admin-token', 'Bearer the-admin-tokenx', 'Bearer the-admin-toke', 'Bearer the-admin-token extra'])(
    'gives no claims for Authorization %j',
    (header) => {
      expect(localJwtClaims(header, options)).toBeNull();
    },
  );

  it('accepts no token at all when none is configured', () => {
    expect(localJwtClaims('Bearer undefined', {})).toBeNull();
    expect(localJwtClaims('Bearer ', { adminToken: '' })).toBeNull();
  });
});

describe('admin handlers called as the Lambda runtime calls them', () => {
  let env: Record<string, string>;
  beforeEach(async () => {
    env = (await createTestTables()).env;
    Object.assign(process.env, env, { LOG_LEVEL: 'warn' });
    vi.resetModules(); // a fresh container, reading this test's tables
  });

  it('answers 401 without claims, 403 for a non-admin and 200 for an admin, on every admin route', async () => {
    const identify = (await import('../../functions/identify/index')).handler;
    const seed = await invoke(identify, apiEvent({ body: { email: 'h@handler.test', phoneNumber: '2220001' } }));
    const id = seed.json.contact.primaryContactId as number;
    const seed2 = await invoke(identify, apiEvent({ body: { email: 'i@handler.test', phoneNumber: '2220002' } }));
    const id2 = seed2.json.contact.primaryContactId as number;
    const cases: Array<{ routeKey: string; path: string; query?: Record<string, string>; params?: Record<string, string>; body?: unknown }> = [
      { routeKey: 'GET /contacts', path: '/contacts' },
      { routeKey: 'GET /contacts/{id}', path: `/contacts/${id}`, params: { id: String(id) } },
      { routeKey: 'GET /identities/{contactId}', path: `/identities/${id}`, params: { contactId: String(id) } },
      { routeKey: 'GET /identities/{contactId}/orders', path: `/identities/${id}/orders`, params: { contactId: String(id) } },
      { routeKey: 'POST /identities/lookup', path: '/identities/lookup', body: { email: 'h@handler.test' } },
      { routeKey: 'POST /identities/merge', path: '/identities/merge', body: { contactIds: [id, id2] } },
      { routeKey: 'GET /audit', path: '/audit' },
      { routeKey: 'DELETE /identities/{contactId}', path: `/identities/${id}`, params: { contactId: String(id) } },
    ];
    expect(cases.map((c) => c.routeKey).sort()).toEqual(
      ROUTES.filter((r) => r.auth === 'admin').map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const c of cases) {
      const route = ROUTES.find((r) => `${r.method} ${r.path}` === c.routeKey)!;
      const load = HANDLERS[route.function];
      expect(load, `a handler module for ${route.function}`).toBeDefined();
      const { handler } = await load!();
      const event = (claims: Record<string, unknown> | null) => {
        const e = withClaims(apiEvent({ method: route.method, path: c.path, routeKey: c.routeKey, body: c.body }), claims);
        e.queryStringParameters = c.query;
        e.pathParameters = c.params;
        return e;
      };
      const anonymous = await invoke(handler, event(null));
      expect(anonymous.statusCode, c.routeKey).toBe(401);
      expect(anonymous.json).toEqual({ error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } });
      const user = await invoke(handler, event(cognitoClaims('[support]')));
      expect(user.statusCode, c.routeKey).toBe(403);
      expect(user.json).toEqual({ error: { code: 'forbidden', message: expect.any(String), requestId: expect.any(String) } });
      expect(user.body).not.toMatch(/handler\.test|222000|5f1c2e4a/);
      const admin = await invoke(handler, event(cognitoClaims('[admins]')));
      expect(admin.statusCode, `${c.routeKey}: ${admin.body}`).toBe(200);
    }
    // The group is checked before the body is parsed: a refused caller learns nothing from a 400.
    const merge = (await import('../../functions/admin-merge/index')).handler;
    const badBody = (claims: Record<string, unknown> | null) =>
      withClaims(apiEvent({ method: 'POST', path: '/identities/merge', routeKey: 'POST /identities/merge', body: '{"contactIds": [1,' }), claims);
    expect((await invoke(merge, badBody(null))).statusCode).toBe(401);
    expect((await invoke(merge, badBody(cognitoClaims('[support]')))).statusCode).toBe(403);
    expect((await invoke(merge, badBody(cognitoClaims('[admins]')))).json.error.code).toBe('invalid_json');

    const audit = (await import('../../functions/admin-audit/index')).handler;
    const log = await invoke(audit, withClaims(apiEvent({ method: 'GET', path: '/audit', routeKey: 'GET /audit' }), cognitoClaims('admins')));
    expect(log.json.entries.map((e: any) => [e.action, e.actor])).toEqual([
      ['identity.merge', cognitoClaims().sub],
      ['identity.erase', cognitoClaims().sub],
    ]);
  });
});
