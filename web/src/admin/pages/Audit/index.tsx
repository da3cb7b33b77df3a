/** /admin/audit: the audit log of merges and erasures, oldest first, a page at a time. */
import { api } from '../../api/client';
import { formatTime } from '../../components/IdentityDetails';
import { Heading } from '../../components/Layout';
import { Pager, usePaging } from '../../components/Pager';
import { Empty, ErrorNotice, Loading, useAsync } from '../../components/States';

const PAGE_SIZE = 20;

export function AuditPage() {
  const paging = usePaging([]);
  const [state, reload] = useAsync(() => api.audit({ cursor: paging.cursor, limit: PAGE_SIZE }), [paging.cursor]);
  return (
    <>
      <Heading>Audit log</Heading>
      {state.status === 'loading' ? <Loading label="Loading the audit log…" /> : null}
      {state.status === 'error' ? <ErrorNotice error={state.error} onRetry={reload} /> : null}
      {state.status === 'done' ? (
        <>
          {state.value.items.length ? (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit entries">
              <table>
                <caption>Audit entries, page {paging.pageNumber}</caption>
                <thead>
                  <tr>
                    <th scope="col">No.</th>
                    <th scope="col">At</th>
                    <th scope="col">Action</th>
                    <th scope="col">Contacts</th>
                    <th scope="col">Primary</th>
                    <th scope="col">Changed</th>
                    <th scope="col">By</th>
                  </tr>
                </thead>
                <tbody>
                  {state.value.items.map((e) => (
                    <tr key={e.seq}>
                      <th scope="row">{e.seq}</th>
                      <td>{formatTime(e.at)}</td>
                      <td>{e.action === 'identity.merge' ? 'merge' : 'erase'}</td>
                      <td>{e.contactIds.join(', ')}</td>
                      <td>{e.primaryContactId ?? '—'}</td>
                      <td>{e.changed ? 'yes' : 'no'}</td>
                      <td>{e.actor}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>{paging.pageNumber === 1 ? 'No merges or erasures yet.' : 'No entries on this page.'}</Empty>
          )}
          <Pager paging={paging} nextCursor={state.value.nextCursor} label="Audit log pages" />
        </>
      ) : null}
    </>
  );
}
