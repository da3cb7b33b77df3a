/** POST /identities/merge {"contactIds": [a, b]}: merges two identities by hand (admins only, audited). */
import type { Context } from 'aws-lambda';
import { parseMergeBody } from '../../lib/admin-params';
import { getAdminService } from '../../lib/container';
import { actorOf, identityDetailsResponse } from '../../lib/http/admin';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(
  async (event: HttpEvent, context: Context) => {
    const [a, b] = parseMergeBody(event.body);
    const details = await getAdminService().merge(
      a,
      b,
      actorOf(event, context),
      deadlineOf(context),
    );
    return json(200, identityDetailsResponse(details));
  },
  { jsonBody: true, adminOnly: true },
);
