/**
 * Capacity units from DynamoDB's documented formulas, because DynamoDB Local under-reports the
 * ConsumedCapacity of transactions (docs: "DynamoDB item sizes and formats", "Read/write capacity
 * mode", "Managing capacity for transactions").
 *
 * Item size = sum over attributes of (UTF-8 bytes of the name + size of the value):
 *   S: UTF-8 bytes; N: 1 byte per two significant digits + 1; B: raw bytes; BOOL/NULL: 1;
 *   L/M: 3 bytes + for each element 1 byte + its size (a map element also counts its key name);
 *   SS/NS/BS: sum of the element sizes.
 * Reads (strongly consistent; BatchGetItem is charged per item): max(1, ceil(size / 4 KB)) RCU
 *   per key asked, 1 RCU for a key that is not found.
 * Standard writes (PutItem, UpdateItem, DeleteItem): ceil(size / 1 KB) WCU, at least 1; an update
 *   is charged on the larger of the item's size before and after it.
 * Transactional writes: twice that, for every action of the transaction (Put, Update, Delete,
 *   ConditionCheck).
 */
import type { SentRequest } from '../../lib/metrics';

type AV = Record<string, unknown>;
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Size of one marshalled attribute value ({S: ...}, {N: ...}, {L: [...]}, ...). */
export function valueSize(value: AV): number {
  const [type, v] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(v as string);
    case 'N':
      return numberSize(v as string);
    case 'B':
      return typeof v === 'string' ? Buffer.from(v, 'base64').length : (v as Uint8Array).length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'L':
      return 3 + (v as AV[]).reduce((sum, e) => sum + 1 + valueSize(e), 0);
    case 'M':
      return 3 + Object.entries(v as Record<string, AV>).reduce((sum, [k, e]) => sum + 1 + utf8(k) + valueSize(e), 0);
    case 'SS':
      return (v as string[]).reduce((sum, e) => sum + utf8(e), 0);
    case 'NS':
      return (v as string[]).reduce((sum, e) => sum + numberSize(e), 0);
    case 'BS':
      return (v as string[]).reduce((sum, e) => sum + Buffer.from(e, 'base64').length, 0);
    default:
      return 0;
  }
}

/** Size of a marshalled item. */
export function itemSize(item: Record<string, AV>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/** Marshals a native JS value the way lib-dynamodb does (numbers to N, arrays to L, objects to M). */
export function marshalValue(value: unknown): AV {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number' || typeof value === 'bigint') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value instanceof Uint8Array) return { B: value };
  if (value instanceof Set) {
    const first = [...value][0];
    return typeof first === 'number' ? { NS: [...value].map(String) } : { SS: [...value] };
  }
  if (Array.isArray(value)) return { L: value.map(marshalValue) };
  return {
    M: Object.fromEntries(
      Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => [k, marshalValue(v)]),
    ),
  };
}

export function marshalItem(item: Record<string, unknown>): Record<string, AV> {
  return (marshalValue(item) as { M: Record<string, AV> }).M;
}

/** Names of the key attributes of each physical table. */
export type KeySchemas = Record<string, string[]>;

/** A stable string for an item's key: "table|name=value|...". */
export function keyString(table: string, item: Record<string, unknown>, schemas: KeySchemas): string {
  const names = schemas[table] ?? [];
  return [table, ...names.map((n) => `${n}=${JSON.stringify(item[n])}`)].join('|');
}

export interface Capacity {
  rcu: number;
  wcu: number;
}

export interface WriteTarget {
  table: string;
  key: Record<string, AV>;
}

interface TransactAction {
  Put?: { TableName: string; Item: Record<string, AV> };
  Update?: { TableName: string; Key: Record<string, AV> };
  Delete?: { TableName: string; Key: Record<string, AV> };
  ConditionCheck?: { TableName: string; Key: Record<string, AV> };
}

/** The items a request's writes touch (to read their sizes after the request). */
export function writeTargets(sent: readonly SentRequest[]): WriteTarget[] {
  const targets: WriteTarget[] = [];
  for (const s of sent) {
    const body = JSON.parse(s.body || '{}');
    if (s.operation === 'TransactWriteItems') {
      for (const a of body.TransactItems as TransactAction[]) {
        const op = a.Update ?? a.Delete ?? a.ConditionCheck;
        if (op) targets.push({ table: op.TableName, key: op.Key });
      }
    } else if (s.operation === 'UpdateItem' || s.operation === 'DeleteItem') {
      targets.push({ table: body.TableName, key: body.Key });
    }
  }
  return targets;
}

/**
 * Capacity units of one /identify request from the requests it sent. `sizeAfter` gives the size
 * of an item after the request (read by the benchmark once the request has answered); the size
 * before an update is the size the request itself read, or else taken to equal the size after
 * (re-links and claim-hint updates change a number to one of the same length).
 */
export function capacityOf(
  sent: readonly SentRequest[],
  schemas: KeySchemas,
  sizeAfter: (key: string) => number | undefined,
): Capacity {
  const sizeRead = new Map<string, number>();
  let rcu = 0;
  let wcu = 0;
  const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
  const updateSize = (table: string, key: Record<string, AV>) => {
    const k = keyString(table, key, schemas);
    const before = sizeRead.get(k);
    const after = sizeAfter(k);
    return Math.max(before ?? after ?? 0, after ?? before ?? 0);
  };
  for (const s of sent) {
    const body = JSON.parse(s.body || '{}');
    switch (s.operation) {
      case 'BatchGetItem': {
        const responses = ((s.output as { Responses?: Record<string, Record<string, unknown>[]> } | undefined)
          ?.Responses ?? {});
        const unprocessed = (s.output as { UnprocessedKeys?: Record<string, { Keys: unknown[] }> } | undefined)?.UnprocessedKeys ?? {};
        for (const [table, items] of Object.entries(responses)) {
          for (const item of items) sizeRead.set(keyString(table, marshalItem(item), schemas), itemSize(marshalItem(item)));
        }
        for (const [table, request] of Object.entries(body.RequestItems as Record<string, { Keys: Record<string, AV>[]; ConsistentRead?: boolean }>)) {
          const skipped = unprocessed[table]?.Keys.length ?? 0;
          const found = (responses[table] ?? []).map((item) => itemSize(marshalItem(item)));
          const missing = Math.max(0, request.Keys.length - skipped - found.length);
          const units = found.reduce((sum, size) => sum + Math.max(1, Math.ceil(size / 4096)), 0) + missing;
          rcu += request.ConsistentRead ? units : units / 2;
        }
        break;
      }
      case 'GetItem': {
        const item = (s.output as { Item?: Record<string, unknown> } | undefined)?.Item;
        const units = item ? Math.max(1, Math.ceil(itemSize(marshalItem(item)) / 4096)) : 1;
        rcu += body.ConsistentRead ? units : units / 2;
        break;
      }
      case 'TransactWriteItems':
        for (const a of body.TransactItems as TransactAction[]) {
          if (a.Put) wcu += 2 * kb(itemSize(a.Put.Item));
          const op = a.Update ?? a.Delete ?? a.ConditionCheck;
          if (op) wcu += 2 * kb(updateSize(op.TableName, op.Key));
        }
        break;
      case 'PutItem':
        wcu += kb(itemSize(body.Item));
        break;
      case 'UpdateItem':
      case 'DeleteItem':
        wcu += kb(updateSize(body.TableName, body.Key));
        break;
      default:
        break;
    }
  }
  return { rcu, wcu };
}
