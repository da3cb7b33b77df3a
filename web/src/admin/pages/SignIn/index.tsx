/** Shown when nobody is signed in (first visit, after signing out): one button to the provider's sign-in. */
import { signIn } from '../../../auth/oidc';
import { Heading } from '../../components/Layout';

export function SignInPage({ returnTo, message }: { returnTo: string; message?: string }) {
  return (
    <>
      <Heading>FluxKart admin console</Heading>
      <div class="card">
        <p>{message ?? 'Support staff sign in to find, merge and erase customer identities.'}</p>
        <button type="button" onClick={() => void signIn(returnTo)}>
          Sign in
        </button>
      </div>
    </>
  );
}
