/**
 * The admin routes in the OpenAPI document: the documentation of their request schemas (defined,
 * with the rules they call, in lib/admin-params.ts) and their response shapes (built by
 * lib/http/admin.ts and the functions/admin-* handlers; the contract tests hold the two together).
 */
import * as z from 'zod/mini';
import {
  AuditQuerySchema,
  ContactPathSchema,
  IdentityPathSchema,
  ListContactsQuerySchema,
  MergeRequestSchema,
} from '../admin-params';
import { documented, docs } from './core';
import { contactId, IDENTITY_FIELDS, timestamp } from './identify';

export { AuditQuerySchema, ContactPathSchema, IdentityPathSchema, ListContactsQuerySchema, MergeRequestSchema };

docs.add(MergeRequestSchema, {
  id: 'MergeRequest',
  description: 'The two contacts whose identities are merged (any contact of each identity).',
  example: { contactIds: [27, 11] },
});

const nextCursor = () =>
  documented(z.nullable(z.string()), {
    description: 'Pass it back as `cursor` for the next page; `null` after the last page. A page may be short, even empty, before the end.',
  });

export const ContactRowSchema = documented(
  z.object({
    id: contactId(),
    email: z.nullable(z.string()),
    phoneNumber: z.nullable(z.string()),
    linkedId: documented(z.nullable(contactId()), { description: 'The primary’s id on a secondary; `null` on a primary.' }),
    linkPrecedence: z.enum(['primary', 'secondary']),
    createdAt: timestamp(),
    updatedAt: timestamp(),
    deletedAt: documented(z.nullable(timestamp()), { description: 'Set once erased; an erased row has no email or phone.' }),
  }),
  {
    id: 'Contact',
    description: 'One stored contact row.',
    example: {
      id: 23,
      email: 'mcfly@hillvalley.edu',
      phoneNumber: '123456',
      linkedId: 1,
      linkPrecedence: 'secondary',
      createdAt: '2023-04-20T05:30:00.000Z',
      updatedAt: '2023-04-20T05:30:00.000Z',
      deletedAt: null,
    },
  },
);

export const ContactListSchema = documented(z.object({ contacts: z.array(ContactRowSchema), nextCursor: nextCursor() }), {
  id: 'ContactList',
  description: 'A page of contacts in id order.',
});

export const ContactResponseSchema = documented(z.object({ contact: ContactRowSchema }), { id: 'ContactResponse' });

const IdentityDetailSchema = documented(
  z.object({
    ...IDENTITY_FIELDS,
    contacts: documented(z.array(ContactRowSchema), {
      description: 'The identity’s rows: the primary first, then the secondaries by `createdAt`, then `id`.',
    }),
  }),
  { id: 'IdentityDetail' },
);

export const IdentityDetailsSchema = documented(z.object({ contact: IdentityDetailSchema }), {
  id: 'IdentityDetails',
  description: 'An identity as `POST /identify` answers it, with its rows.',
});

export const IdentityListSchema = documented(
  z.object({
    identities: documented(z.array(IdentityDetailSchema), {
      description: 'One identity, or two when the email and the phone belong to different identities; the oldest primary first.',
    }),
  }),
  { id: 'IdentityList', description: 'The identities that hold the values of a lookup.' },
);

export const ErasureSchema = documented(
  z.object({ erasedContactIds: documented(z.array(contactId()), { description: 'Every contact of the erased identity, ascending.' }) }),
  { id: 'Erasure', example: { erasedContactIds: [1, 23] } },
);

export const AuditEntrySchema = documented(
  z.object({
    seq: documented(z.int().check(z.minimum(1)), { description: 'Position in the log: increasing, gaps possible.' }),
    at: timestamp(),
    actor: documented(z.string(), { description: 'The acting admin’s `sub`.' }),
    action: z.enum(['identity.merge', 'identity.erase']),
    contactIds: z.array(contactId()),
    primaryContactId: documented(z.nullable(contactId()), { description: 'The primary after a merge, or the erased identity’s primary.' }),
    changed: documented(z.boolean(), {
      description: '`true`: this call’s own write committed the action; `false`: it found nothing left to do.',
    }),
    requestId: z.nullable(z.string()),
  }),
  { id: 'AuditEntry', description: 'One admin action. No email or phone is recorded.' },
);

export const AuditPageSchema = documented(z.object({ entries: z.array(AuditEntrySchema), nextCursor: nextCursor() }), {
  id: 'AuditPage',
  description: 'A page of the audit log, oldest first.',
});

/** GET /admin/events (local only): the text of a server-sent-events stream. */
export const ChangeEventStreamSchema = documented(z.string(), {
  description:
    'Server-sent events. First `retry: 2000`, then one message per change event: `id:` its eventId, `event:` its type (`identity.created`, `identity.contactAdded`, `identity.merged`, `identity.erased`), `data:` the event’s EventBridge envelope as JSON (emails and phones hashed unless `EVENT_CONTACT_VALUES=clear`); `: keep-alive` comments between them.',
  example: 'retry: 2000\n\nid: 6b01834c-1bc8-8229-b7b2-95d5095802c2\nevent: identity.created\ndata: {"version":"0","id":"6b01834c-1bc8-8229-b7b2-95d5095802c2","detail-type":"identity.created","source":"fluxkart.identity"}\n\n',
});
