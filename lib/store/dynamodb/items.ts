/**
 * The item layout of the DynamoDB adapter and its mappers: domain objects to items and back. No
 * DynamoDB calls here (they are in the other files of this folder); the seed script, the import
 * CLI and the Streams function share these mappers.
 *
 * Items
 * - Contacts  {bucket, id, email?, phoneNumber?, linkedId?, linkPrecedence, createdAt, updatedAt,
 *              deletedAt?} and, on a primary only, the identity aggregate:
 *              members [{id, createdAt, email?, phoneNumber?}] (its secondaries), ver (version),
 *              relink? (a merge's unfinished re-linking), erasure? (an erasure's to-do list,
 *              {at, contactIds, emails/phoneNumbers: {c<contactId>: {value, contactId}}}, written
 *              by a version-guarded update that also erases the primary's own row, when the
 *              erasure is too large for one transaction; entries leave it with their claims).
 *              An erased contact has deletedAt and no email or phoneNumber; an erased primary
 *              keeps no aggregate, only erasedIds (every contact erased with it).
 * - ContactEmails {email, contactId, primaryId}, ContactPhones {phone, contactId, primaryId}:
 *              the unique claim of a value. contactId never changes; primaryId is a hint that
 *              merges refresh and readers verify by following linkedId.
 * - Counters  {name: "contactId", value}: the high-water mark of reserved id blocks;
 *              {name: "auditSeq", value}: the last audit sequence number handed out.
 * - AuditLog  {bucket = floor(seq / 1000), seq, at, actor, action, contactIds, primaryContactId?,
 *              changed, requestId?}: one admin action, written in the action's own transaction
 *              (or after it, when the action found nothing to do); never an email or a phone number.
 * - Changes   {identityId, version, kind, at, expiresAt, values? | contactId? | absorbedId?,
 *              contactIds?}: one committed change of an identity (lib/events/change.ts), written
 *              in the transaction that commits it; its stream feeds the change events.
 *
 * Listings (contacts by id, audit records by seq) Query the bucketed tables bucket after bucket
 * with ConsistentRead, up to the bucket of the counter's value, resuming after the last key seen.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Change, ContactValues } from '../../events/change';
import type { AuditEntry, Claim, ClaimRef, Contact, Member, PendingErasure, StoredContact } from '../../model';
import type { TableNames } from '../../tables';

/** Ids per item collection of the Contacts table. */
export const BUCKET_SIZE = 1000;

export type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function contactKey(id: number): { bucket: number; id: number } {
  return { bucket: Math.floor(id / BUCKET_SIZE), id };
}

export function contactItem(contact: Contact): Item {
  return {
    ...contactKey(contact.id),
    email: contact.email ?? undefined,
    phoneNumber: contact.phoneNumber ?? undefined,
    linkedId: contact.linkedId ?? undefined,
    linkPrecedence: contact.linkPrecedence,
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
    deletedAt: contact.deletedAt ?? undefined,
  };
}

export function memberItem(member: Member): Item {
  return {
    id: member.id,
    createdAt: member.createdAt,
    email: member.email ?? undefined,
    phoneNumber: member.phoneNumber ?? undefined,
  };
}

export function toContact(item: Item): Contact {
  return {
    id: Number(item.id),
    email: (item.email as string | undefined) ?? null,
    phoneNumber: (item.phoneNumber as string | undefined) ?? null,
    linkedId: item.linkedId === undefined ? null : Number(item.linkedId),
    linkPrecedence: item.linkPrecedence as Contact['linkPrecedence'],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    deletedAt: (item.deletedAt as string | undefined) ?? null,
  };
}

export function toStoredContact(item: Item): StoredContact {
  const contact = toContact(item);
  if (contact.linkPrecedence !== 'primary') return { kind: 'secondary', contact };
  const members = ((item.members as Item[] | undefined) ?? []).map((m) => ({
    id: Number(m.id),
    createdAt: m.createdAt as string,
    email: (m.email as string | undefined) ?? null,
    phoneNumber: (m.phoneNumber as string | undefined) ?? null,
  }));
  const relink = item.relink as Item | undefined;
  return {
    kind: 'primary',
    contact,
    identity: {
      primary: contact,
      members,
      version: Number(item.ver ?? 0),
      relink: relink
        ? {
            from: Number(relink.from),
            contactIds: (relink.contactIds as unknown[]).map(Number),
            emails: relink.emails as string[],
            phoneNumbers: relink.phoneNumbers as string[],
          }
        : null,
      erasure: item.erasure ? toPendingErasure(item.erasure as Item) : null,
      ...(item.erasedIds ? { erasedIds: (item.erasedIds as unknown[]).map(Number) } : {}),
    },
  };
}

/**
 * The key of a claim in the marker's to-do maps (`erasure.emails`, `erasure.phoneNumbers`): the id
 * of the contact that claimed it. A contact introduces at most one email and one phone, so the key
 * is unique within each map, and a chunk of claim deletes removes exactly its own entries.
 */
export function claimSlot(ref: ClaimRef): string {
  return `c${ref.contactId}`;
}

