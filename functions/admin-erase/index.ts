/**
 * DELETE /identities/{contactId}: erases a customer's identity, then the contact data of their
 * orders (lib/admin-orders.ts; admins only, audited).
 */
import type { Context } from 'aws-lambda';
import { parsePathContactId } from '../../lib/admin-params';
import { getAdminOrders } from '../../lib/admin-orders-container';
import { actorOf } from '../../lib/http/admin';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(async (event: HttpEvent, context: Context) => {
  const id = parsePathContactId(event.pathParameters, 'contactId');
  const result = await getAdminOrders().erase(
    id,
    actorOf(event, context),
    deadlineOf(context),
  );
  return json(200, result);
}, { adminOnly: true });
