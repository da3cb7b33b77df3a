/** GET /audit?limit=&cursor=: the audit log of admin actions, oldest first (admins only). */
import type { Context } from 'aws-lambda';
import { parseAuditQuery } from '../../lib/admin-params';
import { getAdminReads } from '../../lib/container';
import { nextCursor } from '../../lib/http/admin';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(async (event: HttpEvent, context: Context) => {
  const page = await getAdminReads().listAudit(parseAuditQuery(event.queryStringParameters), deadlineOf(context));
  return json(200, { entries: page.items, nextCursor: nextCursor('audit', page) });
}, { adminOnly: true });
