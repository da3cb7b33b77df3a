/**
 * Service instances for the concurrency tests: each call is a separate "function instance" with
 * its own DynamoDB client (as a new Lambda container has), optionally with injected faults under
 * a seeded random source, a smaller transaction limit (to reach the re-link path with small
 * identities), a deterministic clock, or a simulated crash.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/dynamo-client';
import { DynamoContactStore, MAX_TRANSACTION_ACTIONS } from '../../lib/store/dynamodb';
import { addFaultInjection, type FaultConfig } from '../../lib/faults';
import { IdentityService } from '../../lib/identity-service';
import type { RetryOptions } from '../../lib/retry';
import type { TestTables } from './dynamo';

const WRITES = new Set(['TransactWriteItemsCommand', 'UpdateItemCommand', 'PutItemCommand', 'DeleteItemCommand']);

/** What the crashed "process" throws for every DynamoDB call once it is dead. */
export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash: this instance is dead');
    this.name = 'SimulatedCrash';
  }
}

export interface CrashSwitch {
  /** Writes sent so far (including the one whose response the crash swallowed). */
  writes(): number;
  crashed(): boolean;
}

/**
 * Kills the instance at its `afterWrites`-th write: with 0, before the first write is sent;
 * with n >= 1, right after the n-th write committed (its response is lost with the process).
 * Every later call of the instance, read or write, throws SimulatedCrash.
 */
export function addCrash(db: DynamoDBDocumentClient, afterWrites: number): CrashSwitch {
  let writes = 0;
  let dead = false;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (dead) throw new SimulatedCrash();
      if (!WRITES.has(context.commandName ?? '')) return next(args);
      if (writes >= afterWrites) {
        dead = true;
        throw new SimulatedCrash();
      }
      writes++;
      const result = await next(args);
      if (writes >= afterWrites) {
        dead = true;
        throw new SimulatedCrash();
      }
      return result;
    },
    { step: 'initialize', priority: 'high', name: 'simulatedCrash' },
  );
  return { writes: () => writes, crashed: () => dead };
}

/** Counts write calls (to know how many crash points an operation has). */
export function countWrites(db: DynamoDBDocumentClient): () => number {
  let writes = 0;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(context.commandName ?? '')) writes++;
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'writeCounter' },
  );
  return () => writes;
}

/** A deterministic random source, for reproducible fault injection. */
export { seededRandom } from '../../scripts/seeded-random';

/** A clock that moves 1 ms forward on every reading: createdAt order = order of creation. */
export function steppingClock(start = Date.parse('2026-01-01T00:00:00.000Z')): () => Date {
  let t = start;
  return () => new Date(t++);
}

export interface InstanceOptions {
  faults?: FaultConfig;
  /** Random source of the fault injection (seeded for reproducible runs). */
  random?: () => number;
  maxTransactionActions?: number;
  clock?: () => Date;
  /** Simulated crash; see addCrash. */
  crashAfterWrites?: number;
  idBlockSize?: number;
  retry?: RetryOptions;
}

export function instance(t: TestTables, options: InstanceOptions = {}) {
  const config = t.config({ idBlockSize: options.idBlockSize ?? 50 });
  const db = createDocumentClient(config);
  if (options.faults) addFaultInjection(db, options.faults, options.random);
  const crash = options.crashAfterWrites === undefined ? null : addCrash(db, options.crashAfterWrites);
  const writes = countWrites(db);
  const store = new DynamoContactStore(
    db,
    config.tables,
    config.idBlockSize,
    options.maxTransactionActions ?? MAX_TRANSACTION_ACTIONS,
  );
  const service = new IdentityService(store, { clock: options.clock, retry: options.retry });
  return { db, store, service, crash, writes, destroy: () => db.destroy() };
}
