/**
 * The console's frame: a skip link, the header with the navigation and the signed-in user with
 * "Sign out", and the main region. On every navigation the page's heading gets the focus, so
 * keyboard and screen-reader users land on the new content.
 */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { signOut, type SignedInUser } from '../../auth/oidc';
import { Link } from './Link';

const NAV = [
  { href: '/admin/', label: 'Find a customer', match: (p: string) => p === '/admin/' || p.startsWith('/admin/identity/') },
  { href: '/admin/reconcile', label: 'Reconciliation form', match: (p: string) => p === '/admin/reconcile' },
  { href: '/admin/contacts', label: 'All contacts', match: (p: string) => p === '/admin/contacts' },
  { href: '/admin/merge', label: 'Merge', match: (p: string) => p.startsWith('/admin/merge') },
  { href: '/admin/audit', label: 'Audit log', match: (p: string) => p === '/admin/audit' },
];

export function Layout({ user, path, children }: { user: SignedInUser | null; path: string; children: ComponentChildren }) {
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading && document.activeElement === document.body) heading.focus();
  }, [path]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <p class="brand">FluxKart support</p>
        {user?.isAdmin ? (
          <nav aria-label="Console">
            <ul>
              {NAV.map((item) => (
                <li key={item.href}>
                  <Link href={item.href} aria-current={item.match(path) ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {user ? (
          <div class="who">
            <span class="email">{user.email}</span>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** The page's heading, focusable so that navigation can move the focus to it. */
export function Heading({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}
