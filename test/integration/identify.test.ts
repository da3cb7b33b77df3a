/**
 * Every rule of SPEC.md "POST /identify" against DynamoDB Local, through IdentityService and
 * DynamoContactStore. "Writes nothing" is checked by comparing every item of every table before
 * and after; rows are read back with store.readContacts.
 */
import { describe, expect, it } from 'vitest';
import { identityBody as identifyResponse } from '../../lib/http/response';
import type { Contact } from '../../lib/model';
import { deadlineIn } from '../../lib/retry';
import { parseIdentifyRequest } from '../../lib/validation';
import { createTestService } from '../support/dynamo';
import { checkInvariants, setNextContactId, snapshot } from '../support/snapshot';
import { WORKED_EXAMPLE_1_RESPONSE, WORKED_EXAMPLE_2_RESPONSE } from '../support/worked-examples';

type TestService = Awaited<ReturnType<typeof createTestService>>;

/** A service on fresh tables whose clock the test sets. */
async function setup(options: { idBlockSize?: number; start?: string } = {}) {
  let now = new Date(options.start ?? '2023-04-01T00:00:00.000Z');
  const t = await createTestService({ idBlockSize: options.idBlockSize, service: { clock: () => now } });
  return {
    ...t,
    setClock: (iso: string) => {
      now = new Date(iso);
    },
    /** Advances the clock by `ms` (1 s by default), so each contact gets a distinct createdAt. */
    tick: (ms = 1000) => {
      now = new Date(now.getTime() + ms);
    },
    /** The HTTP body of a request, validated and normalised as the handler does it. */
    identify: async (body: unknown) => t.service.identify(parseIdentifyRequest(body), deadlineIn(10_000)),
  };
}

async function rows(t: TestService, ids: number[]): Promise<Map<number, Contact>> {
  const found = await t.store.readContacts(ids);
  return new Map([...found].map(([id, stored]) => [id, stored.contact]));
}

async function expectNoWrites(t: TestService, action: () => Promise<unknown>) {
  const before = await snapshot(t);
  await action();
  expect(await snapshot(t)).toEqual(before);
}

describe('rule 1: nothing known -> a new primary', () => {
  it('creates one primary contact with both values and claims them', async () => {
    const t = await setup();
    const view = await t.identify({ email: 'doc@hillvalley.edu', phoneNumber: '5550109999' });
    expect(view).toEqual({
      primaryContactId: view.primaryContactId,
      emails: ['doc@hillvalley.edu'],
      phoneNumbers: ['5550109999'],
      secondaryContactIds: [],
    });
    expect(view.primaryContactId).toBeGreaterThan(0);
    const s = await snapshot(t);
    expect(s.contacts).toHaveLength(1);
    const contact = (await rows(t, [view.primaryContactId])).get(view.primaryContactId);
    expect(contact).toEqual({
      id: view.primaryContactId,
      email: 'doc@hillvalley.edu',
      phoneNumber: '5550109999',
      linkedId: null,
      linkPrecedence: 'primary',
      createdAt: '2023-04-01T00:00:00.000Z',
      updatedAt: '2023-04-01T00:00:00.000Z',
      deletedAt: null,
    });
    checkInvariants(s);
  });

  it.each<[string, unknown, { email: string | null; phoneNumber: string | null }]>([
    ['email only (phone absent)', { email: 'Doc@HillValley.edu ' }, { email: 'doc@hillvalley.edu', phoneNumber: null }],
    ['email with phone null', { email: 'doc@hillvalley.edu', phoneNumber: null }, { email: 'doc@hillvalley.edu', phoneNumber: null }],
    ['email with phone blank', { email: 'doc@hillvalley.edu', phoneNumber: '  ' }, { email: 'doc@hillvalley.edu', phoneNumber: null }],
    ['phone only (email absent)', { phoneNumber: '+1 (555) 010-9999' }, { email: null, phoneNumber: '+15550109999' }],
    ['phone with email null', { email: null, phoneNumber: '123456' }, { email: null, phoneNumber: '123456' }],
    ['phone with email blank', { email: '', phoneNumber: '123456' }, { email: null, phoneNumber: '123456' }],
    ['phone given as a number', { phoneNumber: 123456 }, { email: null, phoneNumber: '123456' }],
  ])('stores no value that was not given: %s', async (_name, body, stored) => {
    const t = await setup();
    const view = await t.identify(body);
    expect(view.emails).toEqual(stored.email === null ? [] : [stored.email]);
    expect(view.phoneNumbers).toEqual(stored.phoneNumber === null ? [] : [stored.phoneNumber]);
    const contact = (await rows(t, [view.primaryContactId])).get(view.primaryContactId)!;
    expect({ email: contact.email, phoneNumber: contact.phoneNumber }).toEqual(stored);
    const s = await snapshot(t);
    expect(s.emails).toHaveLength(stored.email === null ? 0 : 1);
    expect(s.phones).toHaveLength(stored.phoneNumber === null ? 0 : 1);
    checkInvariants(s);
  });

  it('gives later contacts larger ids', async () => {
    const t = await setup();
    const a = await t.identify({ email: 'a@b.co' });
    const b = await t.identify({ email: 'c@b.co' });
    const c = await t.identify({ phoneNumber: '1234' });
    expect(a.primaryContactId).toBeGreaterThan(0);
    expect(b.primaryContactId).toBeGreaterThan(a.primaryContactId);
    expect(c.primaryContactId).toBeGreaterThan(b.primaryContactId);
  });
});

