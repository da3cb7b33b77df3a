/**
 * /admin/identity/<contact id>/erase: erase a customer. The agent types the contact id to confirm;
 * the result lists the erased contacts, and a lookup afterwards finds nothing.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { Heading } from '../../components/Layout';
import { Link } from '../../components/Link';
import { ErrorNotice, Loading, useAsync } from '../../components/States';

export function ErasePage({ contactId }: { contactId: number }) {
  const [state, reload] = useAsync(() => api.identity(contactId), [contactId]);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [erased, setErased] = useState<number[] | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (typed.trim() !== String(contactId)) return;
    setBusy(true);
    setError(null);
    try {
      setErased((await api.erase(contactId)).erasedContactIds);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (erased) {
    return (
      <>
        <Heading>Customer erased</Heading>
        <p class="state success" role="status">
          Erased contacts {erased.join(', ')}. Their emails and phone numbers are gone; the rows remain as tombstones without
          personal data.
        </p>
        <p>
          <Link href={`/admin/identity/${contactId}`}>Look contact {contactId} up again</Link> ·{' '}
          <Link href="/admin/">Find another customer</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <Heading>Erase a customer</Heading>
      {state.status === 'loading' ? <Loading /> : null}
      {state.status === 'error' ? (
        state.error instanceof ApiError && state.error.status === 404 ? (
          <p class="state empty" role="alert">
            No customer has contact id {contactId}: nothing to erase.
          </p>
        ) : (
          <ErrorNotice error={state.error} onRetry={reload} />
        )
      ) : null}
      {state.status === 'done' ? (
        <form class="card danger-zone" onSubmit={submit}>
          <p>
            This erases the whole identity of primary contact {state.value.primaryContactId}: {state.value.contacts.length} contact
            {state.value.contacts.length === 1 ? '' : 's'}, {state.value.emails.length} email
            {state.value.emails.length === 1 ? '' : 's'} and {state.value.phoneNumbers.length} phone number
            {state.value.phoneNumbers.length === 1 ? '' : 's'}. It cannot be undone.
          </p>
          <label for="erase-confirm">Type the contact id {contactId} to confirm</label>
          <input id="erase-confirm" inputMode="numeric" autoComplete="off" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
          <div class="actions">
            <button type="submit" class="danger" disabled={busy || typed.trim() !== String(contactId)}>
              {busy ? 'Erasing…' : 'Erase customer'}
            </button>
            <Link class="button secondary" href={`/admin/identity/${contactId}`}>
              Cancel
            </Link>
          </div>
        </form>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </>
  );
}
