/** GET /audit?limit=&cursor=: the audit log of admin actions, oldest first (admins only). */
import { parseAuditQuery } from '../../lib/admin-params';
import { authorizeAdmin } from '../../lib/auth';
import { getAdminService } from '../../lib/container';
import { nextCursor } from '../../lib/http/admin';
import { httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(async (event: HttpEvent) => {
  authorizeAdmin(event);
  const page = await getAdminService().listAudit(parseAuditQuery(event.queryStringParameters));
  return json(200, { entries: page.items, nextCursor: nextCursor('audit', page) });
}, { adminOnly: true });
