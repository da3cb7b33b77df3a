/** The page a signed-in user outside the `admins` group sees (the API answers them 403). */
import { signOut } from '../../../auth/oidc';
import { Heading } from '../../components/Layout';

export function ForbiddenPage({ email }: { email: string }) {
  return (
    <>
      <Heading>Not an administrator</Heading>
      <div class="card" role="alert">
        <p>
          You are signed in as <strong>{email}</strong>, but this account is not in the <code>admins</code> group, so the console
          cannot show customer data (403 Forbidden).
        </p>
        <p>Ask an administrator to add you to the group, then sign in again.</p>
      </div>
      <button type="button" onClick={() => void signOut()}>
        Sign out and use another account
      </button>
    </>
  );
}