describe('rule 2: one identity matches', () => {
  it.each<[string, unknown]>([
    ['the same email and phone', { email: 'doc@hillvalley.edu', phoneNumber: '123456' }],
    ['the email alone', { email: 'doc@hillvalley.edu' }],
    ['the email with phone null', { email: 'doc@hillvalley.edu', phoneNumber: null }],
    ['the email with phone blank', { email: 'doc@hillvalley.edu', phoneNumber: ' ' }],
    ['the email in another case, untrimmed', { email: '  DOC@HillValley.EDU ' }],
    ['the phone alone', { phoneNumber: '123456' }],
    ['the phone with email null', { email: null, phoneNumber: '123456' }],
    ['the phone with email blank', { email: '  ', phoneNumber: '123456' }],
    ['the phone as a number', { phoneNumber: 123456 }],
    ['the phone with separators', { phoneNumber: '12-34.56' }],
  ])('known values (%s) write nothing and answer the identity', async (_name, body) => {
    const t = await setup();
    const first = await t.identify({ email: 'doc@hillvalley.edu', phoneNumber: '123456' });
    let view: unknown;
    await expectNoWrites(t, async () => {
      view = await t.identify(body);
    });
    expect(view).toEqual(first);
  });

  it('a new email with a known phone creates one secondary {e, p} linked to the primary', async () => {
    const t = await setup();
    const first = await t.identify({ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' });
    t.tick();
    const view = await t.identify({ email: 'mcfly@hillvalley.edu', phoneNumber: '123456' });
    expect(view.primaryContactId).toBe(first.primaryContactId);
    expect(view.emails).toEqual(['lorraine@hillvalley.edu', 'mcfly@hillvalley.edu']);
    expect(view.phoneNumbers).toEqual(['123456']);
    expect(view.secondaryContactIds).toHaveLength(1);
    const secondaryId = view.secondaryContactIds[0]!;
    expect(secondaryId).toBeGreaterThan(first.primaryContactId);
    const stored = await rows(t, [first.primaryContactId, secondaryId]);
    expect(stored.get(secondaryId)).toEqual({
      id: secondaryId,
      email: 'mcfly@hillvalley.edu',
      phoneNumber: '123456',
      linkedId: first.primaryContactId,
      linkPrecedence: 'secondary',
      createdAt: '2023-04-01T00:00:01.000Z',
      updatedAt: '2023-04-01T00:00:01.000Z',
      deletedAt: null,
    });
    // The primary row itself is unchanged.
    expect(stored.get(first.primaryContactId)).toMatchObject({ linkPrecedence: 'primary', linkedId: null, updatedAt: '2023-04-01T00:00:00.000Z' });
    const s = await snapshot(t);
    expect(s.contacts).toHaveLength(2);
    checkInvariants(s);
  });

  it('a new phone with a known email creates one secondary', async () => {
    const t = await setup();
    const first = await t.identify({ email: 'doc@hillvalley.edu', phoneNumber: '123456' });
    t.tick();
    const view = await t.identify({ email: 'doc@hillvalley.edu', phoneNumber: 7654321 });
    expect(view).toEqual({
      primaryContactId: first.primaryContactId,
      emails: ['doc@hillvalley.edu'],
      phoneNumbers: ['123456', '7654321'],
      secondaryContactIds: [view.secondaryContactIds[0]],
    });
    const secondary = (await rows(t, view.secondaryContactIds)).get(view.secondaryContactIds[0]!)!;
    expect(secondary).toMatchObject({ email: 'doc@hillvalley.edu', phoneNumber: '7654321', linkedId: first.primaryContactId, linkPrecedence: 'secondary' });
    checkInvariants(await snapshot(t));
  });

  it('a value reached through a secondary links the newcomer to the primary, not to the secondary', async () => {
    const t = await setup();
    const first = await t.identify({ email: 'a@b.co', phoneNumber: '1111' });
    t.tick();
    const second = await t.identify({ email: 'c@b.co', phoneNumber: '1111' });
    t.tick();
    const third = await t.identify({ email: 'c@b.co', phoneNumber: '2222' });
    expect(third.primaryContactId).toBe(first.primaryContactId);
    expect(third.secondaryContactIds).toHaveLength(2);
    const newcomer = (await rows(t, third.secondaryContactIds)).get(third.secondaryContactIds[1]!)!;
    expect(newcomer.linkedId).toBe(first.primaryContactId);
    expect(third.emails).toEqual(['a@b.co', 'c@b.co']);
    expect(third.phoneNumbers).toEqual(['1111', '2222']);
    expect(second.secondaryContactIds).toEqual([third.secondaryContactIds[0]]);
    checkInvariants(await snapshot(t));
  });

  it('a newcomer is dated after the newest contact even when the clock runs behind', async () => {
    const t = await setup({ start: '2023-04-10T00:00:00.000Z' });
    const first = await t.identify({ email: 'a@b.co', phoneNumber: '1111' });
    t.setClock('2023-04-01T00:00:00.000Z');
    const view = await t.identify({ email: 'late@b.co', phoneNumber: '1111' });
    const secondary = (await rows(t, view.secondaryContactIds)).get(view.secondaryContactIds[0]!)!;
    expect(secondary.createdAt > '2023-04-10T00:00:00.000Z').toBe(true);
    expect(view.primaryContactId).toBe(first.primaryContactId);
    checkInvariants(await snapshot(t));
  });
});

describe('rule 3: email of one identity, phone of another -> merge', () => {
  /** Identity A (older): {a1,p1} + {a2,p1}; identity B: {b1,p2} + {b2,p2} + {null,p3 via b1}. */
  async function twoIdentities() {
    const t = await setup();
    await t.identify({ email: 'a1@b.co', phoneNumber: '1111' });
    t.tick();
    const a = await t.identify({ email: 'a2@b.co', phoneNumber: '1111' });
    t.tick();
    const b = await t.identify({ email: 'b1@b.co', phoneNumber: '2222' });
    t.tick();
    await t.identify({ email: 'b2@b.co', phoneNumber: '2222' });
    t.tick();
    const bLast = await t.identify({ email: 'b1@b.co', phoneNumber: '3333' });
    t.setClock('2023-05-01T00:00:00.000Z');
    return { t, a, b: bLast, bPrimary: b.primaryContactId };
  }

  it.each<[string, unknown]>([
    ["the older identity's email with the newer's phone", { email: 'a2@b.co', phoneNumber: '3333' }],
    ["the newer identity's email with the older's phone", { email: 'b2@b.co', phoneNumber: '1111' }],
  ])('keeps the older primary, demotes the other and re-links its secondaries (%s)', async (_name, body) => {
    const { t, a, b, bPrimary } = await twoIdentities();
    const before = await snapshot(t);
    const bSecondaries = b.secondaryContactIds;
    expect(bSecondaries).toHaveLength(2);

    const view = await t.identify(body);

    expect(view).toEqual({
      primaryContactId: a.primaryContactId,
      emails: ['a1@b.co', 'a2@b.co', 'b1@b.co', 'b2@b.co'],
      phoneNumbers: ['1111', '2222', '3333'],
      secondaryContactIds: [...a.secondaryContactIds, bPrimary, ...bSecondaries],
    });
    const after = await snapshot(t);
    expect(after.contacts, 'no new contact on merge').toHaveLength(before.contacts.length);
    const stored = await rows(t, [a.primaryContactId, ...a.secondaryContactIds, bPrimary, ...bSecondaries]);
    expect(stored.get(a.primaryContactId)).toMatchObject({ linkPrecedence: 'primary', linkedId: null });
    expect(stored.get(bPrimary)).toMatchObject({
      linkPrecedence: 'secondary',
      linkedId: a.primaryContactId,
      updatedAt: '2023-05-01T00:00:00.000Z',
      createdAt: '2023-04-01T00:00:02.000Z',
    });
    for (const id of bSecondaries) {
      expect(stored.get(id), `secondary ${id} of the absorbed identity`).toMatchObject({
        linkPrecedence: 'secondary',
        linkedId: a.primaryContactId,
      });
      expect(stored.get(id)!.updatedAt, 'updatedAt set on every changed row').not.toBe(stored.get(id)!.createdAt);
    }
    // Rows of the winning identity did not change.
    for (const id of [a.primaryContactId, ...a.secondaryContactIds]) {
      expect(stored.get(id)!.updatedAt).toBe(stored.get(id)!.createdAt);
    }
    const identities = checkInvariants(after);
    expect(identities).toHaveLength(1);
  });

  it('answers the merged identity for any of its values afterwards, writing nothing', async () => {
    const { t, a } = await twoIdentities();
    const merged = await t.identify({ email: 'a1@b.co', phoneNumber: '2222' });
    for (const body of [{ email: 'b2@b.co' }, { phoneNumber: '3333' }, { email: 'a2@b.co', phoneNumber: '3333' }, { email: 'b1@b.co', phoneNumber: '1111' }]) {
      let view: unknown;
      await expectNoWrites(t, async () => {
        view = await t.identify(body);
      });
      expect(view).toEqual(merged);
    }
    expect(merged.primaryContactId).toBe(a.primaryContactId);
  });

  it('merges identities whose absorbed side exceeds one transaction (110 secondaries)', async () => {
    const t = await setup({ idBlockSize: 500 });
    const a = await t.identify({ email: 'old@b.co', phoneNumber: '1000' });
    t.tick();
    const b = await t.identify({ email: 'big@b.co', phoneNumber: '2000' });
    for (let i = 0; i < 110; i++) {
      t.tick(1);
      await t.identify({ email: `member${i}@b.co`, phoneNumber: '2000' });
    }
    t.setClock('2023-05-01T00:00:00.000Z');
    const view = await t.identify({ email: 'old@b.co', phoneNumber: '2000' });
    expect(view.primaryContactId).toBe(a.primaryContactId);
    expect(view.secondaryContactIds).toHaveLength(111);
    expect(view.secondaryContactIds[0]).toBe(b.primaryContactId);
    expect(view.emails).toHaveLength(112);
    const identities = checkInvariants(await snapshot(t));
    expect(identities).toHaveLength(1);
    expect(identities[0]!.contactIds).toHaveLength(112);
  });
});

describe('repetition', () => {
  it.each<[string, unknown[]]>([
    ['a new primary', [{ email: 'a@b.co', phoneNumber: '1111' }]],
    ['a new secondary', [{ email: 'a@b.co', phoneNumber: '1111' }, { email: 'c@b.co', phoneNumber: '1111' }]],
    ['a merge', [{ email: 'a@b.co', phoneNumber: '1111' }, { email: 'c@b.co', phoneNumber: '2222' }, { email: 'a@b.co', phoneNumber: '2222' }]],
  ])('the same request repeated answers the same and writes nothing the second time (%s)', async (_name, requests) => {
    const t = await setup();
    let first: unknown;
    for (const body of requests) {
      t.tick();
      first = await t.identify(body);
    }
    t.tick();
    let second: unknown;
    await expectNoWrites(t, async () => {
      second = await t.identify(requests.at(-1));
    });
    expect(second).toEqual(first);
  });
});

describe('worked examples (SPEC.md)', () => {
  it('example 1: lorraine and mcfly', async () => {
    const t = await setup({ idBlockSize: 1 });
    await setNextContactId(t, 1);
    const lorraine = await t.identify({ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' });
    expect(lorraine.primaryContactId).toBe(1);
    t.tick();
    await setNextContactId(t, 23);
    const expected = WORKED_EXAMPLE_1_RESPONSE;
    const view = await t.identify({ email: 'mcfly@hillvalley.edu', phoneNumber: '123456' });
    expect(identifyResponse(view)).toStrictEqual(expected);
    expect((await rows(t, [23])).get(23)).toMatchObject({
      email: 'mcfly@hillvalley.edu',
      phoneNumber: '123456',
      linkedId: 1,
      linkPrecedence: 'secondary',
    });
    for (const body of [
      { email: null, phoneNumber: '123456' },
      { email: 'lorraine@hillvalley.edu', phoneNumber: null },
      { email: 'mcfly@hillvalley.edu', phoneNumber: null },
    ]) {
      let again: unknown;
      await expectNoWrites(t, async () => {
        again = identifyResponse(await t.identify(body));
      });
      expect(again).toStrictEqual(expected);
    }
    checkInvariants(await snapshot(t));
  });

  it('example 2: george absorbs biff', async () => {
    const t = await setup({ idBlockSize: 1, start: '2023-04-11T00:00:00.000Z' });
    await setNextContactId(t, 11);
    await t.identify({ email: 'george@hillvalley.edu', phoneNumber: '919191' });
    t.setClock('2023-04-21T00:00:00.000Z');
    await setNextContactId(t, 27);
    await t.identify({ email: 'biffsucks@hillvalley.edu', phoneNumber: '717171' });
    t.setClock('2023-04-22T00:00:00.000Z');
    const before = await snapshot(t);

    const view = await t.identify({ email: 'george@hillvalley.edu', phoneNumber: '717171' });

    expect(JSON.stringify(identifyResponse(view))).toBe(
      JSON.stringify(WORKED_EXAMPLE_2_RESPONSE),
    );
    const after = await snapshot(t);
    expect(after.contacts.map((c) => Number(c.id))).toEqual([11, 27]);
    expect(before.contacts).toHaveLength(2);
    const stored = await rows(t, [11, 27]);
    expect(stored.get(11)).toEqual({
      id: 11,
      email: 'george@hillvalley.edu',
      phoneNumber: '919191',
      linkedId: null,
      linkPrecedence: 'primary',
      createdAt: '2023-04-11T00:00:00.000Z',
      updatedAt: '2023-04-11T00:00:00.000Z',
      deletedAt: null,
    });
    expect(stored.get(27)).toEqual({
      id: 27,
      email: 'biffsucks@hillvalley.edu',
      phoneNumber: '717171',
      linkedId: 11,
      linkPrecedence: 'secondary',
      createdAt: '2023-04-21T00:00:00.000Z',
      updatedAt: '2023-04-22T00:00:00.000Z',
      deletedAt: null,
    });
    checkInvariants(after);
  });

  it('example 2 with the newer primary created with a smaller id still keeps the older primary', async () => {
    const t = await setup({ idBlockSize: 1, start: '2023-04-21T00:00:00.000Z' });
    // Ids and dates disagree: biff has the smaller id but the later createdAt.
    await setNextContactId(t, 11);
    await t.identify({ email: 'biffsucks@hillvalley.edu', phoneNumber: '717171' });
    t.setClock('2023-04-11T00:00:00.000Z');
    await setNextContactId(t, 27);
    await t.identify({ email: 'george@hillvalley.edu', phoneNumber: '919191' });
    t.setClock('2023-04-22T00:00:00.000Z');
    const view = await t.identify({ email: 'george@hillvalley.edu', phoneNumber: '717171' });
    expect(view).toEqual({
      primaryContactId: 27,
      emails: ['george@hillvalley.edu', 'biffsucks@hillvalley.edu'],
      phoneNumbers: ['919191', '717171'],
      secondaryContactIds: [11],
    });
    checkInvariants(await snapshot(t));
  });
});

describe('rejected requests', () => {
  it.each<[string, unknown]>([
    ['neither given', { email: null, phoneNumber: '' }],
    ['an invalid email', { email: 'doc@', phoneNumber: '123456' }],
    ['an invalid phone', { email: 'doc@hillvalley.edu', phoneNumber: '12' }],
  ])('%s writes nothing', async (_name, body) => {
    const t = await setup();
    await t.identify({ email: 'doc@hillvalley.edu', phoneNumber: '5550000' });
    await expectNoWrites(t, async () => {
      await expect(t.identify(body)).rejects.toMatchObject({ status: 400 });
    });
  });
});
