/**
 * The local provider's sign-in page (what Cognito's managed login is in AWS): a plain HTML form
 * with labelled fields, checked against the seeded users of lib/local/oidc.ts. GET shows the form,
 * POST checks the credentials and hands the result back to oidc-provider, which continues the
 * authorization request (redirect to the console's callback with the code).
 *
 * Not here: the provider's configuration (lib/local/oidc.ts). Passwords are compared in constant
 * time and never logged or echoed; a wrong password and an unknown user get the same message.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { LocalUser } from './oidc';

export const INTERACTION_PREFIX = '/interaction/';
const MAX_FORM_BYTES = 4096;

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function loginForm(uid: string, username: string, error: string | null): string {
  return page(
    'Sign in',
    `<h1>Sign in to the FluxKart admin console</h1>
<p>Local sign-in: use one of the accounts that <code>npm start</code> printed.</p>
${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${INTERACTION_PREFIX}${escapeHtml(uid)}/login" novalidate>
<label for="username">Email</label>
<input id="username" name="username" type="email" autocomplete="username" required value="${escapeHtml(username)}"${error ? ' aria-describedby="login-error"' : ''} autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

function html(res: ServerResponse, status: number, body: string, consoleOrigin: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // form-action also covers the redirects after the POST, which end at the console's callback.
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${consoleOrigin}; frame-ancestors 'none'`,
  });
  res.end(body);
}

/** Answers GET /interaction/{uid} and POST /interaction/{uid}/login. */
export async function handleInteraction(
  provider: Provider,
  users: LocalUser[],
  consoleOrigin: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  if (prompt.name === 'consent') {
    // Not reached for the console (its grant is implied, lib/local/oidc.ts), kept for completeness.
    const grant = new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
    grant.addOIDCScope(String(params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') return html(res, 200, loginForm(uid, '', null), consoleOrigin);
  if (req.method !== 'POST' || !req.url?.endsWith('/login')) {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }
  const form = await readForm(req);
  const username = (form.get('username') ?? '').trim().toLowerCase();
  const password = form.get('password') ?? '';
  // Every user is compared, so the time taken does not tell whether the username exists.
  let match: LocalUser | undefined;
  for (const user of users) {
    const ok = same(username, user.username) && same(password, user.password);
    if (ok) match = user;
  }
  if (!match) return html(res, 401, loginForm(uid, username, 'Incorrect email or password.'), consoleOrigin);
  await provider.interactionFinished(req, res, { login: { accountId: match.sub } }, { mergeWithLastSubmission: false });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A plain, accessible page of the local provider. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — FluxKart local sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:600}input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;margin-top:.25rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:focus-visible,input:focus-visible{outline:3px solid #f5a623;outline-offset:2px}.error{color:#a30000;font-weight:600}</style>
</head><body><main>${body}</main></body></html>`;
}
