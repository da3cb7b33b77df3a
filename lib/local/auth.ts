/**
 * The local stand-in for the HTTP API's JWT authorizer (admin routes only). It accepts
 * `Authorization: Bearer <token>` where the token is
 * - a JWT of the local OpenID Connect provider (lib/local/oidc.ts), verified as API Gateway verifies
 *   Cognito's (lib/local/oidc-verifier.ts: JWKS signature, issuer, audience / client id, expiry) —
 *   what the admin console sends;
 * - or ADMIN_TOKEN (claims of a member of the admins group) or LOCAL_USER_TOKEN (claims of an
 *   authenticated non-admin, so the 403 path can be tried), for curl and scripts.
 * It hands the handlers the claims in the shape API Gateway does, so they authorise through the
 * same interface (lib/auth.ts) as in AWS.
 *
 * Tokens are compared in constant time (digests of equal length) and never logged or echoed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ADMINS_GROUP } from '../auth';
import type { JwtVerifier } from './oidc-verifier';

export interface LocalAuthOptions {
  /** Bearer token of the local admin; unset means no one is an admin (every admin route: 401). */
  adminToken?: string;
  /** Bearer token of a local non-admin user (authenticated, but 403 on admin routes). */
  userToken?: string;
  /** Verifies the JWTs of the local OIDC provider; unset: only the two tokens above are accepted. */
  jwt?: JwtVerifier;
}

export const LOCAL_ADMIN_SUB = 'local-admin';
export const LOCAL_USER_SUB = 'local-user';

/** A fresh random admin token (256 bits, base64url). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function sameToken(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The JWT claims API Gateway would pass for this Authorization header, or null (401) when the
 * header is missing, not a bearer token, or no known token.
 */
export function localJwtClaims(
  authorization: string | undefined,
  options: LocalAuthOptions,
): Record<string, string> | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  if (!match) return null;
  const token = match[1]!;
  // Both comparisons always run, so the time taken does not tell which token was close.
  const admin = sameToken(token, options.adminToken);
  const user = sameToken(token, options.userToken);
  if (admin) return { sub: LOCAL_ADMIN_SUB, 'cognito:groups': `[${ADMINS_GROUP}]`, token_use: 'access' };
  if (user) return { sub: LOCAL_USER_SUB, 'cognito:groups': '[]', token_use: 'access' };
  return null;
}

/**
 * The claims for this Authorization header: one of the two local tokens, else a JWT the verifier
 * accepts; null (401) otherwise.
 */
export async function localClaims(
  authorization: string | undefined,
  options: LocalAuthOptions,
): Promise<Record<string, string> | null> {
  const claims = localJwtClaims(authorization, options);
  if (claims || !options.jwt) return claims;
  const match = /^Bearer[ \t]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)[ \t]*$/i.exec(authorization ?? '');
  return match ? options.jwt(match[1]!) : null;
}
