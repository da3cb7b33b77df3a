/** DELETE /identities/{contactId}: erases a customer's identity (admins only, audited). */
import type { Context } from 'aws-lambda';
import { parseContactId } from '../../lib/admin-params';
import { authorizeAdmin } from '../../lib/auth';
import { getAdminService } from '../../lib/container';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(async (event: HttpEvent, context: Context) => {
  const principal = authorizeAdmin(event);
  const id = parseContactId(event.pathParameters?.contactId, 'contactId');
  const result = await getAdminService().erase(
    id,
    { sub: principal.sub, requestId: context.awsRequestId ?? null },
    deadlineOf(context),
  );
  return json(200, result);
}, { adminOnly: true });
