/**
 * "Find a customer": by email, phone number or contact id. A value search goes through
 * POST /identities/lookup (the value in the body) and then opens /admin/identity/<primary id>:
 * the address bar only ever shows the contact id.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { Heading } from '../../components/Layout';
import { ErrorNotice } from '../../components/States';
import { navigate } from '../../router';

type Kind = 'email' | 'phone' | 'id';
const LABELS: Record<Kind, string> = { email: 'Email', phone: 'Phone number', id: 'Contact id' };

export function SearchPage() {
  const [kind, setKind] = useState<Kind>('email');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const v = value.trim();
    if (kind === 'id') {
      if (!/^[1-9]\d{0,15}$/.test(v)) {
        setError(new ApiError(400, 'invalid_contact_id', 'A contact id is a positive whole number.'));
        return;
      }
      navigate(`/admin/identity/${v}`);
      return;
    }
    setBusy(true);
    try {
      const [identity] = await api.lookup(kind === 'email' ? { email: v } : { phoneNumber: v });
      navigate(`/admin/identity/${identity!.primaryContactId}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <>
      <Heading>Find a customer</Heading>
      <form class="card" onSubmit={submit} aria-describedby={error ? 'search-error' : undefined}>
        <fieldset>
          <legend>Search by</legend>
          {(Object.keys(LABELS) as Kind[]).map((k) => (
            <label key={k} class="inline">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {LABELS[k]}
            </label>
          ))}
        </fieldset>
        <label for="search-value">{LABELS[kind]}</label>
        <input
          id="search-value"
          type={(kind === 'email' ? 'email' : kind === 'phone' ? 'tel' : 'text') as 'text'}
          inputMode={kind === 'id' ? 'numeric' : undefined}
          autoComplete="off"
          required
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error ? (
        <div id="search-error">
          <ErrorNotice error={error} />
        </div>
      ) : null}
    </>
  );
}
