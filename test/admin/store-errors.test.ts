/**
 * Throttling on the admin listings (GET /contacts, GET /audit), which DynamoDB Local never produces,
 * injected with aws-sdk-client-mock on the DocumentClient and seen through the real handlers
 * (functions/admin-read, functions/admin-audit) as the Lambda runtime calls them: retried within
 * the invocation's remaining time, then 503 storage_unavailable with Retry-After, like every other
 * storage call (SPEC.md "Errors").
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localTableNames } from '../../lib/tables';
import { useMockedStorageEnvironment } from '../support/handler-env';
import { apiEvent, invoke, lambdaContext } from '../support/events';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLES = localTableNames('SecretPrefix_');

const throttled = () =>
  new ProvisionedThroughputExceededException({ $metadata: {}, message: `Throughput exceeds the current capacity for table ${TABLES.contacts}` });

/** A GET of an admin route as API Gateway passes it after its JWT authorizer accepted an admin's token. */
function adminGet(routeKey: 'GET /contacts' | 'GET /audit'): APIGatewayProxyEventV2 {
  const path = routeKey.slice(4);
  const event = apiEvent({ method: 'GET', path, routeKey });
  (event.requestContext as unknown as Record<string, unknown>).authorizer = {
    jwt: { claims: { sub: 'admin-sub-1', 'cognito:groups': '[admins]' }, scopes: null },
    principalId: '',
    integrationLatency: 0,
  };
  return event;
}

const contactItem = { bucket: 0, id: 1, email: 'doc@hillvalley.edu', linkPrecedence: 'primary', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', members: [], ver: 1 };
const auditItem = { bucket: 0, seq: 1, at: '2026-01-01T00:00:00.000Z', actor: 'admin-sub-1', action: 'identity.erase', contactIds: [1], primaryContactId: 1, changed: true };

let readHandler: unknown;
let auditHandler: unknown;
let restoreEnvironment: () => void;

beforeAll(async () => {
  restoreEnvironment = useMockedStorageEnvironment(TABLES);
  ({ handler: readHandler } = await import('../../functions/admin-read/index'));
  ({ handler: auditHandler } = await import('../../functions/admin-audit/index'));
});

afterAll(() => {
  restoreEnvironment();
  ddb.restore();
});

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({ Item: { name: 'counter', value: 1 } });
});

const cases = [
  { routeKey: 'GET /contacts' as const, handler: () => readHandler, item: contactItem, listKey: 'contacts' },
  { routeKey: 'GET /audit' as const, handler: () => auditHandler, item: auditItem, listKey: 'entries' },
];

describe.each(cases)('$routeKey under throttling', ({ routeKey, handler, item, listKey }) => {
  it('answers 503 storage_unavailable with Retry-After when the Queries stay throttled, after retrying', async () => {
    ddb.on(QueryCommand).rejects(throttled());
    const res = await invoke(handler(), adminGet(routeKey), lambdaContext(1_200));
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json).toEqual({ error: { code: 'storage_unavailable', message: expect.any(String), requestId: res.headers['x-request-id'] } });
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).not.toMatch(/SecretPrefix|Throughput/);
    expect(ddb.commandCalls(QueryCommand).length).toBeGreaterThan(1);
  });

  it('answers 503 when reading the counter stays throttled', async () => {
    ddb.on(GetCommand).rejects(throttled());
    const res = await invoke(handler(), adminGet(routeKey), lambdaContext(1_200));
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json.error.code).toBe('storage_unavailable');
  });

  it('answers 200 after a transient throttle', async () => {
    ddb.on(GetCommand).rejectsOnce(throttled()).resolves({ Item: { name: 'counter', value: 1 } });
    ddb.on(QueryCommand).rejectsOnce(throttled()).resolves({ Items: [item] });
    const res = await invoke(handler(), adminGet(routeKey), lambdaContext(10_000));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json[listKey]).toHaveLength(1);
    expect(res.json.nextCursor).toBeNull();
  });
});
