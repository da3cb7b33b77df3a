/**
 * POST /checkout: the storefront's order. Validates the cart and contact, reconciles the customer
 * in process, records the order, answers only masked contact details (lib/checkout/service.ts).
 */
import type { Context } from 'aws-lambda';
import { getCheckoutService } from '../../lib/checkout/container';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(
  async (event: HttpEvent, context: Context) => {
    const answer = await getCheckoutService().checkout(event.body, deadlineOf(context));
    return json(200, answer);
  },
  { jsonBody: true },
);
