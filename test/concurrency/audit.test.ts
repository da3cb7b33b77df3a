/**
 * The invariant audit (scripts/audit.ts) that the stress command and these tests rely on: it
 * passes a consistent data set and reports each kind of broken invariant.
 */
import { describe, expect, it } from 'vitest';
import { auditDataSet, type DataSet, type ResponseRecord } from '../../scripts/audit';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

/** Requests {a,111}, {b,111}, {c,111}... as the service stores them: 1 primary, 2 and 3 secondaries. */
function consistent(): DataSet {
  const row = (id: number, email: string, phoneNumber: string, primary = 1) => ({
    bucket: 0,
    id,
    email,
    phoneNumber,
    ...(id === primary ? {} : { linkedId: primary }),
    linkPrecedence: id === primary ? 'primary' : 'secondary',
    createdAt: at(id),
    updatedAt: at(id),
  });
  return {
    contacts: [
      { ...row(1, 'a@x.test', '5550111'), ver: 3, members: [
        { id: 2, createdAt: at(2), email: 'b@x.test', phoneNumber: '5550111' },
        { id: 3, createdAt: at(3), email: 'b@x.test', phoneNumber: '5550222' },
      ] },
      row(2, 'b@x.test', '5550111'),
      row(3, 'b@x.test', '5550222'),
    ],
    emails: [
      { email: 'a@x.test', contactId: 1, primaryId: 1 },
      { email: 'b@x.test', contactId: 2, primaryId: 1 },
    ],
    phones: [
      { phone: '5550111', contactId: 1, primaryId: 1 },
      { phone: '5550222', contactId: 3, primaryId: 1 },
    ],
    counters: [{ name: 'contactId', value: 50 }],
  };
}

const answer = (secondaryContactIds: number[], emails = ['a@x.test', 'b@x.test'], phoneNumbers = ['5550111', '5550222']) => ({
  contact: { primaryContactId: 1, primaryContatctId: 1, emails, phoneNumbers, secondaryContactIds },
});

function violations(mutate: (data: DataSet) => void, responses: ResponseRecord[] = []): string[] {
  const data = consistent();
  mutate(data);
  return auditDataSet(data, responses).violations;
}

