/**
 * The admin side of the adapter: ordered, strongly consistent listings of the bucketed tables
 * (contacts by id, audit records by seq) and the audit log's numbering and writes. No erasure
 * here (erasure.ts) and no identity writes (identity-writes.ts).
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, Contact } from '../../model';
import type { TableNames } from '../../tables';
import type { Page } from '../index';
import { addToCounter, AUDIT_SEQ_COUNTER, CONTACT_ID_COUNTER, counterValue } from './counters';
import { call } from './errors';
import { auditPut, BUCKET_SIZE, toAuditEntry, toContact, type Item } from './items';
import { ignoringConflict } from './send';

/** Most Queries one page of a listing spends before it ends early (sparse or filtered data); every Query counts. */
const MAX_QUERIES_PER_PAGE = 25;

export async function listContacts(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  query: { afterId: number; limit: number; includeDeleted: boolean },
): Promise<Page<Contact>> {
  const page = await queryInOrder(db, tables, {
    table: tables.contacts,
    sortKey: 'id',
    counter: CONTACT_ID_COUNTER,
    after: query.afterId,
    limit: query.limit,
    filter: query.includeDeleted ? undefined : 'attribute_not_exists(deletedAt)',
  });
  return { items: page.items.map(toContact), hasMore: page.hasMore, resumeAfter: page.resumeAfter };
}

export async function listAudit(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  query: { afterSeq: number; limit: number },
): Promise<Page<AuditEntry>> {
  const page = await queryInOrder(db, tables, {
    table: tables.audit,
    sortKey: 'seq',
    counter: AUDIT_SEQ_COUNTER,
    after: query.afterSeq,
    limit: query.limit,
  });
  return { items: page.items.map(toAuditEntry), hasMore: page.hasMore, resumeAfter: page.resumeAfter };
}

/**
 * Items of a bucketed table (partition `bucket` = floor(key / BUCKET_SIZE), sort key `sortKey`)
 * with key > `after`, in key order: strongly consistent Queries, bucket after bucket, up to the
 * bucket of the counter's value (the highest key ever handed out; buckets may be empty because
 * reserved blocks can go unused). Reads one item beyond `limit` to know whether more exist.
 * A page spends at most MAX_QUERIES_PER_PAGE Queries, each one counted (the next page of one
 * bucket too): past that (long runs of empty buckets or of filtered-out rows) it ends early,
 * possibly short or empty, and the next page resumes after the last key it evaluated (the
 * Query's LastEvaluatedKey inside a bucket, or the end of the last bucket it finished).
 */
async function queryInOrder(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  q: { table: string; sortKey: string; counter: string; after: number; limit: number; filter?: string },
): Promise<{ items: Item[]; hasMore: boolean; resumeAfter: number | null }> {
  const highest = await counterValue(db, tables, q.counter);
  const items: Item[] = [];
  const lastBucket = Math.floor(highest / BUCKET_SIZE);
  let queries = 0;
  for (let bucket = Math.floor((q.after + 1) / BUCKET_SIZE); bucket <= lastBucket && items.length <= q.limit; bucket++) {
    let start: Item | undefined;
    do {
      if (queries >= MAX_QUERIES_PER_PAGE) {
        // Every item read so far has a key up to where the last Query stopped evaluating.
        const resumeAfter = start ? Number(start[q.sortKey]) : Math.max(q.after, bucket * BUCKET_SIZE - 1);
        return { items, hasMore: true, resumeAfter };
      }
      const wanted = q.limit + 1 - items.length;
      const out = await call(() =>
        db.send(
          new QueryCommand({
            TableName: q.table,
            KeyConditionExpression: '#bucket = :bucket AND #key > :after',
            FilterExpression: q.filter,
            ExpressionAttributeNames: { '#bucket': 'bucket', '#key': q.sortKey },
            ExpressionAttributeValues: { ':bucket': bucket, ':after': q.after },
            ConsistentRead: true,
            // With a filter, Limit counts items before filtering: read a little more per call.
            Limit: q.filter ? Math.min(BUCKET_SIZE, wanted * 2) : wanted,
            ExclusiveStartKey: start,
          }),
        ),
      );
      queries++;
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey as Item | undefined;
    } while (start && items.length <= q.limit);
  }
  const page = items.slice(0, q.limit);
  const hasMore = items.length > q.limit;
  return { items: page, hasMore, resumeAfter: hasMore ? Number(page.at(-1)![q.sortKey]) : null };
}

/**
 * The next audit sequence number: one atomic ADD on the counter. Reserved before the action, so
 * that the record can commit in the action's own transaction; a number whose action never
 * commits (a crash, the deadline, a refused write) leaves a gap.
 */
export function reserveAuditSeq(db: DynamoDBDocumentClient, tables: TableNames): Promise<number> {
  return addToCounter(db, tables, AUDIT_SEQ_COUNTER, 1);
}

/**
 * Writes an audit record under its number unless one is there already (written by an earlier
 * attempt of the same request, possibly in the action's transaction): the first record stays.
 */
export async function recordAudit(db: DynamoDBDocumentClient, tables: TableNames, entry: AuditEntry): Promise<void> {
  await ignoringConflict(() => db.send(new PutCommand(auditPut(tables, entry).Put)));
}
