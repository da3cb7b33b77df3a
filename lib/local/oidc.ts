/**
 * The local OpenID Connect provider behind `npm start` and the browser tests: a real
 * authorization server (the `oidc-provider` package) on its own loopback port, standing in for the
 * stack's Cognito user pool. The console signs in against it with exactly the code it runs in AWS
 * (authorization code + PKCE through oidc-client-ts).
 *
 * What it mirrors of Cognito:
 * - one public client (no secret, PKCE required, code grant only) with the console's callback and
 *   sign-out URLs;
 * - access tokens are RS256 JWTs shaped like Cognito's: `iss`, `sub`, `client_id`,
 *   `token_use: "access"`, `scope`, `username`, `cognito:groups`, `exp` (plus `aud` = the client
 *   id, which oidc-provider requires and Cognito's lack); the ID token carries `cognito:groups`
 *   and `email` too;
 * - no consent screen (a first-party client), sign-out through the end-session endpoint.
 *
 * Two users are seeded: an admin (group `admins`) and a non-admin; their passwords are generated
 * per run (or taken from LOCAL_ADMIN_PASSWORD / LOCAL_USER_PASSWORD) and printed by `npm start`.
 * Signing keys and cookie keys are generated per run, so tokens of an earlier run are refused.
 *
 * Not here: the login form (lib/local/oidc-interactions.ts) and the API's token check
 * (lib/local/oidc-verifier.ts, used by lib/local/auth.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { ADMINS_GROUP } from '../auth';
import { errorFields, localLog } from './log';
import { escapeHtml, handleInteraction, INTERACTION_PREFIX, page } from './oidc-interactions';

export const CONSOLE_CLIENT_ID = 'fluxkart-console';
/** The scope the console asks for, as it does from Cognito. */
export const CONSOLE_SCOPE = 'openid email profile';
/** The resource (the API) that the access tokens are for; their `aud` is the client id instead (see formats). */
const API_RESOURCE = 'urn:fluxkart:identity-api';

export interface LocalUser {
  sub: string;
  username: string;
  email: string;
  password: string;
  groups: string[];
}

export interface LocalOidcOptions {
  /** Loopback port of the provider. @default 0 (any free port) */
  port?: number;
  /** Lifetime of access and ID tokens in seconds (Cognito's default: one hour). @default 3600 */
  tokenTtlSeconds?: number;
  /** Lifetime of the provider's sign-in session in seconds. @default 8 hours */
  sessionTtlSeconds?: number;
  adminPassword?: string;
  userPassword?: string;
}

export interface LocalOidc {
  /** The issuer (`iss` of every token), e.g. http://127.0.0.1:41234 */
  issuer: string;
  clientId: string;
  scope: string;
  users: { admin: LocalUser; user: LocalUser };
  /**
   * Registers the console's origin (its callback and sign-out URLs) and starts answering. Until
   * then the provider answers 503: the console's port is known only once the API server listens.
   */
  start(consoleOrigin: string): Promise<void>;
  close(): Promise<void>;
}

function password(): string {
  return randomBytes(12).toString('base64url');
}

/** Opens the provider's port; call start() with the console's origin once the API server listens. */
export async function openLocalOidc(options: LocalOidcOptions = {}): Promise<LocalOidc> {
  const users = {
    admin: {
      sub: 'local-admin-0001',
      username: 'admin@fluxkart.local',
      email: 'admin@fluxkart.local',
      password: options.adminPassword || password(),
      groups: [ADMINS_GROUP],
    },
    user: {
      sub: 'local-agent-0002',
      username: 'agent@fluxkart.local',
      email: 'agent@fluxkart.local',
      password: options.userPassword || password(),
      groups: [],
    },
  } satisfies Record<string, LocalUser>;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('The sign-in service is starting.');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    clientId: CONSOLE_CLIENT_ID,
    scope: CONSOLE_SCOPE,
    users,
    async start(consoleOrigin: string) {
      const provider = await createProvider(issuer, consoleOrigin, Object.values(users), options);
      const callback = provider.callback();
      handler = (req, res) => {
        const path = new URL(req.url ?? '/', issuer).pathname;
        if (path.startsWith(INTERACTION_PREFIX)) {
          handleInteraction(provider, Object.values(users), new URL(consoleOrigin).origin, req, res).catch((error: unknown) => {
            localLog('warn', 'local sign-in failed', errorFields(error));
            if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
            res.end('This sign-in attempt has expired or is invalid: go back to the console and sign in again.');
          });
          return;
        }
        callback(req, res);
      };
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

async function createProvider(
  issuer: string,
  consoleOrigin: string,
  users: LocalUser[],
  options: LocalOidcOptions,
): Promise<Provider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
  const ttl = options.tokenTtlSeconds ?? 3600;
  const bySub = new Map(users.map((u) => [u.sub, u]));
  const origin = new URL(consoleOrigin).origin;

  const configuration: Configuration = {
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${origin}/admin/callback`],
        post_logout_redirect_uris: [`${origin}/admin/`],
        id_token_signed_response_alg: 'RS256',
      },
    ],
    adapter: MemoryAdapter,
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // PKCE (S256) is required for every authorization request (the default for public clients).
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['cognito:groups', 'cognito:username'] },
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      const user = bySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: user.email,
          email_verified: true,
          'cognito:username': user.username,
          'cognito:groups': user.groups,
        }),
      };
    },
    // A first-party client, as the Cognito hosted UI: no consent screen, the grant is implied.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(CONSOLE_SCOPE);
      grant.addResourceScope(API_RESOURCE, CONSOLE_SCOPE);
      await grant.save();
      session.ensureClientContainer(client.clientId);
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: CONSOLE_SCOPE,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // Cognito's access token has the groups in it, for the API to check.
    async extraTokenClaims(_ctx: unknown, token: { accountId?: string }) {
      const user = token.accountId ? bySub.get(token.accountId) : undefined;
      return user ? { 'cognito:groups': user.groups, username: user.username, token_use: 'access' } : undefined;
    },
    formats: {
      customizers: {
        // Cognito access tokens have no `aud` (API Gateway then checks `client_id` against its
        // audiences); oidc-provider insists on one, so it is the client id, which passes the same check.
        jwt(_ctx: unknown, _token: unknown, jwt: { payload: Record<string, unknown> }) {
          jwt.payload.aud = jwt.payload.client_id;
          return jwt;
        },
      },
    },
    ttl: {
      AccessToken: ttl,
      IdToken: ttl,
      AuthorizationCode: 60,
      Interaction: 600,
      Grant: options.sessionTtlSeconds ?? 8 * 3600,
      Session: options.sessionTtlSeconds ?? 8 * 3600,
    },
    // Only the console's own origin may call the token endpoint from a browser.
    clientBasedCORS: (_ctx: unknown, requestOrigin: string) => requestOrigin === origin,
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PREFIX}${interaction.uid}` },
    renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<h1>Sign-in error</h1><p>${escapeHtml(String(out.error_description ?? out.error))}</p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, error) => localLog('error', 'local sign-in provider error', errorFields(error)));
  return provider;
}

