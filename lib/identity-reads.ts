/**
 * Finding the identity behind contact ids: follow each id along linkedId to its primary, whose
 * row holds the identity's aggregate. Shared by the identity service (which repairs what it meets
 * on the way: lib/identity-service.ts) and the admin reads (which never write: lib/admin-reads.ts),
 * so a function that only reads needs none of the service's write paths. No HTTP, no DynamoDB.
 */
import { WriteConflict } from './errors';
import type { Identity, PendingErasure, PendingRelink } from './model';
import type { StoreReads } from './store';

/** Longest linkedId path followed from a contact to a primary before giving up. */
const MAX_HOPS = 8;

/** What a reader that may write does with unfinished work it meets (the identity service). */
export interface Repairs {
  finishRelink(primaryId: number, pending: PendingRelink): Promise<void>;
  finishErasure(primaryId: number, pending: PendingErasure): Promise<void>;
}

/**
 * The identity of each contact id, keyed by the requested id. With `repair`, a merge's unfinished
 * re-linking met on the way is finished first, so no request answers while rows are still linked
 * to a demoted primary. An erased identity (or one whose erasure is under way) is no identity:
 * with `repair` its erasure is finished and WriteConflict makes the caller re-read; without, the
 * ids that lead to it are absent from the result.
 */
export async function identitiesOf(
  store: StoreReads,
  ids: readonly number[],
  repair?: Repairs,
): Promise<Map<number, Identity>> {
  const result = new Map<number, Identity>();
  // contact id to read next -> the requested ids that lead to it
  let frontier = new Map<number, number[]>(ids.map((id) => [id, [id]]));
  for (let hop = 0; frontier.size > 0; hop++) {
    if (hop > MAX_HOPS) throw new Error('linkedId path too long: data needs attention');
    const found = await store.readContacts([...frontier.keys()]);
    const next = new Map<number, number[]>();
    const follow = (id: number, origins: number[]) => next.set(id, [...(next.get(id) ?? []), ...origins]);
    for (const [id, origins] of frontier) {
      const stored = found.get(id);
      if (!stored) throw new WriteConflict(`contact ${id} not found`);
      if (stored.kind === 'secondary') {
        follow(stored.contact.linkedId!, origins);
      } else if (stored.identity.erasure || stored.contact.deletedAt !== null) {
        // Erased, or an erasure under way (it took effect when its marker was written): there is
        // no identity here any more. With `repair`, finish the erasure and make the caller re-read
        // (the values are free now); without, the origins are left out of the result.
        if (repair) {
          if (stored.identity.erasure) await repair.finishErasure(id, stored.identity.erasure);
          throw new WriteConflict('identity erased');
        }
      } else if (repair && stored.identity.relink) {
        await repair.finishRelink(id, stored.identity.relink);
        follow(id, origins);
      } else {
        for (const origin of origins) result.set(origin, stored.identity);
      }
    }
    frontier = next;
  }
  return result;
}
