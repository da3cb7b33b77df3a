/**
 * The storage floor of a request: the minimal DynamoDB calls its case needs, built from the
 * requests the service actually sent for it and replayed with a raw low-level client against a
 * copy of the same data in the same DynamoDB Local (no HTTP API, no Lambda handler, no SDK
 * document layer). Minimal means:
 *   - the first BatchGetItem as sent (the claims of the email and phone);
 *   - one BatchGetItem of every other item the request read (the primaries), if any;
 *   - every item the request wrote, once, as TransactWriteItems of at most 100 actions: the first
 *     one alone, any further ones in parallel after it (id-block refills left out).
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type DynamoDBClient,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { SentRequest } from '../../lib/metrics';
import { keyString, type KeySchemas } from './capacity';

type AV = Record<string, AttributeValue>;
type TransactItem = NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number];

export interface FloorPlan {
  reads: BatchGetItemCommandInput[];
  writes: TransactWriteItemsCommandInput[];
}

export function describePlan(plan: FloorPlan): string {
  const parts = [`${plan.reads.length} BatchGetItem`];
  if (plan.writes.length > 0) {
    const actions = plan.writes.map((w) => w.TransactItems!.length).join('+');
    parts.push(`${plan.writes.length} TransactWriteItems (${actions} items)`);
  }
  return parts.join(' + ');
}

/**
 * The floor plan of one request from what it sent; `rename` maps the service's table names to the
 * floor copy's, `skipTables` are left out (the id counter).
 */
export function floorPlan(
  sent: readonly SentRequest[],
  schemas: KeySchemas,
  rename: (table: string) => string,
  skipTables: ReadonlySet<string>,
): FloorPlan {
  const ok = sent.filter((s) => s.error === undefined);
  const reads: BatchGetItemCommandInput[] = [];
  const gets = ok.filter((s) => s.operation === 'BatchGetItem').map((s) => JSON.parse(s.body));
  if (gets[0]) reads.push({ RequestItems: renameKeys(gets[0].RequestItems, rename) });
  const later = new Map<string, { table: string; key: AV }>();
  for (const body of gets.slice(1)) {
    for (const [table, req] of Object.entries(body.RequestItems as Record<string, { Keys: AV[] }>)) {
      for (const key of req.Keys) later.set(keyString(table, key, schemas), { table, key });
    }
  }
  const laterKeys = [...later.values()];
  for (let i = 0; i < laterKeys.length; i += 100) {
    const requestItems: NonNullable<BatchGetItemCommandInput['RequestItems']> = {};
    for (const { table, key } of laterKeys.slice(i, i + 100)) {
      (requestItems[rename(table)] ??= { Keys: [], ConsistentRead: true }).Keys!.push(key);
    }
    reads.push({ RequestItems: requestItems });
  }

  const actions = new Map<string, TransactItem>();
  const add = (table: string, key: AV, action: TransactItem) => {
    if (skipTables.has(table)) return;
    const k = keyString(table, key, schemas);
    if (!actions.has(k)) actions.set(k, action);
  };
  for (const s of ok) {
    const body = JSON.parse(s.body);
    if (s.operation === 'TransactWriteItems') {
      for (const a of body.TransactItems as TransactItem[]) {
        if (a.Put) add(a.Put.TableName!, a.Put.Item!, { Put: { ...a.Put, TableName: rename(a.Put.TableName!) } });
        if (a.Update) add(a.Update.TableName!, a.Update.Key!, { Update: { ...a.Update, TableName: rename(a.Update.TableName!) } });
        if (a.Delete) add(a.Delete.TableName!, a.Delete.Key!, { Delete: { ...a.Delete, TableName: rename(a.Delete.TableName!) } });
        if (a.ConditionCheck) {
          const c = a.ConditionCheck;
          add(c.TableName!, c.Key!, { ConditionCheck: { ...c, TableName: rename(c.TableName!) } });
        }
      }
    } else if (s.operation === 'UpdateItem') {
      const { TableName, Key, UpdateExpression, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = body;
      add(TableName, Key, {
        Update: { TableName: rename(TableName), Key, UpdateExpression, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues },
      });
    } else if (s.operation === 'PutItem') {
      const { TableName, Item, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = body;
      add(TableName, Item, { Put: { TableName: rename(TableName), Item, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } });
    } else if (s.operation === 'DeleteItem') {
      const { TableName, Key, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = body;
      add(TableName, Key, { Delete: { TableName: rename(TableName), Key, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } });
    }
  }
  const all = [...actions.values()];
  const writes: TransactWriteItemsCommandInput[] = [];
  for (let i = 0; i < all.length; i += 100) writes.push({ TransactItems: all.slice(i, i + 100) });
  return { reads, writes };
}

function renameKeys<T>(record: Record<string, T>, rename: (table: string) => string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([table, value]) => [rename(table), value]));
}

/** Runs a floor plan; returns its latency in ms, or throws if a call failed. */
export async function runFloor(client: DynamoDBClient, plan: FloorPlan): Promise<number> {
  const started = performance.now();
  for (const read of plan.reads) await client.send(new BatchGetItemCommand(read));
  const [first, ...rest] = plan.writes;
  if (first) await client.send(new TransactWriteItemsCommand(first));
  await Promise.all(rest.map((w) => client.send(new TransactWriteItemsCommand(w))));
  return performance.now() - started;
}

/** Copies every item of `from` into `to` (the floor's copy of the service's data). */
export async function copyTable(client: DynamoDBClient, from: string, to: string): Promise<number> {
  let start: AV | undefined;
  let copied = 0;
  const pending: Promise<unknown>[] = [];
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: start }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      pending.push(writeAll(client, to, items.slice(i, i + 25)));
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
    copied += items.length;
    start = page.LastEvaluatedKey;
  } while (start);
  await Promise.all(pending);
  return copied;
}

async function writeAll(client: DynamoDBClient, table: string, items: AV[]): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let round = 0; requests.length > 0; round++) {
    if (round === 10) throw new Error(`copy to ${table}: unprocessed items`);
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
    requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
  }
}
