/**
 * Validation of the admin routes' path parameters, query strings and bodies, and the opaque
 * pagination cursors: the rules (pure functions, every rejection a ValidationError, 400) and the
 * zod schemas that call them, which the OpenAPI document describes (lib/schemas/admin.ts).
 */
import * as z from 'zod/mini';
import { ValidationError } from './errors';
import { anyNumber, defineSchema, documented, parseOrThrow, rule, type SchemaDocs } from './schemas/core';
import { parseIdentifyRequest } from './validation';

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

type QueryRule<O> = (raw: string | undefined) => O;

/** A query-string parameter: text or absent (API Gateway joins a repeated one with commas), then its rule. */
function queryParam<O>(name: string, fn: QueryRule<O>, meta: SchemaDocs) {
  return documented(z.pipe(z.optional(z.string({ error: `${name} must be text.` })), rule(fn)), meta);
}

/** A query string or path parameters as API Gateway passes them: an object, or absent when empty. */
function parameters<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.pipe(
    z.transform((raw: unknown) => raw ?? {}),
    z.object(shape, { error: 'Parameters must be an object.' }),
  );
}

const limitParam = () =>
  queryParam('limit', parseLimit, {
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: `Page size, 1 to ${MAX_PAGE_SIZE}.`,
  });

const cursorParam = (kind: CursorKind) =>
  queryParam('cursor', (raw) => decodeCursor(kind, raw), {
    type: 'string',
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    description: 'The `nextCursor` of the previous page, passed back unchanged (opaque; a cursor of another listing is refused).',
  });

/** GET /contacts: limit, cursor, includeDeleted (the schema the OpenAPI document describes). */
export const ListContactsQuerySchema = /* @__PURE__ */ defineSchema(() => parameters({
  limit: limitParam(),
  cursor: cursorParam('contacts'),
  includeDeleted: queryParam('includeDeleted', (raw) => parseFlag('includeDeleted', raw), {
    type: 'boolean',
    default: false,
    description: '`true` lists erased rows too (as tombstones without email or phone).',
  }),
}));

/** GET /contacts: limit, cursor, includeDeleted. */
export function parseListQuery(query: Query): { limit: number; afterId: number; includeDeleted: boolean } {
  const q = parseOrThrow(ListContactsQuerySchema, query, {
    self: 'invalid_query',
    fields: { limit: 'invalid_limit', cursor: 'invalid_cursor', includeDeleted: 'invalid_include_deleted' },
  });
  return { limit: q.limit, afterId: q.cursor, includeDeleted: q.includeDeleted };
}

/** GET /audit: limit, cursor. */
export const AuditQuerySchema = /* @__PURE__ */ defineSchema(() => parameters({ limit: limitParam(), cursor: cursorParam('audit') }));

/** GET /audit: limit, cursor. */
export function parseAuditQuery(query: Query): { limit: number; afterSeq: number } {
  const q = parseOrThrow(AuditQuerySchema, query, {
    self: 'invalid_query',
    fields: { limit: 'invalid_limit', cursor: 'invalid_cursor' },
  });
  return { limit: q.limit, afterSeq: q.cursor };
}

const contactIdDocs = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'A contact id.' };

/** Path parameters holding one contact id, e.g. `{id}` of GET /contacts/{id}. */
export function contactIdPathSchema<N extends string>(name: N) {
  return parameters({
    [name]: documented(z.pipe(z.unknown(), rule((raw) => parseContactId(raw, name))), contactIdDocs),
  } as Record<N, z.ZodMiniPipe<z.ZodMiniUnknown, z.ZodMiniTransform<number, unknown>>>);
}

export const ContactPathSchema = /* @__PURE__ */ defineSchema(() => contactIdPathSchema('id'));
export const IdentityPathSchema = /* @__PURE__ */ defineSchema(() => contactIdPathSchema('contactId'));

/** The contact id of a route's path parameters (`id` or `contactId`). */
export function parsePathContactId(pathParameters: unknown, name: 'id' | 'contactId'): number {
  const schema = name === 'id' ? ContactPathSchema : IdentityPathSchema;
  const params = parseOrThrow(schema, pathParameters, { self: 'invalid_contact_id', fields: { [name]: 'invalid_contact_id' } });
  return (params as Record<string, number>)[name]!;
}

const CONTACT_IDS_MESSAGE = 'contactIds must be an array of two contact ids.';

/** POST /identities/merge: {"contactIds": [a, b]}, two positive integers. */
export const MergeRequestSchema = /* @__PURE__ */ defineSchema(() => z.object(
  {
    contactIds: z.pipe(
      z
        .array(anyNumber(contactIdDocs, CONTACT_IDS_MESSAGE), { error: CONTACT_IDS_MESSAGE })
        .check(z.length(2, { error: CONTACT_IDS_MESSAGE })),
      rule((ids: number[]): [number, number] => [parseContactId(ids[0], 'contactIds[0]'), parseContactId(ids[1], 'contactIds[1]')]),
    ),
  },
  { error: 'The request body must be a JSON object.' },
));

/**
 * POST /identities/lookup: {"email"?, "phoneNumber"?}, validated and normalised exactly as the body
 * of /identify (at least one; the same error codes), so the values never travel in a URL.
 */
export function parseLookupBody(body: unknown): { email: string | null; phoneNumber: string | null } {
  return parseIdentifyRequest(body);
}

/** POST /identities/merge: {"contactIds": [a, b]}, two positive integers. */
export function parseMergeBody(body: unknown): [number, number] {
  return parseOrThrow(MergeRequestSchema, body, { self: 'invalid_body', fields: { contactIds: 'invalid_contact_ids' } }).contactIds;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
