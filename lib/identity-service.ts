/**
 * The identity service: reads what a request touches, asks the rules (lib/reconcile.ts) what to
 * do, and has the store (lib/store/index.ts) write it, retrying the whole attempt when a guarded write
 * lost a race or storage hiccuped. No HTTP and no DynamoDB here. What it committed is counted
 * through the telemetry port (lib/telemetry.ts), after the store confirmed the write.
 */
import { WriteConflict } from './errors';
import type { Identity, IdentityView } from './model';
import { addSecondary, decide, emailsOf, merge, newPrimary, phoneNumbersOf, toView } from './reconcile';
import { withRetries, type Deadline, type RetryOptions } from './retry';
import type { ContactStore } from './store';
import { noTelemetry, type Telemetry } from './telemetry';
import type { IdentifyRequest } from './validation';

/** Longest linkedId path followed from a claim's hint to a primary before giving up. */
const MAX_HOPS = 8;

export interface IdentityServiceOptions {
  clock?: () => Date;
  retry?: RetryOptions;
  /** Where created identities, merges, re-links and retries are counted; none by default. */
  telemetry?: Telemetry;
}

export class IdentityService {
  private readonly clock: () => Date;
  private readonly telemetry: Telemetry;

  constructor(
    private readonly store: ContactStore,
    private readonly options: IdentityServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.telemetry = options.telemetry ?? noTelemetry;
    this.options = { ...options, retry: { telemetry: options.telemetry, ...options.retry } };
  }

  /** Counts a committed merge (here and in the admin service): Merge, and MergeSize = the absorbed identity's contacts. */
  countMerge(loser: Identity): void {
    this.telemetry.count('Merge');
    this.telemetry.count('MergeSize', 1 + loser.members.length);
  }

  /** Finishes a recorded re-link and counts it. */
  private async finishRelink(primaryId: number, pending: NonNullable<Identity['relink']>): Promise<void> {
    await this.store.finishRelink(primaryId, pending);
    this.telemetry.count('RelinkFinished');
  }

  /** POST /identify: reconcile the request's email and phone into one identity and answer it. */
  async identify(request: IdentifyRequest, deadline: Deadline): Promise<IdentityView> {
    // Every attempt takes a fresh id, right before it reads the clock: an id kept from a failed
    // attempt would give a contact created later a smaller id than one another request created
    // in between (SPEC: "a later contact gets a larger id"). Skipped ids are harmless.
    const takeId = () => this.store.allocateContactId();
    return withRetries(deadline, () => this.identifyOnce(request, takeId), this.options.retry);
  }

  private async identifyOnce(
    request: IdentifyRequest,
    takeId: () => Promise<number>,
  ): Promise<IdentityView> {
    const { byEmail, byPhone } = await this.resolve(request);
    const decision = decide(request, byEmail, byPhone);
    switch (decision.kind) {
      case 'existing':
        return toView(decision.identity);
      case 'newPrimary': {
        const identity = newPrimary(request, await takeId(), this.clock());
        await this.store.createPrimary(identity);
        this.telemetry.count('IdentityCreated');
        return toView(identity);
      }
      case 'newSecondary': {
        const added = addSecondary(decision.identity, request, await takeId(), this.clock());
        await this.store.addSecondary(decision.identity, added.contact, {
          email: added.newEmail,
          phoneNumber: added.newPhoneNumber,
        });
        this.telemetry.count('SecondaryAdded');
        return toView(added.identity);
      }
      case 'merge': {
        const result = merge(decision.winner, decision.loser, this.clock());
        const pending = await this.store.merge(decision.winner, decision.loser, result);
        this.countMerge(decision.loser);
        if (pending) await this.finishRelink(decision.winner.primary.id, pending);
        return toView(result.identity);
      }
    }
  }

  /** The identities that own the request's email and phone number (null where unknown). */
  private async resolve(
    request: IdentifyRequest,
  ): Promise<{ byEmail: Identity | null; byPhone: Identity | null }> {
    const claims = await this.store.readClaims(request.email, request.phoneNumber);
    const hints = [claims.email?.primaryId, claims.phoneNumber?.primaryId].filter(
      (id): id is number => id !== undefined,
    );
    const identities = await this.identitiesOf(hints, { repair: true });
    const byEmail = claims.email ? identities.get(claims.email.primaryId)! : null;
    const byPhone = claims.phoneNumber ? identities.get(claims.phoneNumber.primaryId)! : null;
    // A claim and its identity are written in one transaction, so a mismatch means the data
    // moved between the two reads: read again.
    if (byEmail && !emailsOf(byEmail).has(request.email!)) throw new WriteConflict('stale claim');
    if (byPhone && !phoneNumbersOf(byPhone).has(request.phoneNumber!)) {
      throw new WriteConflict('stale claim');
    }
    return { byEmail, byPhone };
  }

  /**
   * Follows each contact id along linkedId to its identity's primary. With `repair`, a merge's
   * unfinished re-linking met on the way is finished first, so no request answers while rows
   * are still linked to a demoted primary. An erased identity (or one whose erasure is under way)
   * is no identity: with `repair` its erasure is finished and WriteConflict makes the caller re-read;
   * without, the ids that lead to it are absent from the result.
   */
  async identitiesOf(
    ids: readonly number[],
    { repair }: { repair: boolean },
  ): Promise<Map<number, Identity>> {
    const result = new Map<number, Identity>();
    // contact id to read next -> the requested ids that lead to it
    let frontier = new Map<number, number[]>(ids.map((id) => [id, [id]]));
    for (let hop = 0; frontier.size > 0; hop++) {
      if (hop > MAX_HOPS) throw new Error('linkedId path too long: data needs attention');
      const found = await this.store.readContacts([...frontier.keys()]);
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
            if (stored.identity.erasure) await this.store.finishErasure(id, stored.identity.erasure);
            throw new WriteConflict('identity erased');
          }
        } else if (repair && stored.identity.relink) {
          await this.finishRelink(id, stored.identity.relink);
          follow(id, origins);
        } else {
          for (const origin of origins) result.set(origin, stored.identity);
        }
      }
      frontier = next;
    }
    return result;
  }
}
