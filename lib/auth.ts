/**
 * The one authorisation interface of the admin routes, used by the handlers in AWS and locally.
 *
 * In AWS, the HTTP API's JWT authorizer (a Cognito user pool) has already verified the token's
 * signature, issuer, audience and expiry, and hands the token's claims to the function as
 * `requestContext.authorizer.jwt.claims`. Locally, lib/local/server.ts emulates that authorizer and
 * puts claims of the same shape there. This module reads those claims and checks membership of the
 * admins group again, so a route that was deployed without the authorizer by mistake still refuses
 * everyone (no claims -> 401).
 *
 * API Gateway passes a list claim such as `cognito:groups` as one string: "[admins]" or
 * "[admins support]"; a single value may arrive as "admins"; a test or another integration may pass
 * a real array. All three are accepted.
 */
import { ForbiddenError, UnauthorizedError } from './errors';

export const ADMINS_GROUP = 'admins';

export interface Principal {
  /** The user's stable id (the token's `sub`); the audit log records it. */
  sub: string;
  groups: string[];
}

/** The part of an API Gateway HTTP API (payload 2.0) event that carries the JWT claims. */
export interface AuthorizedEvent {
  requestContext?: {
    authorizer?: {
      jwt?: { claims?: Record<string, unknown> | null } | null;
    } | null;
  };
}

/** Reads a list claim as API Gateway passes it: "[a b]", "a", "a,b", or a real array. */
export function parseGroups(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof raw !== 'string') return [];
  const inner = raw.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner.split(/[\s,]+/).filter((g) => g !== '');
}

/** The authenticated principal of a request, or 401 when the request carries no valid identity. */
export function principalOf(event: { requestContext?: object }): Principal {
  const claims = (event as AuthorizedEvent).requestContext?.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || sub === '') throw new UnauthorizedError();
  return { sub, groups: parseGroups(claims['cognito:groups']) };
}

/** The principal of an admin route: 401 without an identity, 403 when not in the admins group. */
export function authorizeAdmin(event: { requestContext?: object }): Principal {
  const principal = principalOf(event);
  if (!principal.groups.includes(ADMINS_GROUP)) throw new ForbiddenError();
  return principal;
}
