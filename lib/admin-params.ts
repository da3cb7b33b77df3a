/**
 * Validation of the admin routes' path parameters, query strings and bodies, and the opaque
 * pagination cursors. Pure functions: every rejection is a ValidationError (400).
 */
import { ValidationError } from './errors';
import { normaliseEmail, normalisePhoneNumber, parseIdentifyRequest } from './validation';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

type Query = Record<string, string | undefined> | null | undefined;

/** `limit`: an integer from 1 to 100; absent means 50. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    throw new ValidationError('invalid_limit', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return limit;
}

/** A boolean flag: `true` or `false`; absent means false. */
export function parseFlag(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ValidationError(`invalid_${snake(name)}`, `${name} must be true or false.`);
}

/** A contact id in a path or body: a positive integer. */
export function parseContactId(raw: unknown, name: string): number {
  const id =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ValidationError('invalid_contact_id', `${name} must be a positive integer.`);
  }
  return id;
}

/**
 * Cursors are opaque to callers: base64url of "<kind>1:<last key>". The kind keeps a cursor of one
 * listing from being accepted by another; the key is the last id (or audit sequence) returned.
 */
export type CursorKind = 'contacts' | 'audit';
const CURSOR_PREFIX: Record<CursorKind, string> = { contacts: 'c1', audit: 'a1' };

export function encodeCursor(kind: CursorKind, after: number): string {
  return Buffer.from(`${CURSOR_PREFIX[kind]}:${after}`, 'utf8').toString('base64url');
}

/** The key after which the page starts (0 = from the beginning). */
export function decodeCursor(kind: CursorKind, raw: string | undefined): number {
  if (raw === undefined) return 0;
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const match = new RegExp(`^${CURSOR_PREFIX[kind]}:(0|[1-9]\\d{0,15})$`).exec(text);
  const after = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(after)) {
    throw new ValidationError('invalid_cursor', 'cursor is not a cursor returned by this listing.');
  }
  return after;
}

/** GET /contacts: limit, cursor, includeDeleted. */
export function parseListQuery(query: Query): { limit: number; afterId: number; includeDeleted: boolean } {
  return {
    limit: parseLimit(query?.limit),
    afterId: decodeCursor('contacts', query?.cursor),
    includeDeleted: parseFlag('includeDeleted', query?.includeDeleted),
  };
}

/** GET /audit: limit, cursor. */
export function parseAuditQuery(query: Query): { limit: number; afterSeq: number } {
  return { limit: parseLimit(query?.limit), afterSeq: decodeCursor('audit', query?.cursor) };
}

/**
 * GET /identities: exactly one of `email` and `phoneNumber`, normalised as /identify normalises
 * them (a "+" in a query string must be sent as %2B, or it arrives as a space).
 */
export function parseLookupQuery(query: Query): { email: string | null; phoneNumber: string | null } {
  const email = query?.email !== undefined ? normaliseEmail(query.email) : null;
  const phoneNumber = query?.phoneNumber !== undefined ? normalisePhoneNumber(query.phoneNumber) : null;
  if ((email === null) === (phoneNumber === null)) {
    throw new ValidationError('invalid_query', 'Give exactly one of the query parameters email and phoneNumber.');
  }
  return { email, phoneNumber };
}

/**
 * POST /identities/lookup: {"email"?, "phoneNumber"?}, validated and normalised exactly as the body
 * of /identify (at least one; the same error codes), so the values never travel in a URL.
 */
export function parseLookupBody(body: unknown): { email: string | null; phoneNumber: string | null } {
  return parseIdentifyRequest(body);
}

/** POST /identities/merge: {"contactIds": [a, b]}, two positive integers. */
export function parseMergeBody(body: unknown): [number, number] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('invalid_body', 'The request body must be a JSON object.');
  }
  const ids = (body as { contactIds?: unknown }).contactIds;
  if (!Array.isArray(ids) || ids.length !== 2 || !ids.every((id) => typeof id === 'number')) {
    throw new ValidationError('invalid_contact_ids', 'contactIds must be an array of two contact ids.');
  }
  return [parseContactId(ids[0], 'contactIds[0]'), parseContactId(ids[1], 'contactIds[1]')];
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
