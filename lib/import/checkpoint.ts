/**
 * The bulk import's checkpoint: a small JSON file next to the input (`<FILE>.import-state.json`
 * unless told otherwise) naming the file (SHA-256 of its bytes), the target tables, the id range
 * reserved on the Counters item, and which numbered transactions of the plan have committed (a
 * bitmap). It is replaced atomically (write, fsync, rename), at most every half second while
 * writing and at the end, so a crash loses at most the last half second of marks; the writer
 * recognises those transactions as already committed by their items. No DynamoDB here.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export interface CheckpointData {
  format: 1;
  sha256: string;
  target: string;
  /** Ids first..last (inclusive) were reserved for this import; in-memory id n is stored as n + first - 1. */
  idRange: { first: number; last: number } | null;
  transactions: number;
  /** Base64 bitmap of committed transactions, by plan sequence number. */
  done: string;
  /** In-memory primary ids of identities left out because a live contact claimed one of their values. */
  conflicts: number[];
  complete: boolean;
  startedAt: string;
  updatedAt: string;
}

const SAVE_INTERVAL_MS = 500;

export class Checkpoint {
  private bits: Uint8Array;
  private dirty = false;
  private lastSave = 0;

  private constructor(
    readonly path: string,
    readonly data: CheckpointData,
  ) {
    this.bits = new Uint8Array(Math.ceil(data.transactions / 8));
    if (data.done) this.bits.set(Buffer.from(data.done, 'base64').subarray(0, this.bits.length));
  }

  static load(path: string): Checkpoint | null {
    if (!existsSync(path)) return null;
    const data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointData;
    if (data.format !== 1) throw new Error(`${path}: unknown checkpoint format`);
    return new Checkpoint(path, data);
  }

  static create(path: string, init: Pick<CheckpointData, 'sha256' | 'target' | 'transactions'>): Checkpoint {
    const now = new Date().toISOString();
    const cp = new Checkpoint(path, { format: 1, ...init, idRange: null, done: '', conflicts: [], complete: false, startedAt: now, updatedAt: now });
    cp.save();
    return cp;
  }

  isDone(seq: number): boolean {
    return (this.bits[seq >> 3]! & (1 << (seq & 7))) !== 0;
  }

  markDone(seq: number): void {
    this.bits[seq >> 3]! |= 1 << (seq & 7);
    this.dirty = true;
    if (Date.now() - this.lastSave >= SAVE_INTERVAL_MS) this.save();
  }

  doneCount(): number {
    let n = 0;
    for (let seq = 0; seq < this.data.transactions; seq++) if (this.isDone(seq)) n++;
    return n;
  }

  /** Saved at once (rare): a rerun must still report an identity left out before a crash. */
  addConflict(primaryId: number): void {
    this.data.conflicts.push(primaryId);
    this.save();
  }

  /** Writes the file atomically: a crash leaves the old or the new version, never half of one. */
  save(): void {
    this.data.done = Buffer.from(this.bits).toString('base64');
    this.data.updatedAt = new Date().toISOString();
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(this.data, null, 1));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.dirty = false;
    this.lastSave = Date.now();
  }

  flush(): void {
    if (this.dirty) this.save();
  }
}
