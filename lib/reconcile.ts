/**
 * The rules of reconciliation (SPEC.md, "Semantics" and "Response"), as pure functions over
 * identities that the service has already read. Nothing here does I/O: the service
 * (lib/identity-service.ts) reads, asks these rules what to do, and lets the store write it.
 */
import type { Contact, Identity, IdentityView, Member } from './model';
import type { IdentifyRequest } from './validation';

export type Decision =
  /** Everything the request brings is already known: write nothing. */
  | { kind: 'existing'; identity: Identity }
  /** Nothing matches: create a primary contact. */
  | { kind: 'newPrimary' }
  /** One identity matches and the request brings a value it lacks: add a secondary. */
  | { kind: 'newSecondary'; identity: Identity }
  /** The email belongs to one identity and the phone to another: the older absorbs the newer. */
  | { kind: 'merge'; winner: Identity; loser: Identity };

/** Orders contacts by age: `createdAt`, then `id`. Negative when `a` is older. */
export function compareAge(a: { createdAt: string; id: number }, b: { createdAt: string; id: number }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id - b.id;
}

export function emailsOf(identity: Identity): Set<string> {
  return valuesOf(identity, 'email');
}

export function phoneNumbersOf(identity: Identity): Set<string> {
  return valuesOf(identity, 'phoneNumber');
}

function valuesOf(identity: Identity, field: 'email' | 'phoneNumber'): Set<string> {
  const values = new Set<string>();
  for (const m of [identity.primary, ...identity.members]) {
    const value = m[field];
    if (value !== null) values.add(value);
  }
  return values;
}

/**
 * Decides what a request does, given the identity that owns its email and the identity that
 * owns its phone number (null where the value is not given or not known).
 */
export function decide(
  request: IdentifyRequest,
  byEmail: Identity | null,
  byPhone: Identity | null,
): Decision {
  if (byEmail && byPhone && byEmail.primary.id !== byPhone.primary.id) {
    const [winner, loser] =
      compareAge(byEmail.primary, byPhone.primary) < 0 ? [byEmail, byPhone] : [byPhone, byEmail];
    return { kind: 'merge', winner, loser };
  }
  const identity = byEmail ?? byPhone;
  if (!identity) return { kind: 'newPrimary' };
  const bringsNewEmail = request.email !== null && !emailsOf(identity).has(request.email);
  const bringsNewPhone =
    request.phoneNumber !== null && !phoneNumbersOf(identity).has(request.phoneNumber);
  return bringsNewEmail || bringsNewPhone
    ? { kind: 'newSecondary', identity }
    : { kind: 'existing', identity };
}

/** A brand-new identity of one primary contact. */
export function newPrimary(request: IdentifyRequest, id: number, now: Date): Identity {
  const at = now.toISOString();
  return {
    primary: {
      id,
      email: request.email,
      phoneNumber: request.phoneNumber,
      linkedId: null,
      linkPrecedence: 'primary',
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    },
    members: [],
    version: 1,
    relink: null,
  };
}

/**
 * Adds a secondary {email, phone} to an identity. Its `createdAt` never goes below the identity's
 * newest contact, so a clock running behind on one instance cannot make a newcomer "older" than
 * the primary (which would break "the primary is the oldest contact").
 */
export function addSecondary(
  identity: Identity,
  request: IdentifyRequest,
  id: number,
  now: Date,
): { identity: Identity; contact: Contact; newEmail: string | null; newPhoneNumber: string | null } {
  const newest = [identity.primary, ...identity.members].reduce(
    (max, m) => (m.createdAt > max ? m.createdAt : max),
    identity.primary.createdAt,
  );
  const floor = new Date(Date.parse(newest) + 1);
  const at = (now.getTime() >= floor.getTime() ? now : floor).toISOString();
  const contact: Contact = {
    id,
    email: request.email,
    phoneNumber: request.phoneNumber,
    linkedId: identity.primary.id,
    linkPrecedence: 'secondary',
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
  };
  const emails = emailsOf(identity);
  const phones = phoneNumbersOf(identity);
  return {
    identity: { ...identity, members: [...identity.members, memberOf(contact)], version: identity.version + 1 },
    contact,
    newEmail: request.email !== null && !emails.has(request.email) ? request.email : null,
    newPhoneNumber:
      request.phoneNumber !== null && !phones.has(request.phoneNumber) ? request.phoneNumber : null,
  };
}

export interface MergeResult {
  /** The winner with the loser's whole identity folded into its aggregate. */
  identity: Identity;
  /** The loser's primary row, demoted to a secondary of the winner. */
  demoted: Contact;
  /** The loser's secondaries: their rows must be re-linked to the winner. */
  relinkIds: number[];
  /** The loser's values: their claims must now hint at the winner. */
  movedEmails: string[];
  movedPhoneNumbers: string[];
}

/** Folds `loser` into the older `winner` (SPEC rule 3). */
export function merge(winner: Identity, loser: Identity, now: Date): MergeResult {
  const demoted: Contact = {
    ...loser.primary,
    linkedId: winner.primary.id,
    linkPrecedence: 'secondary',
    updatedAt: now.toISOString(),
  };
  return {
    identity: {
      ...winner,
      members: [...winner.members, memberOf(demoted), ...loser.members],
      version: winner.version + 1,
    },
    demoted,
    relinkIds: loser.members.map((m) => m.id),
    movedEmails: [...emailsOf(loser)],
    movedPhoneNumbers: [...phoneNumbersOf(loser)],
  };
}

export function memberOf(contact: Contact): Member {
  return {
    id: contact.id,
    createdAt: contact.createdAt,
    email: contact.email,
    phoneNumber: contact.phoneNumber,
  };
}

/**
 * The consolidated identity as /identify answers it: the primary's values first, then the others
 * in the order of the contact that first carried them; secondaries by (createdAt, id).
 */
export function toView(identity: Identity): IdentityView {
  const secondaries = [...identity.members].sort(compareAge);
  const emails = new Set<string>();
  const phoneNumbers = new Set<string>();
  for (const c of [identity.primary, ...secondaries]) {
    if (c.email !== null) emails.add(c.email);
    if (c.phoneNumber !== null) phoneNumbers.add(c.phoneNumber);
  }
  return {
    primaryContactId: identity.primary.id,
    emails: [...emails],
    phoneNumbers: [...phoneNumbers],
    secondaryContactIds: secondaries.map((m) => m.id),
  };
}
