/**
 * Change events of identities (README "Change events"): the change record that the store writes in
 * the same transaction as each committed change, and the one domain event derived from it. Pure
 * data and functions: no DynamoDB, no EventBridge, no Lambda types here (lib/events/stream.ts reads
 * stream records, lib/events/eventbridge.ts publishes).
 *
 * Privacy: a change carries emails and phone numbers only as SHA-256 digests of the normalised
 * value, unless the deployment opts into clear values (EVENT_CONTACT_VALUES=clear, stack option
 * `eventContactValues`). An erasure carries ids only.
 */
import { createHash } from 'node:crypto';

/** How a change carries the email and phone of a contact. */
export type ContactValueMode = 'hashed' | 'clear';

export interface ContactValues {
  /** Lower-case hex SHA-256 of the normalised email (as /identify stores it), or null. */
  emailSha256: string | null;
  phoneNumberSha256: string | null;
  /** Only with EVENT_CONTACT_VALUES=clear. */
  email?: string | null;
  phoneNumber?: string | null;
}

interface ChangeBase {
  /** The identity the change belongs to: its primary contact id (the survivor of a merge). */
  primaryContactId: number;
  /** The identity's version after the change: 1 when created, +1 per change, so gaps are visible. */
  version: number;
  /** When the change happened (ISO-8601 UTC): the timestamp the change wrote on the rows. */
  at: string;
}

export type Change =
  | (ChangeBase & { kind: 'created'; values: ContactValues })
  | (ChangeBase & { kind: 'contactAdded'; contactId: number; values: ContactValues })
  | (ChangeBase & { kind: 'merged'; absorbedPrimaryContactId: number; movedContactIds: number[] })
  | (ChangeBase & { kind: 'erased'; erasedContactIds: number[] });

export type ChangeKind = Change['kind'];
export const CHANGE_KINDS: readonly ChangeKind[] = ['created', 'contactAdded', 'merged', 'erased'];

/** EventBridge `source` of every change event. */
export const EVENT_SOURCE = 'fluxkart.identity';
export const EVENT_SCHEMA_VERSION = 1;

/** The event's payload (EventBridge `detail`; the NDJSON line's `detail`). */
export type ChangeEvent = {
  /** Stable: derived from (primaryContactId, version), so a redelivery carries the same id. */
  eventId: string;
  type: `identity.${ChangeKind}`;
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  time: string;
  primaryContactId: number;
  version: number;
} & (
  | { type: 'identity.created'; values: ContactValues }
  | { type: 'identity.contactAdded'; contactId: number; values: ContactValues }
  | { type: 'identity.merged'; absorbedPrimaryContactId: number; movedContactIds: number[] }
  | { type: 'identity.erased'; erasedContactIds: number[] }
);

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A contact's values as a change carries them. */
export function contactValues(email: string | null, phoneNumber: string | null, mode: ContactValueMode): ContactValues {
  return {
    emailSha256: email === null ? null : sha256(email),
    phoneNumberSha256: phoneNumber === null ? null : sha256(phoneNumber),
    ...(mode === 'clear' ? { email, phoneNumber } : {}),
  };
}

/**
 * The event id of the change of `primaryContactId` to `version`: a change is identified by its
 * identity and the version it produced (every change advances the version under a guard), so the
 * id is the same for every delivery. Formatted as a UUID (version 8, name-based on SHA-256).
 */
export function eventIdOf(primaryContactId: number, version: number): string {
  const hex = sha256(`${EVENT_SOURCE}/${primaryContactId}/${version}`).slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The one event of a committed change (fields in a stable, readable order: id and type first). */
export function toChangeEvent(change: Change): ChangeEvent {
  const head = <T extends ChangeEvent['type']>(type: T) =>
    ({
      eventId: eventIdOf(change.primaryContactId, change.version),
      type,
      schemaVersion: EVENT_SCHEMA_VERSION,
      time: change.at,
      primaryContactId: change.primaryContactId,
      version: change.version,
    }) as const;
  switch (change.kind) {
    case 'created':
      return { ...head('identity.created'), values: change.values };
    case 'contactAdded':
      return { ...head('identity.contactAdded'), contactId: change.contactId, values: change.values };
    case 'merged':
      return {
        ...head('identity.merged'),
        absorbedPrimaryContactId: change.absorbedPrimaryContactId,
        movedContactIds: change.movedContactIds,
      };
    case 'erased':
      return { ...head('identity.erased'), erasedContactIds: change.erasedContactIds };
  }
}
