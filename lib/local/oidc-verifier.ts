/**
 * The local copy of what the HTTP API's JWT authorizer checks (API Gateway docs, "Validating
 * JWTs"): the token is a JWT signed with RS256 by a key of the issuer's JWKS (found through the
 * issuer's /.well-known/openid-configuration, as API Gateway finds it); `iss` is the configured
 * issuer; `aud` — or `client_id` when the token has no `aud`, as Cognito access tokens do — is one
 * of the configured audiences; `exp` is in the future, `nbf` and `iat` are not. It answers the
 * token's claims in the shape API Gateway hands them to a function: every value a string, a list as
 * "[a b]" (so `cognito:groups` arrives as "[admins]").
 *
 * Not here: who may do what — that stays lib/auth.ts (the `admins` group), in AWS and locally.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface JwtAuthorizerOptions {
  issuer: string;
  /** Client ids whose tokens are accepted (the authorizer's `jwtAudience`). */
  audience: string[];
}

export type JwtVerifier = (token: string) => Promise<Record<string, string> | null>;

/** A verifier like the JWT authorizer; the JWKS is fetched on first use and cached (refreshed on an unknown `kid`). */
export function jwtAuthorizer(options: JwtAuthorizerOptions): JwtVerifier {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const jwks = () =>
    (keys ??= fetch(`${options.issuer}/.well-known/openid-configuration`)
      .then((res) => {
        if (!res.ok) throw new Error(`discovery: HTTP ${res.status}`);
        return res.json() as Promise<{ jwks_uri: string }>;
      })
      .then((doc) => createRemoteJWKSet(new URL(doc.jwks_uri)))
      .catch((error: unknown) => {
        keys = undefined; // try again on the next request
        throw error;
      }));
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await jwks(), {
        issuer: options.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
      }));
    } catch {
      return null;
    }
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + 1) return null;
    const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const candidates = aud.length > 0 ? aud : typeof payload.client_id === 'string' ? [payload.client_id] : [];
    if (!candidates.some((a) => options.audience.includes(a))) return null;
    return gatewayClaims(payload);
  };
}

/** Claims as API Gateway passes them in `requestContext.authorizer.jwt.claims`. */
export function gatewayClaims(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    claims[key] = Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return claims;
}
