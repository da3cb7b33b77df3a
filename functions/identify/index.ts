/** POST /identify (SPEC.md): validate, reconcile, answer the consolidated identity. */
import type { Context } from 'aws-lambda';
import { getIdentityService } from '../../lib/container';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';
import type { IdentityView } from '../../lib/model';
import { parseIdentifyRequest } from '../../lib/validation';

/** The response body; `primaryContatctId` is the deprecated alias kept from the original task statement. */
export function identifyResponse(view: IdentityView) {
  return {
    contact: {
      primaryContactId: view.primaryContactId,
      primaryContatctId: view.primaryContactId,
      emails: view.emails,
      phoneNumbers: view.phoneNumbers,
      secondaryContactIds: view.secondaryContactIds,
    },
  };
}

export const handler = httpHandler(
  async (event: HttpEvent, context: Context) => {
    const request = parseIdentifyRequest(event.body);
    const view = await getIdentityService().identify(request, deadlineOf(context));
    return json(200, identifyResponse(view));
  },
  { jsonBody: true },
);
