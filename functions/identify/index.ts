/** POST /identify (SPEC.md): validate, reconcile, answer the consolidated identity. */
import type { Context } from 'aws-lambda';
import { getIdentityService } from '../../lib/container';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { identityBody, json } from '../../lib/http/response';
import { parseIdentifyRequest } from '../../lib/validation';

export const handler = httpHandler(
  async (event: HttpEvent, context: Context) => {
    const request = parseIdentifyRequest(event.body);
    const view = await getIdentityService().identify(request, deadlineOf(context));
    return json(200, identityBody(view));
  },
  { jsonBody: true },
);