describe('audit', () => {
  it('passes a consistent data set and answers', () => {
    const responses: ResponseRecord[] = [
      { request: { email: 'a@x.test', phoneNumber: '5550111' }, status: 200, body: answer([], ['a@x.test'], ['5550111']) },
      { request: { email: 'b@x.test', phoneNumber: null }, status: 200, body: answer([2], ['a@x.test', 'b@x.test'], ['5550111']) },
      { request: { email: 'b@x.test', phoneNumber: '5550222' }, status: 200, body: answer([2, 3]) },
    ];
    const report = auditDataSet(consistent(), responses);
    expect(report.violations).toEqual([]);
    expect(report.identities).toBe(1);
    expect(report.contacts).toBe(3);
    expect(report.created).toEqual({ primaries: 1, secondaries: 2, merges: 0 });
  });

  it.each([
    ['a chain', (d: DataSet) => void (d.contacts[2]!.linkedId = 2), /linkedId 2, not the primary 1/],
    ['two primaries', (d: DataSet) => {
      d.contacts[1]!.linkPrecedence = 'primary';
      delete d.contacts[1]!.linkedId;
    }, /2 primaries/],
    ['a primary that is not the oldest', (d: DataSet) => void (d.contacts[0]!.createdAt = at(9)), /oldest contact 2 is not the primary/],
    ['a stale claim hint', (d: DataSet) => void (d.emails[1]!.primaryId = 2), /hints at 2, not the primary 1/],
    ['a missing claim', (d: DataSet) => void d.phones.pop(), /phoneNumber \*\*\*22 has no claim/],
    ['a claim without a contact', (d: DataSet) => void d.emails.push({ email: 'z@x.test', contactId: 9, primaryId: 9 }), /has no live contact/],
    ['an aggregate missing a member', (d: DataSet) => void (d.contacts[0]!.members as unknown[]).pop(), /aggregate does not match/],
    ['a pending re-link', (d: DataSet) => void (d.contacts[0]!.relink = { from: 7 }), /re-link is still pending/],
    ['a duplicate contact', (d: DataSet) => {
      d.contacts.push({ ...d.contacts[2]!, id: 4, createdAt: at(4), updatedAt: at(4) });
      (d.contacts[0]!.members as unknown[]).push({ id: 4, createdAt: at(4), email: 'b@x.test', phoneNumber: '5550222' });
    }, /contact 4 introduced no value/],
    ['an id counter behind the ids', (d: DataSet) => void (d.counters[0]!.value = 2), /id counter 2 is below/],
  ])('reports %s', (_, mutate, expected) => {
    expect(violations(mutate).join('\n')).toMatch(expected);
  });

  it('reports answers that are not 200, miss their own values, or show a state that never existed', () => {
    const found = violations(() => undefined, [
      { request: { email: 'a@x.test', phoneNumber: null }, status: 503, body: { error: { code: 'contention' } } },
      { request: { email: 'b@x.test', phoneNumber: '5550222' }, status: 200, body: answer([2, 3], ['a@x.test', 'b@x.test'], ['5550111']) },
      // 3 without 2: the identity never had 3 as its only secondary (2 was appended first).
      { request: { email: 'b@x.test', phoneNumber: '5550222' }, status: 200, body: answer([3]) },
    ]).join('\n');
    expect(found).toMatch(/status 503/);
    expect(found).toMatch(/its phone number is missing/);
    expect(found).toMatch(/never had together/);
  });

  it('names the values of a violation masked, never in clear (the stress command prints them)', () => {
    const found = [
      violations((d) => void d.phones.pop()),
      violations((d) => void d.emails.push({ email: 'zed@x.test', contactId: 9, primaryId: 9 })),
      violations(() => undefined, [
        { request: { email: 'a@x.test', phoneNumber: '5550111' }, status: 503, body: { error: { code: 'contention', message: 'a@x.test 5550111' } } },
        { request: { email: 'b@x.test', phoneNumber: '5550222' }, status: 200, body: answer([2, 3], ['a@x.test', 'b@x.test', 'q@x.test'], ['5550111', '5559999']) },
      ]),
    ].flat().join('\n');
    expect(found).toMatch(/has no claim/);
    expect(found).toMatch(/has no live contact/);
    expect(found).toMatch(/status 503/);
    for (const value of ['a@x.test', 'b@x.test', 'q@x.test', 'zed@x.test', '5550111', '5550222', '5559999']) expect(found).not.toContain(value);
  });

  it('connects identities through the requests that merged them', () => {
    // Two groups of contacts that share no value: one identity only if a request linked them.
    const data = consistent();
    data.contacts.push({ bucket: 0, id: 5, email: 'd@x.test', phoneNumber: '5550999', linkedId: 1, linkPrecedence: 'secondary', createdAt: at(5), updatedAt: at(6) });
    (data.contacts[0]!.members as unknown[]).push({ id: 5, createdAt: at(5), email: 'd@x.test', phoneNumber: '5550999' });
    data.emails.push({ email: 'd@x.test', contactId: 5, primaryId: 1 });
    data.phones.push({ phone: '5550999', contactId: 5, primaryId: 1 });
    const merged = auditDataSet(data, [], { requests: [{ email: 'a@x.test', phoneNumber: '5550999' }] });
    expect(merged.violations).toEqual([]);
    expect(merged.created).toEqual({ primaries: 2, secondaries: 2, merges: 1 });
    // Without that request the data shows a secondary linked across identities.
    const unmerged = auditDataSet(data, [], { requests: [{ email: 'a@x.test', phoneNumber: null }] });
    expect(unmerged.violations.join('\n')).toMatch(/0 primaries/);
  });
});
