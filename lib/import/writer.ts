/**
 * The bulk import's DynamoDB writer: sends the plan's transactions (lib/import/plan.ts), several
 * tasks in parallel, every item a Put under `attribute_not_exists` of its key, so the import never
 * overwrites anything, and tells the outcomes apart by the item a failed condition returns
 * (ReturnValuesOnConditionCheckFailure ALL_OLD):
 * - a contact with an id in the import's reserved range, or a claim by such a contact, is the
 *   import's own: the transaction committed in an earlier run (crash, Ctrl-C, lost response), and
 *   since a transaction is atomic it is done;
 * - anything else is a live contact's: those identities are left out (reported as conflicts, the
 *   rest of a packed transaction is re-sent) and a large identity's chunks already written are
 *   deleted again (only the items that are still the import's own).
 * Throttling and transaction conflicts are retried with backoff. Nothing about files or records.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientStorageError, WriteConflict } from '../errors';
import { translate } from '../store/dynamodb/errors';
import type { TableNames } from '../tables';
import type { ItemBuilder, PlannedPut, Task } from './plan';

const KEY_OF = { contacts: 'id', emails: 'email', phones: 'phone' } as const;
const MAX_TRANSIENT_RETRIES = 12;

export interface WriterOptions {
  db: DynamoDBDocumentClient;
  tables: TableNames;
  builder: ItemBuilder;
  /** The reserved id range, inclusive: any item with an id (or contactId) in it is the import's. */
  idRange: { first: number; last: number };
  concurrency: number;
  isDone(seq: number): boolean;
  markDone(seq: number): void;
  /** An identity left out because a live contact holds one of its values (in-memory primary id). */
  onConflict(primaryId: number): void;
  /** After each task: identities and items written by it (0 for work found done). */
  onTaskDone(identities: number, items: number): void;
  shouldStop(): boolean;
}

type Outcome = { kind: 'written' } | { kind: 'already' } | { kind: 'conflict'; failed: number[] };

export class ImportWriter {
  constructor(private readonly o: WriterOptions) {}

  /** Runs every task not yet done; returns false when stopped early (shouldStop). */
  async run(tasks: readonly Task[]): Promise<boolean> {
    let next = 0;
    let failure: unknown = null;
    const worker = async () => {
      while (failure === null && !this.o.shouldStop() && next < tasks.length) {
        const task = tasks[next++]!;
        try {
          await this.runTask(task);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency) }, worker));
    if (failure !== null) throw failure;
    return tasks.every((t) => t.transactions.every((x) => this.o.isDone(x.seq)));
  }

  private async runTask(task: Task): Promise<void> {
    if (task.transactions.every((t) => this.o.isDone(t.seq))) return;
    if (!task.large) return this.runPacked(task);
    const primaryId = task.transactions[0]!.identities[0]!;
    let items = 0;
    for (let i = 0; i < task.transactions.length; i++) {
      const t = task.transactions[i]!;
      if (this.o.isDone(t.seq)) continue;
      const puts = this.o.builder.putsFor(task, i);
      const outcome = await this.send(puts);
      if (outcome.kind === 'conflict') {
        await this.rollBack(this.o.builder.putsOf(primaryId));
        this.o.onConflict(primaryId);
        for (const x of task.transactions) this.o.markDone(x.seq);
        this.o.onTaskDone(0, 0);
        return;
      }
      if (outcome.kind === 'written') items += puts.length;
      this.o.markDone(t.seq);
    }
    this.o.onTaskDone(1, items);
  }

  private async runPacked(task: Task): Promise<void> {
    const t = task.transactions[0]!;
    let identities = [...t.identities];
    for (;;) {
      const groups = identities.map((id) => this.o.builder.putsOf(id));
      const puts = groups.flat();
      if (puts.length === 0) break;
      const outcome = await this.send(puts);
      if (outcome.kind === 'written') {
        this.o.markDone(t.seq);
        this.o.onTaskDone(identities.length, puts.length);
        return;
      }
      if (outcome.kind === 'already') break;
      // Leave out the identities a live contact conflicts with, and send the rest again.
      const owner: number[] = groups.flatMap((g, gi) => g.map(() => gi));
      const losing = new Set(outcome.failed.map((i) => owner[i]!));
      for (const gi of losing) this.o.onConflict(identities[gi]!);
      identities = identities.filter((_, gi) => !losing.has(gi));
    }
    this.o.markDone(t.seq);
    this.o.onTaskDone(0, 0);
  }

  /** One transaction of conditional Puts, retried on transient failures. */
  private async send(puts: PlannedPut[]): Promise<Outcome> {
    const input = {
      TransactItems: puts.map((p) => ({
        Put: {
          TableName: this.o.tables[p.table],
          Item: p.item,
          ConditionExpression: `attribute_not_exists(#key)`,
          ExpressionAttributeNames: { '#key': KEY_OF[p.table] },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      })),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.db.send(new TransactWriteCommand(input));
        return { kind: 'written' };
      } catch (error) {
        const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
        if (failed.length > 0) {
          for (const i of failed) {
            // The item is returned still marshalled ({N: "42"}); without it, read it.
            const raw = reasons[i]!.Item;
            const field = puts[i]!.table === 'contacts' ? 'id' : 'contactId';
            const owner = raw ? raw[field]?.N : (await this.read(puts[i]!))?.[field];
            if (owner !== undefined && this.isOurs(Number(owner))) return { kind: 'already' };
          }
          return { kind: 'conflict', failed };
        }
        const translated = translate(error);
        if (translated instanceof WriteConflict) throw new Error('a condition failed without reasons', { cause: error });
        if (!(translated instanceof TransientStorageError) || attempt > MAX_TRANSIENT_RETRIES) throw translated;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(2_000, 20 * 2 ** attempt)));
      }
    }
  }

  private isOurs(id: number): boolean {
    return id >= this.o.idRange.first && id <= this.o.idRange.last;
  }

  private async read(put: PlannedPut): Promise<Record<string, unknown> | undefined> {
    const key = KEY_OF[put.table];
    const Key = put.table === 'contacts' ? { bucket: put.item.bucket, id: put.item.id } : { [key]: put.item[key] };
    const out = await this.o.db.send(new GetCommand({ TableName: this.o.tables[put.table], Key, ConsistentRead: true }));
    return out.Item;
  }

  /** Deletes what a large identity's earlier chunks wrote, item by item, only while still the import's own. */
  private async rollBack(puts: PlannedPut[]): Promise<void> {
    for (const put of puts) {
      const key = KEY_OF[put.table];
      const contacts = put.table === 'contacts';
      try {
        await this.o.db.send(
          new DeleteCommand({
            TableName: this.o.tables[put.table],
            Key: contacts ? { bucket: put.item.bucket, id: put.item.id } : { [key]: put.item[key] },
            ConditionExpression: contacts ? 'attribute_exists(id)' : '#contact = :contact',
            ...(contacts ? {} : { ExpressionAttributeNames: { '#contact': 'contactId' }, ExpressionAttributeValues: { ':contact': put.item.contactId } }),
          }),
        );
      } catch (error) {
        if (!(translate(error) instanceof WriteConflict)) throw error;
      }
    }
  }
}
