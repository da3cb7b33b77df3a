/**
 * Admin reads (never write): GET /contacts, GET /contacts/{id}, GET /identities/{contactId},
 * GET /identities/{contactId}/orders, POST /identities/lookup {email?, phoneNumber?} (the lookup by
 * value has no GET form: no email or phone in a URL). Admins only: the API's JWT authorizer checks the token, and the
 * `adminOnly` middleware checks the claims again (lib/auth.ts).
 */
import type { Context } from 'aws-lambda';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { parseListQuery, parseLookupBody, parsePathContactId } from '../../lib/admin-params';
import { row } from '../../lib/admin-reads';
import { getIdentityOrders } from '../../lib/admin-orders-container';
import { getAdminReads } from '../../lib/container';
import { NotFoundError } from '../../lib/errors';
import { identityBody } from '../../lib/http/response';
import { identityDetailsResponse, nextCursor } from '../../lib/http/admin';
import { deadlineOf, httpHandler, type HttpEvent } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

/** The only route of this function with a body: parsed (and its errors mapped) as every JSON route's. */
const parseJsonBody = httpJsonBodyParser().before as (request: { event: HttpEvent }) => void;

export const handler = httpHandler(async (event: HttpEvent, context: Context) => {
  const admin = getAdminReads();
  const query = event.queryStringParameters;
  switch (event.routeKey) {
    case 'GET /contacts': {
      const page = await admin.listContacts(parseListQuery(query), deadlineOf(context));
      return json(200, {
        contacts: page.items.map(row),
        nextCursor: nextCursor('contacts', page),
      });
    }
    case 'GET /contacts/{id}': {
      const id = parsePathContactId(event.pathParameters, 'id');
      return json(200, { contact: row(await admin.getContact(id, deadlineOf(context))) });
    }
    case 'GET /identities/{contactId}': {
      const id = parsePathContactId(event.pathParameters, 'contactId');
      return json(200, identityDetailsResponse(await admin.identityByContact(id, deadlineOf(context))));
    }
    case 'GET /identities/{contactId}/orders': {
      const id = parsePathContactId(event.pathParameters, 'contactId');
      return json(200, { orders: await getIdentityOrders().ordersOf(id, deadlineOf(context)) });
    }
    case 'POST /identities/lookup': {
      parseJsonBody({ event });
      const found = await admin.identitiesByValues(parseLookupBody(event.body), deadlineOf(context));
      return json(200, { identities: found.map(({ view, contacts }) => identityBody(view, { contacts }).contact) });
    }
    default:
      throw new NotFoundError('No such route.', 'route_not_found');
  }
}, { adminOnly: true });