/** The page that asks "sign out?" when the console ends the session (POSTs the form it is given). */
function logoutPage(ctx: KoaContextWithOIDC, form: string): void {
  ctx.body = page(
    'Sign out',
    `<h1>Sign out of FluxKart</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
  );
}

/** oidc-provider's storage: in memory, per run (what the package's own dev adapter does, without its warning). */
class MemoryAdapter {
  private static readonly items = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  constructor(private readonly model: string) {}
  private key(id: string): string {
    return `${this.model}:${id}`;
  }
  private get(key: string): AdapterPayload | undefined {
    const item = MemoryAdapter.items.get(key);
    if (!item) return undefined;
    if (item.expiresAt <= Date.now()) {
      MemoryAdapter.items.delete(key);
      return undefined;
    }
    return item.payload;
  }
  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    MemoryAdapter.items.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
    if (payload.uid) MemoryAdapter.items.set(`uid:${payload.uid}`, { payload: { id } as AdapterPayload, expiresAt: Date.now() + expiresIn * 1000 });
    if (payload.grantId) {
      const list = this.get(`grant:${payload.grantId}`)?.ids as string[] | undefined;
      MemoryAdapter.items.set(`grant:${payload.grantId}`, { payload: { ids: [...(list ?? []), this.key(id)] }, expiresAt: Date.now() + expiresIn * 1000 });
    }
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.get(this.key(id));
  }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const ref = this.get(`uid:${uid}`);
    return ref ? this.find(ref.id as string) : undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(id: string): Promise<void> {
    const payload = this.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    MemoryAdapter.items.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of (this.get(`grant:${grantId}`)?.ids as string[] | undefined) ?? []) MemoryAdapter.items.delete(key);
    MemoryAdapter.items.delete(`grant:${grantId}`);
  }
}

/** The settings `npm start` reads for the local sign-in (validated, so a typo fails at start). */
export function localOidcOptionsFromEnv(env: NodeJS.ProcessEnv, apiPort: number): LocalOidcOptions {
  const port = env.OIDC_PORT !== undefined && env.OIDC_PORT !== '' ? Number(env.OIDC_PORT) : apiPort === 0 ? 0 : apiPort + 1;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('OIDC_PORT must be a port number');
  const ttl = env.OIDC_TOKEN_TTL_SECONDS ? Number(env.OIDC_TOKEN_TTL_SECONDS) : 3600;
  if (!Number.isInteger(ttl) || ttl < 5 || ttl > 86_400) throw new Error('OIDC_TOKEN_TTL_SECONDS must be an integer from 5 to 86400');
  return { port, tokenTtlSeconds: ttl, adminPassword: env.LOCAL_ADMIN_PASSWORD, userPassword: env.LOCAL_USER_PASSWORD };
}

/** What `npm start` prints about the sign-in: the issuer and the two accounts (generated passwords only). */
export function signInBanner(oidc: LocalOidc, consoleUrl: string, env: NodeJS.ProcessEnv): string {
  const shown = (user: LocalUser, envName: string) =>
    `${user.username} / ${env[envName] ? `$${envName}` : user.password}`;
  return [
    `Admin console: ${consoleUrl}  (sign-in at the local OIDC provider ${oidc.issuer})`,
    `  admin:     ${shown(oidc.users.admin, 'LOCAL_ADMIN_PASSWORD')}  (group admins)`,
    `  non-admin: ${shown(oidc.users.user, 'LOCAL_USER_PASSWORD')}  (no group: sees "not an administrator")`,
    '',
  ].join('\n');
}
