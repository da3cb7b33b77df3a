/**
 * The local JWT authorizer (lib/local/oidc-verifier.ts) against a real issuer over HTTP (a
 * discovery document and a JWKS served on a loopback port): what API Gateway's JWT authorizer
 * checks — signature by a key of the issuer's JWKS, issuer, audience or (without `aud`) client id,
 * expiry, not-before — and the claims handed on in API Gateway's string shape.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtAuthorizer, type JwtVerifier } from '../../lib/local/oidc-verifier';

let server: Server;
let issuer: string;
let verify: JwtVerifier;
let key: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let foreign: typeof key;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  foreign = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    if (req.url === '/keys') return res.end(JSON.stringify({ keys: [jwk] }));
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verify = jwtAuthorizer({ issuer, audience: ['console-client', 'admin-client'] });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const now = () => Math.floor(Date.now() / 1000);

function token(claims: JWTPayload, options: { signer?: typeof key; kid?: string; alg?: string } = {}) {
  return new SignJWT({ sub: 'user-1', client_id: 'console-client', token_use: 'access', iss: issuer, iat: now(), exp: now() + 600, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'k1' })
    .sign(options.signer ?? key);
}

describe('the local JWT authorizer', () => {
  it('accepts a Cognito-shaped access token and hands its claims on as API Gateway does', async () => {
    const claims = await verify(await token({ 'cognito:groups': ['admins', 'support'], scope: 'openid email' }));
    expect(claims).toMatchObject({ sub: 'user-1', 'cognito:groups': '[admins support]', client_id: 'console-client', token_use: 'access' });
    expect(typeof claims!.exp).toBe('string');
  });

  it('checks aud when present, else client_id, against the audiences', async () => {
    expect(await verify(await token({ client_id: undefined, aud: 'admin-client' }))).not.toBeNull();
    expect(await verify(await token({ aud: ['other', 'console-client'] }))).not.toBeNull();
    expect(await verify(await token({ aud: 'other' }))).toBeNull(); // aud wins over a good client_id
    expect(await verify(await token({ client_id: 'someone-else' }))).toBeNull();
    expect(await verify(await token({ client_id: undefined }))).toBeNull();
  });

  it('refuses a foreign signature, another issuer, an expired or not-yet-valid token, no exp, garbage', async () => {
    expect(await verify(await token({}, { signer: foreign }))).toBeNull();
    expect(await verify(await token({}, { kid: 'unknown' }))).toBeNull();
    expect(await verify(await token({ iss: 'http://127.0.0.1:1' }))).toBeNull();
    expect(await verify(await token({ exp: now() - 5 }))).toBeNull();
    expect(await verify(await token({ nbf: now() + 300 }))).toBeNull();
    expect(await verify(await token({ iat: now() + 300 }))).toBeNull();
    expect(await verify(await token({ exp: undefined }))).toBeNull();
    const good = await token({});
    const [h, p] = good.split('.');
    expect(await verify(`${h}.${p}.AAAA`)).toBeNull();
    expect(await verify(`${h}.${Buffer.from(JSON.stringify({ sub: 'x', iss: issuer, exp: now() + 60, client_id: 'console-client' })).toString('base64url')}.${good.split('.')[2]}`)).toBeNull();
    expect(await verify('not-a-jwt')).toBeNull();
  });
});