/** The marker as stored: the claims to delete as maps keyed by claimSlot (see finishErasure). */
export function erasureItem(pending: PendingErasure): Item {
  const slots = (refs: ClaimRef[]) => {
    const map = Object.fromEntries(refs.map((ref) => [claimSlot(ref), { value: ref.value, contactId: ref.contactId }]));
    if (Object.keys(map).length !== refs.length) throw new Error('erasure: two claims of one kind by one contact');
    return map;
  };
  return { at: pending.at, contactIds: pending.contactIds, emails: slots(pending.emails), phoneNumbers: slots(pending.phoneNumbers) };
}

export function toPendingErasure(item: Item): PendingErasure {
  const refs = (slots: unknown) =>
    Object.values((slots as Record<string, Item> | undefined) ?? {}).map((r) => ({
      value: r.value as string,
      contactId: Number(r.contactId),
    }));
  return {
    at: item.at as string,
    contactIds: ((item.contactIds as unknown[] | undefined) ?? []).map(Number),
    emails: refs(item.emails),
    phoneNumbers: refs(item.phoneNumbers),
  };
}

export function toAuditEntry(item: Item): AuditEntry {
  return {
    seq: Number(item.seq),
    at: item.at as string,
    actor: item.actor as string,
    action: item.action as AuditEntry['action'],
    contactIds: ((item.contactIds as unknown[] | undefined) ?? []).map(Number),
    primaryContactId: item.primaryContactId === undefined ? null : Number(item.primaryContactId),
    changed: item.changed === true,
    requestId: (item.requestId as string | undefined) ?? null,
  };
}

export function toClaim(item: Item, keyName: 'email' | 'phone'): Claim {
  return {
    value: item[keyName] as string,
    contactId: Number(item.contactId),
    primaryId: Number(item.primaryId),
  };
}

/** The audit record as a conditional Put: written once under its seq, in the action's transaction or alone. */
export function auditPut(tables: TableNames, entry: AuditEntry) {
  const item: Item = {
    bucket: Math.floor(entry.seq / BUCKET_SIZE),
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    contactIds: entry.contactIds,
    primaryContactId: entry.primaryContactId ?? undefined,
    changed: entry.changed,
    requestId: entry.requestId ?? undefined,
  };
  return {
    Put: { TableName: tables.audit, Item: item, ConditionExpression: 'attribute_not_exists(seq)' },
  } satisfies TransactItem;
}

/** How long a change record stays in the Changes table (DynamoDB TTL), for replays after the stream's 24 h. */
export const CHANGE_RETENTION_SECONDS = 7 * 24 * 3600;

/** A change record as stored: keyed by identity and the version the change produced. */
export function changeItem(change: Change): Item {
  const base: Item = {
    identityId: change.primaryContactId,
    version: change.version,
    kind: change.kind,
    at: change.at,
    expiresAt: Math.floor(Date.parse(change.at) / 1000) + CHANGE_RETENTION_SECONDS,
  };
  switch (change.kind) {
    case 'created':
      return { ...base, values: valuesItem(change.values) };
    case 'contactAdded':
      return { ...base, contactId: change.contactId, values: valuesItem(change.values) };
    case 'merged':
      return { ...base, absorbedId: change.absorbedPrimaryContactId, contactIds: change.movedContactIds };
    case 'erased':
      return { ...base, contactIds: change.erasedContactIds };
  }
}

function valuesItem(values: ContactValues): Item {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined));
}

function toValues(item: Item | undefined): ContactValues {
  const v = item ?? {};
  const values: ContactValues = {
    emailSha256: (v.emailSha256 as string | undefined) ?? null,
    phoneNumberSha256: (v.phoneNumberSha256 as string | undefined) ?? null,
  };
  // Clear values are written only under EVENT_CONTACT_VALUES=clear (a contact has at least one value).
  if ('email' in v || 'phoneNumber' in v) {
    values.email = (v.email as string | undefined) ?? null;
    values.phoneNumber = (v.phoneNumber as string | undefined) ?? null;
  }
  return values;
}

/** A change record read back (from a stream image, unmarshalled). Throws on an item that is none. */
export function toChange(item: Item): Change {
  const base = { primaryContactId: Number(item.identityId), version: Number(item.version), at: item.at as string };
  if (!Number.isInteger(base.primaryContactId) || !Number.isInteger(base.version) || typeof base.at !== 'string') {
    throw new Error('not a change record');
  }
  const ids = () => ((item.contactIds as unknown[] | undefined) ?? []).map(Number);
  switch (item.kind) {
    case 'created':
      return { ...base, kind: 'created', values: toValues(item.values as Item | undefined) };
    case 'contactAdded':
      return { ...base, kind: 'contactAdded', contactId: Number(item.contactId), values: toValues(item.values as Item | undefined) };
    case 'merged':
      return { ...base, kind: 'merged', absorbedPrimaryContactId: Number(item.absorbedId), movedContactIds: ids() };
    case 'erased':
      return { ...base, kind: 'erased', erasedContactIds: ids() };
    default:
      throw new Error(`unknown change kind ${String(item.kind)}`);
  }
}

/** The change record as a conditional Put, one action of the transaction that commits the change. */
export function changePut(tables: TableNames, change: Change) {
  return {
    Put: { TableName: tables.changes, Item: changeItem(change), ConditionExpression: 'attribute_not_exists(version)' },
  } satisfies TransactItem;
}
