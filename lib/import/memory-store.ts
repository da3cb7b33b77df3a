/**
 * An in-memory implementation of the storage port (lib/store.ts), used by the bulk import to run
 * the real identity service (lib/identity-service.ts, lib/reconcile.ts) over a whole file without
 * a round trip per record. It keeps the same rows, aggregates, versions and claims the DynamoDB
 * adapter would (lib/store/dynamodb/), honours the same guards (a claimed value or a stale version
 * is a WriteConflict), and applies a merge's whole re-link at once, so nothing is ever pending.
 * The identity-too-large limit is estimated with DynamoDB's item-size formula. No I/O here.
 */
import { IdentityTooLargeError, WriteConflict } from '../errors';
import type { Claim, Contact, Identity, Member, PendingErasure, PendingRelink, StoredContact } from '../model';
import type { MergeResult } from '../reconcile';
import type { ClaimPair, ContactStore } from '../store';

/** DynamoDB's item size limit. */
const MAX_ITEM_BYTES = 400 * 1024;
/** Below this many members a primary item cannot approach the limit (a member is at most ~420 bytes). */
const SIZE_CHECK_FROM_MEMBERS = 900;

export class MemoryContactStore implements ContactStore {
  /** Every contact row by id (a primary's row is its identity's `primary`). */
  readonly rows = new Map<number, Contact>();
  /** The aggregate of every live primary, by primary id. */
  readonly identities = new Map<number, Identity>();
  readonly emailClaims = new Map<string, Claim>();
  readonly phoneClaims = new Map<string, Claim>();
  private lastId = 0;

  async readClaims(email: string | null, phoneNumber: string | null): Promise<ClaimPair> {
    return {
      email: email === null ? null : (this.emailClaims.get(email) ?? null),
      phoneNumber: phoneNumber === null ? null : (this.phoneClaims.get(phoneNumber) ?? null),
    };
  }

  async readContacts(ids: readonly number[]): Promise<Map<number, StoredContact>> {
    const found = new Map<number, StoredContact>();
    for (const id of ids) {
      const identity = this.identities.get(id);
      if (identity) found.set(id, { kind: 'primary', contact: identity.primary, identity });
      else {
        const contact = this.rows.get(id);
        if (contact) found.set(id, { kind: 'secondary', contact });
      }
    }
    return found;
  }

  /** Ids 1, 2, 3, … in allocation order; the import shifts them into a range it reserves. */
  async allocateContactId(): Promise<number> {
    return ++this.lastId;
  }

  get contactCount(): number {
    return this.lastId;
  }

  async createPrimary(identity: Identity): Promise<void> {
    const { primary } = identity;
    this.checkFree(primary.email, primary.phoneNumber);
    if (this.rows.has(primary.id)) throw new WriteConflict('id taken');
    this.rows.set(primary.id, primary);
    this.identities.set(primary.id, identity);
    this.claim(primary.email, primary.phoneNumber, primary.id, primary.id);
  }

  async addSecondary(
    before: Identity,
    contact: Contact,
    claims: { email: string | null; phoneNumber: string | null },
  ): Promise<void> {
    const primaryId = before.primary.id;
    const current = this.identities.get(primaryId);
    if (!current || current.version !== before.version) throw new WriteConflict('identity changed');
    this.checkFree(claims.email, claims.phoneNumber);
    const next: Identity = { ...current, members: [...current.members, memberOf(contact)], version: current.version + 1 };
    checkSize(next);
    this.rows.set(contact.id, contact);
    this.identities.set(primaryId, next);
    this.claim(claims.email, claims.phoneNumber, contact.id, primaryId);
  }

  async merge(winner: Identity, loser: Identity, result: MergeResult): Promise<PendingRelink | null> {
    const w = this.identities.get(winner.primary.id);
    const l = this.identities.get(loser.primary.id);
    if (!w || !l || w.version !== winner.version || l.version !== loser.version) {
      throw new WriteConflict('identity changed');
    }
    checkSize(result.identity);
    const winnerId = winner.primary.id;
    const at = result.demoted.updatedAt;
    this.identities.set(winnerId, { ...result.identity, relink: null });
    this.identities.delete(loser.primary.id);
    this.rows.set(result.demoted.id, result.demoted);
    // The whole re-link at once, as DynamoDB ends up after the merge transaction and its re-link steps.
    for (const id of result.relinkIds) {
      const row = this.rows.get(id)!;
      this.rows.set(id, { ...row, linkedId: winnerId, updatedAt: at });
    }
    for (const email of result.movedEmails) this.emailClaims.get(email)!.primaryId = winnerId;
    for (const phone of result.movedPhoneNumbers) this.phoneClaims.get(phone)!.primaryId = winnerId;
    return null;
  }

  async finishRelink(_primaryId: number, _pending: PendingRelink): Promise<void> {
    throw new Error('the memory store never leaves a re-link pending');
  }

  async finishErasure(_primaryId: number, _pending: PendingErasure): Promise<void> {
    throw new Error('the memory store holds no erasures');
  }

  private checkFree(email: string | null, phoneNumber: string | null): void {
    if (email !== null && this.emailClaims.has(email)) throw new WriteConflict('email claimed');
    if (phoneNumber !== null && this.phoneClaims.has(phoneNumber)) throw new WriteConflict('phone claimed');
  }

  private claim(email: string | null, phoneNumber: string | null, contactId: number, primaryId: number): void {
    if (email !== null) this.emailClaims.set(email, { value: email, contactId, primaryId });
    if (phoneNumber !== null) this.phoneClaims.set(phoneNumber, { value: phoneNumber, contactId, primaryId });
  }
}

function memberOf(contact: Contact): Member {
  return { id: contact.id, createdAt: contact.createdAt, email: contact.email, phoneNumber: contact.phoneNumber };
}

/**
 * Refuses an aggregate whose primary item would pass 400 KB, as DynamoDB refuses the write and
 * /identify answers 409 identity_too_large. DynamoDB's documented sizes: attribute names and
 * strings by UTF-8 bytes, a number about one byte per two digits plus one, a list or map 3 bytes
 * plus one per element. It is an estimate within a few bytes per member, so within a few hundred
 * bytes of the limit the import and a replay through /identify could decide differently.
 */
function checkSize(identity: Identity): void {
  if (identity.members.length < SIZE_CHECK_FROM_MEMBERS) return;
  if (primaryItemBytes(identity) > MAX_ITEM_BYTES) throw new IdentityTooLargeError();
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const numberBytes = (n: number) => Math.ceil(String(Math.abs(n)).replace(/^0+/, '').length / 2) + 1;

export function primaryItemBytes(identity: Identity): number {
  const p = identity.primary;
  let size =
    utf8('bucket') + numberBytes(Math.floor(p.id / 1000)) +
    utf8('id') + numberBytes(p.id) +
    utf8('linkPrecedence') + utf8(p.linkPrecedence) +
    utf8('createdAt') + utf8(p.createdAt) +
    utf8('updatedAt') + utf8(p.updatedAt) +
    utf8('ver') + numberBytes(identity.version) +
    utf8('members') + 3;
  if (p.email !== null) size += utf8('email') + utf8(p.email);
  if (p.phoneNumber !== null) size += utf8('phoneNumber') + utf8(p.phoneNumber);
  for (const m of identity.members) {
    size += 1 + 3 + utf8('id') + numberBytes(m.id) + utf8('createdAt') + utf8(m.createdAt);
    if (m.email !== null) size += utf8('email') + utf8(m.email);
    if (m.phoneNumber !== null) size += utf8('phoneNumber') + utf8(m.phoneNumber);
  }
  return size;
}
