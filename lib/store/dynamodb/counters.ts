/**
 * The Counters table: contact ids reserved in blocks with one atomic ADD, the audit sequence, and
 * the consistent read of a counter that bounds the listings. Nothing else reads or writes Counters.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../tables';
import { call } from './errors';

export const CONTACT_ID_COUNTER = 'contactId';
/** Counters item that numbers the audit log. */
export const AUDIT_SEQ_COUNTER = 'auditSeq';

/**
 * Ids come from blocks reserved with one atomic ADD on the counter item, so the counter is
 * written once per block, not once per contact. An ADD retried after a lost response burns
 * a block; ids stay unique. One allocator per store instance (its block is this instance's).
 */
export class IdBlocks {
  private block: { next: number; end: number } = { next: 0, end: 0 };
  private refill: Promise<void> | null = null;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly blockSize: number,
  ) {}

  async next(): Promise<number> {
    while (this.block.next > this.block.end || this.block.next === 0) {
      this.refill ??= this.reserveBlock().finally(() => {
        this.refill = null;
      });
      await this.refill;
    }
    return this.block.next++;
  }

  private async reserveBlock(): Promise<void> {
    const end = await addToCounter(this.db, this.tables, CONTACT_ID_COUNTER, this.blockSize);
    this.block = { next: end - this.blockSize + 1, end };
  }
}

/** One atomic ADD on a Counters item; returns the new value (the top of the reserved range). */
export async function addToCounter(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  name: string,
  amount: number,
): Promise<number> {
  const out = await call(() =>
    db.send(
      new UpdateCommand({
        TableName: tables.counters,
        Key: { name },
        UpdateExpression: 'ADD #value :amount',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':amount': amount },
        ReturnValues: 'UPDATED_NEW',
      }),
    ),
  );
  return Number(out.Attributes?.value);
}

/** A counter's current value, strongly consistent (0 when it was never written). */
export async function counterValue(db: DynamoDBDocumentClient, tables: TableNames, name: string): Promise<number> {
  const out = await call(() => db.send(new GetCommand({ TableName: tables.counters, Key: { name }, ConsistentRead: true })));
  return Number(out.Item?.value ?? 0);
}
