/**
 * How the adapter sends: BatchGetItem with unprocessed-key rounds, TransactWriteItems under one
 * ClientRequestToken (re-sent when the outcome is unknown), idempotent steps settled chunk by chunk,
 * and the small backoff, chunking and parallelism helpers. No item layout here (items.ts) and no
 * domain decisions (the operation files of this folder).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { TransientStorageError, WriteConflict } from '../../errors';
import { call, translate } from './errors';
import type { Item, TransactItem } from './items';

/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ACTIONS = 100;
/** DynamoDB's limit of keys in one BatchGetItem. */
export const MAX_BATCH_GET_KEYS = 100;
/** Parallel single-item writes when settling the steps of a large re-link or erasure one by one. */
const STEP_PARALLELISM = 16;
/** Parallel transactions (chunks of steps) when finishing a large re-link or erasure. */
export const STEP_CHUNK_PARALLELISM = 4;
/** Re-sends of a transaction whose outcome is unknown, under its original ClientRequestToken. */
const SAME_TOKEN_RETRIES = 8;
/** Re-sends of a chunk of re-link steps after transient failures. */
const STEP_RETRIES = 8;

export type BatchGetRequest = Record<string, { Keys: Item[]; ConsistentRead: true }>;

/** BatchGetItem, re-asking for unprocessed keys with a short backoff. */
export async function batchGet(db: DynamoDBDocumentClient, request: BatchGetRequest): Promise<Record<string, Item[]>> {
  const found: Record<string, Item[]> = {};
  let pending: BatchGetRequest | undefined = request;
  for (let round = 0; pending && Object.keys(pending).length > 0; round++) {
    if (round === 5) throw new TransientStorageError('throttled');
    if (round > 0) await sleep(shortBackoff(round));
    const out = await call(() => db.send(new BatchGetCommand({ RequestItems: pending })));
    for (const [table, items] of Object.entries(out.Responses ?? {})) {
      (found[table] ??= []).push(...(items as Item[]));
    }
    pending = out.UnprocessedKeys as BatchGetRequest | undefined;
  }
  return found;
}

/** Runs one write whose failed condition means "already done". */
export async function ignoringConflict(send: () => Promise<unknown>): Promise<void> {
  try {
    await call(send);
  } catch (error) {
    if (!(error instanceof WriteConflict)) throw error;
  }
}

/**
 * Applies idempotent conditional steps (re-links, hint moves) in one transaction. A step whose
 * condition fails is already done (by a crashed or concurrent helper, or by this transaction
 * when its response was lost): it is dropped and the rest re-sent, so every round that fails a
 * condition drops at least one step. Transient failures (TransactionConflict, throttling, lost
 * response) are re-sent after a short backoff, a bounded number of times, before giving up to
 * the request's own retry (which repairs again from the recorded re-link).
 */
export async function applySteps(db: DynamoDBDocumentClient, steps: TransactItem[]): Promise<void> {
  let pending = steps;
  for (let transient = 0; pending.length > 0; ) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: pending }));
      return;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      const done = reasons.map((r) => r.Code === 'ConditionalCheckFailed');
      if (done.length === pending.length && done.some(Boolean)) {
        pending = pending.filter((_, i) => !done[i]);
        continue;
      }
      const translated = translate(error);
      if (translated instanceof WriteConflict) {
        // A failed condition without usable reasons: settle the steps one by one, deletes first
        // (an erasure's claim deletes come before the removal of their entries from its marker).
        await runLimited(pending.filter((s) => s.Delete).map((s) => () => settle(db, s)), STEP_PARALLELISM);
        await runLimited(pending.filter((s) => !s.Delete).map((s) => () => settle(db, s)), STEP_PARALLELISM);
        return;
      }
      if (!(translated instanceof TransientStorageError) || ++transient > STEP_RETRIES) throw translated;
      await sleep(shortBackoff(transient));
    }
  }
}

/** One step of applySteps on its own; a failed condition means "already done". */
async function settle(db: DynamoDBDocumentClient, step: TransactItem): Promise<void> {
  if (step.Update) return update(db, step.Update as UpdateCommand['input']);
  if (step.Delete) return ignoringConflict(() => db.send(new DeleteCommand(step.Delete as DeleteCommand['input'])));
  throw new Error('settle: a step is an Update or a Delete');
}

/** A single conditional update whose failed condition means "already done". */
export async function update(db: DynamoDBDocumentClient, input: UpdateCommand['input']): Promise<void> {
  try {
    await call(() => db.send(new UpdateCommand(input)));
  } catch (error) {
    if (!(error instanceof WriteConflict)) throw error;
  }
}

/**
 * One TransactWriteItems under a ClientRequestToken of its own. When its outcome is unknown (the
 * response was lost, the call timed out, DynamoDB answered 5xx), the same transaction is sent
 * again with the same token: DynamoDB answers success without writing again if the first one
 * committed (tokens are honoured for 10 minutes), and otherwise runs it now, its conditions
 * checked now. Either way a success means "committed exactly once, from the state that was
 * read", so the caller's answer is exactly the state at commit, even after a lost response.
 */
export async function transact(db: DynamoDBDocumentClient, items: TransactItem[]): Promise<void> {
  const token = randomUUID();
  const send = () => call(() => db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token })));
  try {
    await send();
  } catch (error) {
    if (!(error instanceof TransientStorageError) || error.kind !== 'unavailable') throw error;
    for (let attempt = 1; ; attempt++) {
      await sleep(shortBackoff(attempt));
      try {
        await send();
        return;
      } catch (retryError) {
        // A failed condition means the first send did not commit: the caller re-reads.
        if (!(retryError instanceof TransientStorageError) || attempt >= SAME_TOKEN_RETRIES) throw retryError;
      }
    }
  }
}

/**
 * Full-jitter backoff for the store's own short retries (unprocessed keys, re-sends with the same
 * request token, re-link and erasure steps): random(0, min(200, 10 * 2^attempt)) ms. The service's
 * whole-attempt retries (lib/retry.ts) sit above these and are bounded by the request's deadline.
 */
function shortBackoff(attempt: number): number {
  return Math.random() * Math.min(200, 10 * 2 ** attempt);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export async function runLimited(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
