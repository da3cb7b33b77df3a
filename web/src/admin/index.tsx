/**
 * The admin console's entry: reads /config.json, completes or starts the OIDC sign-in, and routes.
 * Routes (contact ids only, never an email or phone in the address bar):
 *   /admin/                          find a customer
 *   /admin/identity/<id>             an identity (orders, picture, actions)
 *   /admin/identity/<id>/erase       erase, with typed confirmation
 *   /admin/merge[/<id>]              merge two identities (preview, confirm)
 *   /admin/reconcile                 Identity Reconciliation Form
 *   /admin/contacts, /admin/audit    listings with paging
 *   /admin/callback                  the OIDC redirect target
 * A user outside the admins group sees the "not an administrator" page (the API would answer 403).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { completeSignIn, configureAuth, currentUser, hadSession, isCallback, signIn, type ConsoleOidcConfig, type SignedInUser } from '../auth/oidc';
import { loadRuntimeConfig } from '../shared/config';
import { configureApi } from './api/client';
import { Layout } from './components/Layout';
import { Loading } from './components/States';
import { AuditPage } from './pages/Audit';
import { ContactsPage } from './pages/Contacts';
import { ErasePage } from './pages/Erase';
import { ForbiddenPage } from './pages/Forbidden';
import { IdentityPage } from './pages/Identity';
import { MergePage } from './pages/Merge';
import { NotFoundPage } from './pages/NotFound';
import { ReconcilePage } from './pages/Reconcile';
import { SearchPage } from './pages/Search';
import { SignInPage } from './pages/SignIn';
import { navigate, usePath } from './router';
import './console.css';

type Session = { status: 'starting' } | { status: 'signed-out'; message?: string } | { status: 'signed-in'; user: SignedInUser };

function route(path: string) {
  let m: RegExpExecArray | null;
  if (path === '/admin' || path === '/admin/') return <SearchPage />;
  if ((m = /^\/admin\/identity\/([1-9]\d{0,15})$/.exec(path))) return <IdentityPage contactId={Number(m[1])} />;
  if ((m = /^\/admin\/identity\/([1-9]\d{0,15})\/erase$/.exec(path))) return <ErasePage contactId={Number(m[1])} />;
  if ((m = /^\/admin\/merge(?:\/([1-9]\d{0,15}))?$/.exec(path))) return <MergePage initialId={m[1] ? Number(m[1]) : null} />;
  if (path === '/admin/reconcile') return <ReconcilePage />;
  if (path === '/admin/contacts') return <ContactsPage />;
  if (path === '/admin/audit') return <AuditPage />;
  return <NotFoundPage />;
}

function Console({ configured }: { configured: boolean }) {
  const path = usePath();
  const [session, setSession] = useState<Session>({ status: 'starting' });

  useEffect(() => {
    if (!configured) {
      setSession({ status: 'signed-out', message: 'Sign-in is not configured for this site.' });
      return;
    }
    void (async () => {
      if (isCallback(window.location.pathname)) {
        try {
          const returnTo = await completeSignIn();
          navigate(returnTo, { replace: true });
        } catch {
          navigate('/admin/', { replace: true });
          setSession({ status: 'signed-out', message: 'The sign-in did not complete. Try again.' });
          return;
        }
      }
      const user = await currentUser();
      if (user) setSession({ status: 'signed-in', user });
      // A session that expired signs in again by itself (the provider's own session usually
      // answers at once); a first visit asks first.
      else if (await hadSession()) await signIn(window.location.pathname);
      else setSession({ status: 'signed-out' });
    })();
  }, [configured]);

  const user = session.status === 'signed-in' ? session.user : null;
  let content;
  if (session.status === 'starting') content = <Loading label="Signing in…" />;
  else if (session.status === 'signed-out') content = <SignInPage returnTo={isCallback(path) ? '/admin/' : path} message={session.message} />;
  else if (!session.user.isAdmin) content = <ForbiddenPage email={session.user.email} />;
  else content = route(path);
  return (
    <Layout user={user} path={path}>
      {content}
    </Layout>
  );
}

void loadRuntimeConfig().then((config) => {
  configureApi(config.apiBase);
  if (config.oidc) configureAuth(config.oidc as ConsoleOidcConfig);
  render(<Console configured={config.oidc !== null} />, document.getElementById('app')!);
});
