/**
 * /admin/reconcile: the Identity Reconciliation Form (the original admin panel). Email and/or
 * phone number → the consolidated identity as /identify shapes it, read-only (POST
 * /identities/lookup: nothing is written, no value in a URL); the API's own error for bad input.
 */
import { useState } from 'preact/hooks';
import { api, type IdentityDetails } from '../../api/client';
import { ValueList } from '../../components/IdentityDetails';
import { Heading } from '../../components/Layout';
import { Link } from '../../components/Link';
import { ErrorNotice, Loading } from '../../components/States';

export function ReconcilePage() {
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<IdentityDetails[] | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const body: { email?: string; phoneNumber?: string } = {};
      if (email.trim()) body.email = email;
      if (phone.trim()) body.phoneNumber = phone;
      setResult(await api.lookup(body));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Heading>Identity Reconciliation Form</Heading>
      <p>Shows the consolidated identity of an email and/or a phone number, without writing anything.</p>
      <form class="card" onSubmit={submit} noValidate>
        <label for="rec-email">Email</label>
        <input id="rec-email" type="email" autoComplete="off" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <label for="rec-phone">Phone number</label>
        <input id="rec-phone" type="tel" autoComplete="off" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy}>
          Reconcile
        </button>
      </form>
      {busy ? <Loading label="Looking up…" /> : null}
      {error ? <ErrorNotice error={error} /> : null}
      {result ? (
        <section aria-labelledby="rec-result" class="card">
          <h2 id="rec-result">{result.length === 1 ? 'Consolidated identity' : 'These values belong to two identities'}</h2>
          {result.length > 1 ? (
            <p class="note">
              /identify with both values would merge them. <Link href={`/admin/merge/${result[0]!.primaryContactId}`}>Merge by hand</Link>
            </p>
          ) : null}
          {result.map((r) => (
            <dl class="facts" key={r.primaryContactId}>
              <dt>primaryContactId</dt>
              <dd>
                <Link href={`/admin/identity/${r.primaryContactId}`}>{r.primaryContactId}</Link>
              </dd>
              <dt>emails</dt>
              <dd>
                <ValueList label="" values={r.emails} />
              </dd>
              <dt>phoneNumbers</dt>
              <dd>
                <ValueList label="" values={r.phoneNumbers} />
              </dd>
              <dt>secondaryContactIds</dt>
              <dd>{r.secondaryContactIds.length ? r.secondaryContactIds.join(', ') : 'none'}</dd>
            </dl>
          ))}
        </section>
      ) : null}
    </>
  );
}
