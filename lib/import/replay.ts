/**
 * The import's computation: replays the valid records one by one through the real identity
 * service (lib/identity-service.ts, and so the rules of lib/reconcile.ts) over the in-memory store,
 * in createdAt order (ties in file order), with each record's createdAt as the service's clock.
 * The result is exactly what /identify would have built from the same requests at those times.
 * No DynamoDB here: lib/import/plan.ts and lib/import/writer.ts turn the result into writes.
 */
import { IdentityTooLargeError } from '../errors';
import { IdentityService } from '../identity-service';
import { deadlineIn } from '../retry';
import { MemoryContactStore } from './memory-store';
import type { Rejection, ValidRecords } from './records';

export interface ReplayResult {
  store: MemoryContactStore;
  /** Records that created a contact / merged two identities / changed nothing. */
  created: number;
  merges: number;
  unchanged: number;
  /** Records refused by the service itself (identity_too_large), reported like invalid lines. */
  refused: Rejection[];
  /** Source line of the record that created each contact, indexed by in-memory id. */
  sourceLines: number[];
  oldest: number | null;
  newest: number | null;
}

/** Record indices in createdAt order, ties in file order (Array.prototype.sort is stable). */
export function replayOrder(records: ValidRecords): Uint32Array {
  const order = Array.from({ length: records.times.length }, (_, i) => i);
  order.sort((a, b) => records.times[a]! - records.times[b]!);
  return Uint32Array.from(order);
}

export async function replay(
  records: ValidRecords,
  onProgress?: (done: number, total: number) => void,
): Promise<ReplayResult> {
  const store = new MemoryContactStore();
  let now = new Date(0);
  const service = new IdentityService(store, { clock: () => now });
  // The memory store never loses a race, so no attempt is ever retried; the deadline is moot.
  const deadline = deadlineIn(Number.MAX_SAFE_INTEGER / 2);
  const order = replayOrder(records);
  const result: ReplayResult = {
    store,
    created: 0,
    merges: 0,
    unchanged: 0,
    refused: [],
    sourceLines: [],
    oldest: order.length ? records.times[order[0]!]! : null,
    newest: order.length ? records.times[order[order.length - 1]!]! : null,
  };
  for (let n = 0; n < order.length; n++) {
    const i = order[n]!;
    now = new Date(records.times[i]!);
    const before = store.contactCount;
    const identities = store.identities.size;
    try {
      await service.identify({ email: records.emails[i]!, phoneNumber: records.phones[i]! }, deadline);
    } catch (error) {
      if (!(error instanceof IdentityTooLargeError)) throw error;
      result.refused.push({ line: records.lines[i]!, code: error.code, message: error.message, text: '' });
      continue;
    }
    if (store.contactCount > before) {
      result.created++;
      result.sourceLines[store.contactCount] = records.lines[i]!;
    } else if (store.identities.size < identities) result.merges++;
    else result.unchanged++;
    if ((n + 1) % 10_000 === 0) onProgress?.(n + 1, order.length);
  }
  onProgress?.(order.length, order.length);
  return result;
}
