/**
 * POST /identify and GET /health in the OpenAPI document: the documentation of the request schema
 * (defined, with the rules it calls, in lib/validation.ts) and the response shapes. Response shapes
 * only describe what lib/http/response.ts builds; the contract tests hold the two together.
 */
import * as z from 'zod/mini';
import { IdentifyRequestSchema } from '../validation';
import { documented, docs } from './core';

export { IdentifyRequestSchema };

docs.add(IdentifyRequestSchema, {
  id: 'IdentifyRequest',
  description:
    'A checkout’s contact details. At least one of `email` and `phoneNumber` must be given (`null`, absent and blank mean "not given"); other fields are ignored. The body is UTF-8 JSON.',
  example: { email: 'mcfly@hillvalley.edu', phoneNumber: '123456' },
});
const requestFields = IdentifyRequestSchema.def.out.shape;
docs.add(requestFields.email, {
  description:
    'Trimmed and lower-cased. Valid when at most 254 characters, with exactly one `@`, a non-empty local part of at most 64 characters, a domain with at least one dot, and no whitespace or control characters (Unicode format characters included).',
  example: 'mcfly@hillvalley.edu',
});
docs.add(requestFields.phoneNumber, {
  description:
    'A string, trimmed, with spaces, `-`, `.`, `(` and `)` removed: valid when what remains is an optional leading `+` and 4 to 15 digits (`"+1 (555) 010-9999"` is stored as `"+15550109999"`). A number is read as its decimal digits (`123456` is `"123456"`).',
  example: '123456',
});

/** A contact id: a positive integer. */
export const contactId = () => z.int().check(z.minimum(1));

/** ISO-8601 UTC with milliseconds, as every timestamp of the service. */
export const timestamp = () =>
  documented(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)), {
    format: 'date-time',
    example: '2023-04-11T10:15:30.123Z',
  });

const identityFields = {
  primaryContactId: documented(contactId(), { description: 'The identity’s primary (its oldest contact).' }),
  primaryContatctId: documented(contactId(), {
    deprecated: true,
    description:
      'Deprecated alias of `primaryContactId`, with the same value: the key as spelled in the original FluxKart task statement, kept so that clients written against it keep working. Read `primaryContactId`.',
  }),
  emails: documented(z.array(z.string()), {
    description: 'Distinct emails: the primary’s first (when it has one), then the others in the order of the contact that first carried them.',
  }),
  phoneNumbers: documented(z.array(z.string()), {
    description: 'Distinct canonical phone numbers, ordered like `emails`.',
  }),
  secondaryContactIds: documented(z.array(contactId()), {
    description: 'Every secondary of the identity, by `createdAt`, then `id`.',
  }),
};

export const IdentityContactSchema = documented(z.object(identityFields), {
  id: 'IdentityContact',
  description: 'A customer identity: every contact that shares an email or a phone number, directly or through others.',
});

/** The fields of IdentityContact, for the admin answers that add the rows. */
export const IDENTITY_FIELDS = identityFields;

export const IdentifyResponseSchema = documented(z.object({ contact: IdentityContactSchema }), {
  id: 'IdentifyResponse',
});

export const HealthResponseSchema = documented(z.object({ status: z.literal('ok') }), {
  id: 'Health',
  example: { status: 'ok' },
});

/** SPEC.md's worked examples, as the document shows them. */
export const WORKED_EXAMPLES = {
  example1: {
    summary: 'Worked example 1: mcfly joins lorraine’s identity through the phone 123456 (contact 23 is created)',
    request: { email: 'mcfly@hillvalley.edu', phoneNumber: '123456' },
    response: {
      contact: {
        primaryContactId: 1,
        primaryContatctId: 1,
        emails: ['lorraine@hillvalley.edu', 'mcfly@hillvalley.edu'],
        phoneNumbers: ['123456'],
        secondaryContactIds: [23],
      },
    },
  },
  example2: {
    summary: 'Worked example 2: george’s email and biff’s phone merge the two identities (27 becomes secondary)',
    request: { email: 'george@hillvalley.edu', phoneNumber: '717171' },
    response: {
      contact: {
        primaryContactId: 11,
        primaryContatctId: 11,
        emails: ['george@hillvalley.edu', 'biffsucks@hillvalley.edu'],
        phoneNumbers: ['919191', '717171'],
        secondaryContactIds: [27],
      },
    },
  },
} as const;
