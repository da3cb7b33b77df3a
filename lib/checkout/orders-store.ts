/**
 * All DynamoDB access of the checkout: the Orders table (lib/tables.ts `orders`, key `orderId`).
 * Two kinds of item share the key space:
 *   - an order, `orderId` = the client's UUID: lines, total, normalised email and phone, the
 *     customer's primary id at the time, createdAt, the request's fingerprint and the answer;
 *   - a customer's order count, `orderId` = `customer#<contactId>`: `orders` (N), `orderIds` (SS).
 * An order and its count are written in one transaction; no GSI is read. The admin side (an
 * identity's orders, their erasure) is lib/checkout/customer-orders-store.ts, on the helpers
 * exported here (batchGet, call, customerKey). No HTTP here.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientStorageError, WriteConflict } from '../errors';
import type { OrderStore, StoredOrder } from './orders';

const CUSTOMER_PREFIX = 'customer#';
const BATCH_GET_LIMIT = 100;
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'ThrottlingError']);
const CONFLICTS = new Set(['TransactionConflict', 'TransactionConflictException', 'TransactionInProgressException']);

export function customerKey(customerId: number): string {
  return `${CUSTOMER_PREFIX}${customerId}`;
}

export class DynamoOrderStore implements OrderStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getOrder(orderId: string): Promise<StoredOrder | null> {
    const { Item } = await call(() => this.db.send(new GetCommand({ TableName: this.table, Key: { orderId }, ConsistentRead: true })));
    if (!Item || Item.kind !== 'order') return null;
    return {
      orderId: Item.orderId,
      orderNumber: Item.orderNumber,
      items: Item.items,
      total: Item.total,
      currency: Item.currency,
      email: Item.email ?? null,
      phoneNumber: Item.phoneNumber ?? null,
      customerId: Item.customerId,
      createdAt: Item.createdAt,
      fingerprint: Item.fingerprint,
      response: JSON.parse(Item.response),
    };
  }

  async orderCounts(customerIds: readonly number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    const items = await batchGet(this.db, this.table, [...new Set(customerIds)].map(customerKey), ['orderId', 'orders']);
    for (const item of items) counts.set(Number(String(item.orderId).slice(CUSTOMER_PREFIX.length)), Number(item.orders ?? 0));
    return counts;
  }

  async recordOrder(order: StoredOrder, previousCount: number): Promise<void> {
    const { response, ...fields } = order;
    // A re-send of the same attempt (the SDK's own retries) is idempotent through the token; a new
    // attempt (another previousCount) gets another token.
    const token = createHash('sha256').update(`${order.orderId}|${order.customerId}|${previousCount}`).digest('hex').slice(0, 36);
    await call(() =>
      this.db.send(
        new TransactWriteCommand({
          ClientRequestToken: token,
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...fields, kind: 'order', response: JSON.stringify(response) },
                ConditionExpression: 'attribute_not_exists(orderId)',
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: { orderId: customerKey(order.customerId) },
                UpdateExpression: 'SET orders = :next, kind = :kind ADD orderIds :ids',
                ConditionExpression: previousCount === 0 ? 'attribute_not_exists(orders)' : 'orders = :previous',
                ExpressionAttributeValues: {
                  ':next': previousCount + 1,
                  ':kind': 'customerOrders',
                  ':ids': new Set([order.orderId]),
                  ...(previousCount === 0 ? {} : { ':previous': previousCount }),
                },
              },
            },
          ],
        }),
      ),
    );
  }
}

/** Strongly consistent BatchGetItem of any number of keys (100 a call, unprocessed keys retried). */
export async function batchGet(
db: DynamoDBDocumentClient,
table: string,
ids: readonly string[],
attributes: readonly string[],
): Promise<Record<string, unknown>[]> {
  // Every attribute through a name placeholder: several (items, total, response) are reserved words.
  const names = Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name]));
  const projection = Object.keys(names).join(', ');
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH_GET_LIMIT) chunks.push(ids.slice(i, i + BATCH_GET_LIMIT));
  const found: Record<string, unknown>[] = [];
  await Promise.all(
    chunks.map(async (chunk) => {
      let keys: Record<string, unknown>[] = chunk.map((orderId) => ({ orderId }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
        if (attempt > 8) throw new TransientStorageError('throttled');
        const answer = await call(() =>
          db.send(
            new BatchGetCommand({
              RequestItems: {
                [table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: projection, ExpressionAttributeNames: names },
              },
            }),
          ),
        );
        found.push(...(answer.Responses?.[table] ?? []));
        keys = (answer.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }),
  );
  return found;
}

/** Runs one call; a failed condition becomes WriteConflict, a retryable failure TransientStorageError. */
export async function call<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translate(error);
  }
}

function translate(error: unknown): unknown {
  if (error instanceof TransactionCanceledException) {
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    if (codes.includes('ConditionalCheckFailed')) return new WriteConflict('order condition failed');
    if (codes.some((c) => CONFLICTS.has(c))) return new TransientStorageError('conflict', { cause: error });
    if (codes.some((c) => THROTTLING.has(c))) return new TransientStorageError('throttled', { cause: error });
    return error;
  }
  if (error instanceof ConditionalCheckFailedException) return new WriteConflict('order condition failed');
  if (!(error instanceof Error)) return error;
  if (THROTTLING.has(error.name)) return new TransientStorageError('throttled', { cause: error });
  if (CONFLICTS.has(error.name)) return new TransientStorageError('conflict', { cause: error });
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  if (
    (status !== undefined && status >= 500) ||
    error.name === 'TimeoutError' ||
    error.name === 'LostResponseError' ||
    (code !== undefined && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(code))
  ) {
    return new TransientStorageError('unavailable', { cause: error });
  }
  return error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
