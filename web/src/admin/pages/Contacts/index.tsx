/**
 * /admin/contacts: every contact in id order, a page at a time (the API's opaque cursor, kept in
 * memory, so the address bar stays clean); erased rows on demand.
 */
import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ContactsTable } from '../../components/IdentityDetails';
import { Heading } from '../../components/Layout';
import { Pager, usePaging } from '../../components/Pager';
import { Empty, ErrorNotice, Loading, useAsync } from '../../components/States';

const PAGE_SIZE = 20;

export function ContactsPage() {
  const [includeDeleted, setIncludeDeleted] = useState(false);
  const paging = usePaging([includeDeleted]);
  const [state, reload] = useAsync(
    () => api.contacts({ cursor: paging.cursor, includeDeleted, limit: PAGE_SIZE }),
    [paging.cursor, includeDeleted],
  );
  return (
    <>
      <Heading>All contacts</Heading>
      <label class="inline toggle">
        <input type="checkbox" checked={includeDeleted} onChange={(e) => setIncludeDeleted((e.target as HTMLInputElement).checked)} /> Show
        erased contacts
      </label>
      {state.status === 'loading' ? <Loading label="Loading contacts…" /> : null}
      {state.status === 'error' ? <ErrorNotice error={state.error} onRetry={reload} /> : null}
      {state.status === 'done' ? (
        <>
          {state.value.items.length ? (
            <ContactsTable contacts={state.value.items} caption={`Contacts, page ${paging.pageNumber}`} />
          ) : (
            <Empty>{paging.pageNumber === 1 && !state.value.nextCursor ? 'No contacts yet.' : 'No contacts on this page.'}</Empty>
          )}
          <Pager paging={paging} nextCursor={state.value.nextCursor} label="Contacts pages" />
        </>
      ) : null}
    </>
  );
}
