/**
 * The local stand-in for Lambda's DynamoDB Streams event source: it reads a table's stream on
 * DynamoDB Local (DescribeStream, GetShardIterator, GetRecords), follows its shards (a child shard
 * after its parent), hands each batch of records to a handler that answers with a partial batch
 * response (lib/events/stream.ts, as the Lambda does), and retries from the first failed record.
 * With a checkpoint file it resumes after the last record handled (npm start with persisted data);
 * without, it starts at the oldest record of the stream (TRIM_HORIZON).
 * No event logic here: the handler is passed in.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BatchResponse, ChangeStreamRecord } from '../events/stream';

export interface StreamPollerOptions {
  endpoint: string;
  region?: string;
  tableName: string;
  handle: (records: ChangeStreamRecord[]) => Promise<BatchResponse>;
  /** JSON file keeping the last handled sequence number per shard; none: start at TRIM_HORIZON. */
  checkpointFile?: string | null;
  /** Pause after a pass that read nothing. @default 100 ms */
  idleMs?: number;
  onError?: (message: string, error: unknown) => void;
}

interface ShardState {
  id: string;
  parentId: string | undefined;
  iterator: string | undefined;
  /** The shard is closed and read to its end. */
  done: boolean;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private checkpoints: Record<string, string> = {};
  private streamArn: string | undefined;
  private running = false;
  private loop: Promise<void> | null = null;
  private passes = 0;
  private waiters: Array<{ after: number; resolve: () => void }> = [];

  constructor(private readonly options: StreamPollerOptions) {
    const region = options.region ?? 'us-east-1';
    this.streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region, credentials });
  }

  async start(): Promise<void> {
    const dynamo = new DynamoDBClient({ endpoint: this.options.endpoint, region: this.options.region ?? 'us-east-1', credentials });
    try {
      const out = await dynamo.send(new DescribeTableCommand({ TableName: this.options.tableName }));
      this.streamArn = out.Table?.LatestStreamArn;
    } finally {
      dynamo.destroy();
    }
    if (!this.streamArn) throw new Error(`table ${this.options.tableName} has no stream`);
    this.checkpoints = this.readCheckpoints();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.streams.destroy();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  /** Resolves after a complete pass, begun after this call, found no new record: all handled. */
  idle(): Promise<void> {
    const after = this.passes;
    return new Promise((resolve) => this.waiters.push({ after, resolve }));
  }

  private async run(): Promise<void> {
    let lastDiscovery = 0;
    while (this.running) {
      const pass = ++this.passes;
      let read = 0;
      try {
        // Someone waiting for idle(): look for new shards in this very pass.
        if (this.waiters.length > 0 || Date.now() - lastDiscovery > 1_000 || [...this.shards.values()].every((s) => s.done)) {
          await this.discover();
          lastDiscovery = Date.now();
        }
        for (const shard of this.shards.values()) {
          if (!this.running) break;
          if (shard.done || !this.parentDone(shard)) continue;
          read += await this.readShard(shard);
        }
      } catch (error) {
        this.options.onError?.('stream poller: pass failed', error);
        read = -1;
        await sleep(500);
      }
      if (read === 0) {
        this.waiters = this.waiters.filter((w) => {
          if (pass > w.after) w.resolve();
          return pass <= w.after;
        });
        await sleep(this.options.idleMs ?? 100);
      } else {
        await sleep(20); // a busy stream: still leave the CPU to DynamoDB Local and the requests
      }
    }
  }

  private parentDone(shard: ShardState): boolean {
    const parent = shard.parentId ? this.shards.get(shard.parentId) : undefined;
    return !parent || parent.done;
  }

  private async discover(): Promise<void> {
    let start: string | undefined;
    const found: Shard[] = [];
    do {
      const out = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      found.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of found) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      this.shards.set(shard.ShardId, { id: shard.ShardId, parentId: shard.ParentShardId, iterator: undefined, done: false });
    }
  }

  /** Reads one page of a shard and handles it; answers the number of records read. */
  private async readShard(shard: ShardState): Promise<number> {
    const out = await this.getRecords(shard);
    const records = (out.Records ?? []) as _Record[];
    if (records.length > 0) {
      const response = await this.options.handle(records as ChangeStreamRecord[]);
      const failed = response.batchItemFailures[0]?.itemIdentifier;
      if (failed !== undefined) {
        // As Lambda does: retry from the first failed record (after a pause).
        const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
        if (index > 0) this.checkpoint(shard.id, records[index - 1]!.dynamodb!.SequenceNumber!);
        shard.iterator = await this.iteratorFor(shard.id, undefined, failed);
        await sleep(200);
        return records.length;
      }
      this.checkpoint(shard.id, records.at(-1)!.dynamodb!.SequenceNumber!);
    }
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) shard.done = true;
    return records.length;
  }

  /**
   * One GetRecords call. An iterator that is refused (TrimmedDataAccessException,
   * ExpiredIteratorException) is replaced at once by a fresh one from the checkpoint and the read
   * is retried in the same pass: such a pass must not count as one that found nothing, or idle()
   * resolves before records that are in the shard are read. DynamoDB Local refuses, as trimmed, the
   * iterator an empty read of an empty shard hands back once other tables' writes have moved its
   * sequence numbers on (checked on 11.1.0), which is the normal case for a fresh table.
   */
  private async getRecords(shard: ShardState) {
    for (let attempt = 1; ; attempt++) {
      shard.iterator ??= await this.iteratorFor(shard.id, attempt > 2 ? undefined : this.checkpoints[shard.id]);
      try {
        return await this.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
      } catch (error) {
        shard.iterator = undefined;
        if (!(error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException)) throw error;
        if (attempt >= 3) throw error;
        if (attempt === 2 && error instanceof TrimmedDataAccessException && this.checkpoints[shard.id] !== undefined) {
          // The checkpointed record itself is past the stream's retention: what followed it is lost.
          this.options.onError?.(`stream poller: shard ${shard.id} trimmed past its checkpoint, reading from its oldest record`, error);
        }
      }
    }
  }

  private async iteratorFor(shardId: string, after: string | undefined, at?: string): Promise<string> {
    const out = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ...(at
          ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: at }
          : after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator!;
  }

  private checkpoint(shardId: string, sequenceNumber: string): void {
    this.checkpoints[shardId] = sequenceNumber;
    if (this.options.checkpointFile) {
      writeFileSync(this.options.checkpointFile, JSON.stringify({ streamArn: this.streamArn, shards: this.checkpoints }));
    }
  }

  private readCheckpoints(): Record<string, string> {
    const file = this.options.checkpointFile;
    if (!file || !existsSync(file)) return {};
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { streamArn?: string; shards?: Record<string, string> };
      // A table created again has a new stream: its old positions mean nothing.
      return saved.streamArn === this.streamArn ? (saved.shards ?? {}) : {};
    } catch {
      return {};
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
