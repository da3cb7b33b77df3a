/** POST /identities/merge {"contactIds": [a, b]}: merges two identities by hand (admins only, audited). */
import type { Context } from 'aws-lambda';
import { parseMergeBody } from '../../lib/admin-params';
import { authorizeAdmin } from '../../lib/auth';
import { getAdminService } from '../../lib/container';
import { identityDetailsResponse } from '../../lib/http/admin';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(
  async (event: HttpEvent, context: Context) => {
    const principal = authorizeAdmin(event);
    const [a, b] = parseMergeBody(event.body);
    const details = await getAdminService().merge(
      a,
      b,
      { sub: principal.sub, requestId: context.awsRequestId ?? null },
      deadlineOf(context),
    );
    return json(200, identityDetailsResponse(details));
  },
  { jsonBody: true, adminOnly: true },
);
