/** JSON responses in the API Gateway HTTP API (payload 2.0) result shape. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { IdentityView } from '../model';

export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/**
 * {"contact": {...}} as /identify answers it (and the admin identity routes, with `extra` fields).
 * `primaryContatctId` is the deprecated alias kept from the original task statement.
 */
export function identityBody<T extends object = object>(view: IdentityView, extra?: T) {
  return {
    contact: {
      primaryContactId: view.primaryContactId,
      primaryContatctId: view.primaryContactId,
      emails: view.emails,
      phoneNumbers: view.phoneNumbers,
      secondaryContactIds: view.secondaryContactIds,
      ...extra,
    } as IdentityView & { primaryContatctId: number } & T,
  };
}
