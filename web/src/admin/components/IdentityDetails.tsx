/**
 * One identity as support staff read it: the primary, every email and phone number, the picture,
 * and the table of every contact (id, role, email, phone, precedence, created, updated).
 */
import type { Contact, IdentityDetails as Details } from '../api/client';
import { IdentityGraph } from './IdentityGraph';
import { Link } from './Link';

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function ValueList({ label, values }: { label: string; values: string[] }) {
  return (
    <div class="values">
      {label ? <h3>{label}</h3> : null}
      {values.length ? (
        <ul>
          {values.map((v) => (
            <li key={v}>{v}</li>
          ))}
        </ul>
      ) : (
        <p class="muted">None</p>
      )}
    </div>
  );
}

export function ContactsTable({ contacts, caption, link = true }: { contacts: Contact[]; caption: string; link?: boolean }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Email</th>
            <th scope="col">Phone</th>
            <th scope="col">Precedence</th>
            <th scope="col">Linked to</th>
            <th scope="col">Created</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {contacts.map((c) => (
            <tr key={c.id} class={c.deletedAt ? 'erased' : undefined}>
              <th scope="row">{link && !c.deletedAt ? <Link href={`/admin/identity/${c.id}`}>{c.id}</Link> : c.id}</th>
              <td>{c.email ?? <span class="muted">—</span>}</td>
              <td>{c.phoneNumber ?? <span class="muted">—</span>}</td>
              <td>{c.deletedAt ? `erased ${formatTime(c.deletedAt)}` : c.linkPrecedence}</td>
              <td>{c.linkedId ?? '—'}</td>
              <td>{formatTime(c.createdAt)}</td>
              <td>{formatTime(c.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function IdentitySummary({ identity, headingLevel = 2 }: { identity: Details; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section class="identity" aria-label={`Identity of primary contact ${identity.primaryContactId}`}>
      <H>Primary contact {identity.primaryContactId}</H>
      <p>
        {identity.contacts.length} contact{identity.contacts.length === 1 ? '' : 's'}:{' '}
        {identity.secondaryContactIds.length ? `secondaries ${identity.secondaryContactIds.join(', ')}` : 'no secondaries'}.
      </p>
      <div class="columns">
        <div>
          <ValueList label="Emails" values={identity.emails} />
          <ValueList label="Phone numbers" values={identity.phoneNumbers} />
        </div>
        <IdentityGraph contacts={identity.contacts} primaryId={identity.primaryContactId} />
      </div>
      <ContactsTable contacts={identity.contacts} caption={`Contacts of identity ${identity.primaryContactId}`} />
    </section>
  );
}
