/**
 * /admin/merge[/<contact id>]: merge two identities by hand. Step 1 previews the outcome from the
 * two identities as they are now (the older primary wins, as /identify's rule 3; which contacts are
 * re-linked); step 2 confirms; afterwards the merged identity and its audit entry are shown.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, latestAuditEntry, type AuditEntry, type IdentityDetails } from '../../api/client';
import { formatTime, IdentitySummary } from '../../components/IdentityDetails';
import { Heading } from '../../components/Layout';
import { ErrorNotice, Loading } from '../../components/States';

type Step =
  | { kind: 'form' }
  | { kind: 'loading' }
  | { kind: 'preview'; winner: IdentityDetails; absorbed: IdentityDetails | null }
  | { kind: 'merging'; winner: IdentityDetails; absorbed: IdentityDetails }
  | { kind: 'done'; merged: IdentityDetails; audit: AuditEntry | null };

const older = (a: IdentityDetails, b: IdentityDetails) => {
  const pa = a.contacts[0]!;
  const pb = b.contacts[0]!;
  return pa.createdAt < pb.createdAt || (pa.createdAt === pb.createdAt && pa.id < pb.id) ? a : b;
};

export function MergePage({ initialId }: { initialId: number | null }) {
  const [first, setFirst] = useState(initialId ? String(initialId) : '');
  const [second, setSecond] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [error, setError] = useState<unknown>(null);
  const [ids, setIds] = useState<[number, number] | null>(null);

  const preview = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const a = first.trim();
    const b = second.trim();
    if (!/^[1-9]\d{0,15}$/.test(a) || !/^[1-9]\d{0,15}$/.test(b)) {
      setError(new ApiError(400, 'invalid_contact_ids', 'Enter two contact ids (positive whole numbers).'));
      return;
    }
    setStep({ kind: 'loading' });
    try {
      const [x, y] = await Promise.all([api.identity(Number(a)), api.identity(Number(b))]);
      setIds([Number(a), Number(b)]);
      if (x.primaryContactId === y.primaryContactId) setStep({ kind: 'preview', winner: x, absorbed: null });
      else {
        const winner = older(x, y);
        setStep({ kind: 'preview', winner, absorbed: winner === x ? y : x });
      }
    } catch (e) {
      setError(e);
      setStep({ kind: 'form' });
    }
  };

  const confirm = async () => {
    if (step.kind !== 'preview' || !step.absorbed || !ids) return;
    setStep({ kind: 'merging', winner: step.winner, absorbed: step.absorbed });
    try {
      const merged = await api.merge(ids[0], ids[1]);
      const audit = await latestAuditEntry('identity.merge', ids).catch(() => null);
      setStep({ kind: 'done', merged, audit });
    } catch (e) {
      setError(e);
      setStep({ kind: 'form' });
    }
  };

  return (
    <>
      <Heading>Merge two identities</Heading>
      {step.kind !== 'done' ? (
        <form class="card" onSubmit={preview}>
          <p>Enter a contact id of each identity. Nothing changes until you confirm.</p>
          <label for="merge-first">First contact id</label>
          <input id="merge-first" inputMode="numeric" autoComplete="off" required value={first} onInput={(e) => setFirst((e.target as HTMLInputElement).value)} />
          <label for="merge-second">Second contact id</label>
          <input id="merge-second" inputMode="numeric" autoComplete="off" required value={second} onInput={(e) => setSecond((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={step.kind === 'loading' || step.kind === 'merging'}>
            Preview merge
          </button>
        </form>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {step.kind === 'loading' ? <Loading label="Loading both identities…" /> : null}
      {step.kind === 'preview' && !step.absorbed ? (
        <p class="state empty" role="status">
          Both contacts already belong to one identity (primary {step.winner.primaryContactId}): there is nothing to merge.
        </p>
      ) : null}
      {(step.kind === 'preview' && step.absorbed) || step.kind === 'merging' ? (
        <section class="card preview" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Preview</h2>
          <ul>
            <li>
              Contact <strong>{step.winner.primaryContactId}</strong> stays primary: it is the older primary (created{' '}
              {formatTime(step.winner.contacts[0]!.createdAt)}).
            </li>
            <li>
              Contact <strong>{step.absorbed!.primaryContactId}</strong> (created {formatTime(step.absorbed!.contacts[0]!.createdAt)})
              becomes a secondary of {step.winner.primaryContactId}.
            </li>
            <li>
              Re-linked to {step.winner.primaryContactId}: contacts {step.absorbed!.contacts.map((c) => c.id).join(', ')}.
            </li>
            <li>
              The merged identity will have {step.winner.contacts.length + step.absorbed!.contacts.length} contacts,{' '}
              {new Set([...step.winner.emails, ...step.absorbed!.emails]).size} emails and{' '}
              {new Set([...step.winner.phoneNumbers, ...step.absorbed!.phoneNumbers]).size} phone numbers.
            </li>
          </ul>
          <div class="actions">
            <button type="button" class="danger" onClick={() => void confirm()} disabled={step.kind === 'merging'}>
              {step.kind === 'merging' ? 'Merging…' : 'Confirm merge'}
            </button>
            <button type="button" class="secondary" onClick={() => setStep({ kind: 'form' })} disabled={step.kind === 'merging'}>
              Cancel
            </button>
          </div>
        </section>
      ) : null}
      {step.kind === 'done' ? (
        <>
          <p class="state success" role="status">
            Merged: primary contact {step.merged.primaryContactId} now holds {step.merged.contacts.length} contacts.
          </p>
          <AuditNote entry={step.audit} />
          <IdentitySummary identity={step.merged} />
        </>
      ) : null}
    </>
  );
}

function AuditNote({ entry }: { entry: AuditEntry | null }) {
  if (!entry) return <p class="muted">The audit entry of this merge could not be loaded.</p>;
  return (
    <section class="card" aria-labelledby="audit-entry-heading">
      <h2 id="audit-entry-heading">Audit entry</h2>
      <dl class="facts">
        <dt>Number</dt>
        <dd>{entry.seq}</dd>
        <dt>Action</dt>
        <dd>{entry.action}</dd>
        <dt>Contacts</dt>
        <dd>{entry.contactIds.join(', ')}</dd>
        <dt>Primary afterwards</dt>
        <dd>{entry.primaryContactId ?? '—'}</dd>
        <dt>Changed data</dt>
        <dd>{entry.changed ? 'yes' : 'no (already merged)'}</dd>
        <dt>By</dt>
        <dd>{entry.actor}</dd>
        <dt>At</dt>
        <dd>{formatTime(entry.at)}</dd>
      </dl>
    </section>
  );
}
