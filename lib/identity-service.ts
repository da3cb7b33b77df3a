/**
 * The identity service: reads what a request touches, asks the rules (lib/reconcile.ts) what to
 * do, and has the store (lib/store/index.ts) write it, retrying the whole attempt when a guarded write
 * lost a race or storage hiccuped. No HTTP and no DynamoDB here. What it committed is counted
 * through the telemetry port (lib/telemetry.ts), after the store confirmed the write.
 */
import { WriteConflict } from './errors';
import { identitiesOf, type Repairs } from './identity-reads';
import type { Identity, IdentityView } from './model';
import { addSecondary, decide, emailsOf, merge, newPrimary, phoneNumbersOf, toView } from './reconcile';
import { withRetries, type Deadline, type RetryOptions } from './retry';
import type { ContactStore } from './store';
import { noTelemetry, type Telemetry } from './telemetry';
import type { IdentifyRequest } from './validation';

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
   * The identities of the given contact ids (lib/identity-reads.ts). With `repair`, unfinished
   * re-links and erasures met on the way are finished (an erased identity then makes the caller
   * re-read); without, nothing is written and erased identities are absent from the result.
   */
  identitiesOf(ids: readonly number[], { repair }: { repair: boolean }): Promise<Map<number, Identity>> {
    return identitiesOf(this.store, ids, repair ? this.repairs : undefined);
  }

  private readonly repairs: Repairs = {
    finishRelink: (primaryId, pending) => this.finishRelink(primaryId, pending),
    finishErasure: (primaryId, pending) => this.store.finishErasure(primaryId, pending),
  };
}
