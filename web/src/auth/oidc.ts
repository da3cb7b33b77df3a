/**
 * The console's sign-in: OpenID Connect authorization code + PKCE through oidc-client-ts, the same
 * code against Cognito (deployed) and the local provider (`npm start`). The sole owner of the
 * issuer and client id, which come from /config.json (never from the bundle).
 *
 * Tokens live in sessionStorage (gone with the tab). The API gets the access token, whose
 * `cognito:groups` decides what the console shows; the API checks the group again itself.
 * Not here: API calls (admin/api/client.ts) and pages.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { OidcConfig } from '../shared/config';

/** The console's sign-in settings; `signOutUrl` is Cognito's /logout (its discovery lists none). */
export type ConsoleOidcConfig = OidcConfig & { signOutUrl?: string };

export interface SignedInUser {
  email: string;
  sub: string;
  groups: string[];
  isAdmin: boolean;
  accessToken: string;
}

const CALLBACK_PATH = '/admin/callback';
let manager: UserManager | null = null;
let signOutUrl: string | undefined;

export function configureAuth(config: ConsoleOidcConfig): void {
  const origin = window.location.origin;
  signOutUrl = config.signOutUrl;
  manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    scope: config.scope,
    response_type: 'code',
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/admin/`,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
    ...(signOutUrl ? { metadataSeed: { end_session_endpoint: signOutUrl } } : {}),
  });
}

function requireManager(): UserManager {
  if (!manager) throw new Error('Sign-in is not configured.');
  return manager;
}

export const isCallback = (pathname: string) => pathname === CALLBACK_PATH;

function claimsOf(token: string): Record<string, unknown> {
  try {
    const part = token.split('.')[1] ?? '';
    return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function toSignedIn(user: User): SignedInUser {
  const access = claimsOf(user.access_token);
  const raw = access['cognito:groups'] ?? user.profile['cognito:groups'];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : [];
  return {
    email: String(user.profile.email ?? access.username ?? user.profile.sub),
    sub: user.profile.sub,
    groups,
    isAdmin: groups.includes('admins'),
    accessToken: user.access_token,
  };
}

/** The signed-in user, or null when there is none or the session has expired. */
export async function currentUser(): Promise<SignedInUser | null> {
  const user = await requireManager().getUser();
  if (!user || user.expired) return null;
  return toSignedIn(user);
}

/** True when a user signed in earlier in this tab (so an expiry signs in again without asking). */
export async function hadSession(): Promise<boolean> {
  return (await requireManager().getUser()) !== null;
}

/** Sends the browser to the provider's sign-in; it comes back to `returnTo` (a console path). */
export async function signIn(returnTo: string = window.location.pathname): Promise<never> {
  const m = requireManager();
  await m.removeUser();
  await m.signinRedirect({ state: { returnTo: safeReturn(returnTo) } });
  return new Promise<never>(() => undefined); // the page is leaving
}

/** Finishes the sign-in on /admin/callback; answers the console path to go back to. */
export async function completeSignIn(): Promise<string> {
  const user = await requireManager().signinRedirectCallback();
  return safeReturn((user.state as { returnTo?: string } | undefined)?.returnTo);
}

export async function signOut(): Promise<void> {
  const m = requireManager();
  const user = await m.getUser();
  await m.signoutRedirect({
    id_token_hint: signOutUrl ? undefined : user?.id_token,
    ...(signOutUrl
      ? { extraQueryParams: { client_id: m.settings.client_id, logout_uri: `${window.location.origin}/admin/` } }
      : {}),
  });
  await m.removeUser();
}

/** Only console paths: never an open redirect, never the callback itself. */
function safeReturn(path: string | undefined): string {
  return path && /^\/admin(\/[\w/-]*)?$/.test(path) && !isCallback(path) ? path : '/admin/';
}
