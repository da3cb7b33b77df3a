/**
 * /admin/identity/<contact id>: the identity containing that contact — primary, secondaries,
 * emails, phones, the picture, the customer's orders — with the actions Merge and Erase.
 */
import { api, ApiError } from '../../api/client';
import { formatTime, IdentitySummary } from '../../components/IdentityDetails';
import { Heading } from '../../components/Layout';
import { Link } from '../../components/Link';
import { Empty, ErrorNotice, Loading, useAsync } from '../../components/States';

export function IdentityPage({ contactId }: { contactId: number }) {
  const [state, reload] = useAsync(() => api.identity(contactId), [contactId]);
  return (
    <>
      <Heading>Customer identity</Heading>
      {state.status === 'loading' ? <Loading label="Loading the identity…" /> : null}
      {state.status === 'error' ? (
        state.error instanceof ApiError && state.error.status === 404 ? (
          <div class="state empty" role="alert">
            <p>No customer has contact id {contactId}: it does not exist or has been erased.</p>
            <p>
              <Link href="/admin/">Find another customer</Link>
            </p>
          </div>
        ) : (
          <ErrorNotice error={state.error} onRetry={reload} />
        )
      ) : null}
      {state.status === 'done' ? (
        <>
          {state.value.primaryContactId !== contactId ? (
            <p class="note">Contact {contactId} is a secondary of this identity.</p>
          ) : null}
          <div class="actions">
            <Link class="button" href={`/admin/merge/${state.value.primaryContactId}`}>
              Merge with another identity
            </Link>
            <Link class="button danger" href={`/admin/identity/${state.value.primaryContactId}/erase`}>
              Erase this customer
            </Link>
          </div>
          <IdentitySummary identity={state.value} />
          <Orders contactId={state.value.primaryContactId} />
        </>
      ) : null}
    </>
  );
}

function Orders({ contactId }: { contactId: number }) {
  const [state, reload] = useAsync(() => api.orders(contactId), [contactId]);
  return (
    <section class="orders" aria-labelledby="orders-heading">
      <h2 id="orders-heading">Orders</h2>
      {state.status === 'loading' ? <Loading label="Loading the orders…" /> : null}
      {state.status === 'error' ? <ErrorNotice error={state.error} onRetry={reload} /> : null}
      {state.status === 'done' && state.value.length === 0 ? <Empty>This customer has no orders.</Empty> : null}
      {state.status === 'done' && state.value.length ? (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Orders of this customer">
          <table>
            <caption>Orders of this customer</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Items</th>
                <th scope="col">Total</th>
                <th scope="col">Placed by</th>
              </tr>
            </thead>
            <tbody>
              {state.value.map((o) => (
                <tr key={o.orderId}>
                  <th scope="row">{o.orderNumber}</th>
                  <td>{formatTime(o.createdAt)}</td>
                  <td>{o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')}</td>
                  <td>{new Intl.NumberFormat('en-US', { style: 'currency', currency: o.currency }).format(o.total / 100)}</td>
                  <td>contact {o.customerId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
