/**
 * Normalisation and validation of what callers send (SPEC.md, "Request").
 * Pure functions: no HTTP, no storage. Every rejection is a ValidationError (400).
 */
import * as z from 'zod/mini';
import { ValidationError } from './errors';
import { anyNumber, defineSchema, parseOrThrow, refineWith, rule } from './schemas/core';

export interface IdentifyRequest {
  /** Normalised email, or null when not given. */
  email: string | null;
  /** Canonical phone number, or null when not given. */
  phoneNumber: string | null;
}

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
/**
 * Whitespace, control characters, format characters (general category Cf: zero-width spaces and
 * joiners, bidirectional overrides, soft hyphens... invisible, so they make look-alikes of a real
 * address; SPEC counts them as control characters), and lone UTF-16 surrogates (not valid text:
 * DynamoDB would mangle them).
 */
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}\p{Cf}\p{Cs}]/u;
const PHONE_SEPARATORS = /[ \-.()]/g;
const CANONICAL_PHONE = /^\+?[0-9]{4,15}$/;

/**
 * Trims and lower-cases an email. Returns null for a blank string (SPEC: blank means "not given");
 * throws when the value is present but invalid.
 */
export function normaliseEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email === '') return null;
  const at = email.indexOf('@');
  const valid =
    email.length <= MAX_EMAIL_LENGTH &&
    !WHITESPACE_OR_CONTROL.test(email) &&
    at > 0 &&
    at === email.lastIndexOf('@') &&
    at <= MAX_LOCAL_PART_LENGTH &&
    email.slice(at + 1).includes('.');
  if (!valid) {
    throw new ValidationError('invalid_email', 'email is not a valid email address.');
  }
  return email;
}

/**
 * Canonicalises a phone number: a string is trimmed and stripped of spaces, '-', '.', '(' and ')';
 * a non-negative integer is read as its decimal digits. Returns null for a blank string.
 */
export function normalisePhoneNumber(raw: string | number): string | null {
  let phone: string;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) {
      throw new ValidationError(
        'invalid_phone_number',
        'phoneNumber given as a number must be a non-negative integer.',
      );
    }
    phone = String(raw);
  } else {
    const trimmed = raw.trim();
    if (trimmed === '') return null;
    phone = trimmed.replace(PHONE_SEPARATORS, '');
  }
  if (!CANONICAL_PHONE.test(phone)) {
    throw new ValidationError(
      'invalid_phone_number',
      'phoneNumber must be an optional "+" followed by 4 to 15 digits (spaces, "-", ".", "(" and ")" are ignored).',
    );
  }
  return phone;
}

/** Only the body's own fields count: never one inherited from a prototype. */
function ownFields(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return {
    email: Object.hasOwn(body, 'email') ? (body as Record<string, unknown>).email : undefined,
    phoneNumber: Object.hasOwn(body, 'phoneNumber') ? (body as Record<string, unknown>).phoneNumber : undefined,
  };
}

/**
 * The body of POST /identify: zod checks each field's type, then the rules above normalise it, in
 * field order, so the first failing field decides the code. Other fields are ignored. This is the
 * schema the OpenAPI document describes (lib/schemas/identify.ts adds its documentation).
 */
export const IdentifyRequestSchema = /* @__PURE__ */ defineSchema(() => z.pipe(
  z.transform(ownFields),
  z
    .object(
      {
        email: z.nullish(z.pipe(z.string({ error: 'email must be a string or null.' }), rule(normaliseEmail))),
        phoneNumber: z.nullish(
          z.pipe(
            z.union([z.string(), anyNumber({ type: 'integer', minimum: 1000, maximum: 999_999_999_999_999 })], {
              error: 'phoneNumber must be a string, a non-negative integer or null.',
            }),
            rule(normalisePhoneNumber),
          ),
        ),
      },
      { error: 'The request body must be a JSON object.' },
    )
    .check(
      refineWith(
        (r) => (r.email ?? null) !== null || (r.phoneNumber ?? null) !== null,
        'missing_contact_info',
        'Provide at least one of email and phoneNumber.',
      ),
    ),
));

/** Validates and normalises the body of POST /identify. Other fields are ignored. */
export function parseIdentifyRequest(body: unknown): IdentifyRequest {
  const { email, phoneNumber } = parseOrThrow(IdentifyRequestSchema, body, {
    self: 'invalid_body',
    fields: { email: 'invalid_email', phoneNumber: 'invalid_phone_number' },
  });
  return { email: email ?? null, phoneNumber: phoneNumber ?? null };
}
