/**
 * The pure rules of lib/reconcile.ts (SPEC.md "Semantics" and "Response").
 */
import { describe, expect, it } from 'vitest';
import type { Contact, Identity, Member } from '../../lib/model';
import { addSecondary, compareAge, decide, merge, newPrimary, toView } from '../../lib/reconcile';

const T = (day: number, ms = 0) => new Date(Date.UTC(2023, 3, day, 0, 0, 0, ms)).toISOString();

function primary(id: number, email: string | null, phoneNumber: string | null, createdAt: string): Contact {
  return { id, email, phoneNumber, linkedId: null, linkPrecedence: 'primary', createdAt, updatedAt: createdAt, deletedAt: null };
}

function member(id: number, email: string | null, phoneNumber: string | null, createdAt: string): Member {
  return { id, email, phoneNumber, createdAt };
}

function identity(p: Contact, members: Member[] = [], version = 1): Identity {
  return { primary: p, members, version, relink: null };
}

// Doc Brown's identities, as in SPEC worked examples.
const lorraine = identity(primary(1, 'lorraine@hillvalley.edu', '123456', T(1)), [
  member(23, 'mcfly@hillvalley.edu', '123456', T(2)),
]);
const george = identity(primary(11, 'george@hillvalley.edu', '919191', T(11)));
const biff = identity(primary(27, 'biffsucks@hillvalley.edu', '717171', T(21)));

describe('compareAge', () => {
  it.each([
    ['older createdAt first', { id: 9, createdAt: T(1) }, { id: 1, createdAt: T(2) }, -1],
    ['newer createdAt last', { id: 1, createdAt: T(2) }, { id: 9, createdAt: T(1) }, 1],
    ['one millisecond apart', { id: 9, createdAt: T(1, 1) }, { id: 1, createdAt: T(1, 2) }, -1],
    ['same createdAt: smaller id first', { id: 3, createdAt: T(1) }, { id: 4, createdAt: T(1) }, -1],
    ['same createdAt: larger id last', { id: 40, createdAt: T(1) }, { id: 4, createdAt: T(1) }, 1],
    ['same contact', { id: 4, createdAt: T(1) }, { id: 4, createdAt: T(1) }, 0],
  ])('%s', (_name, a, b, sign) => {
    expect(Math.sign(compareAge(a, b))).toBe(sign);
  });
});

describe('decide', () => {
  it('nothing known -> new primary', () => {
    expect(decide({ email: 'a@b.co', phoneNumber: '1234' }, null, null)).toEqual({ kind: 'newPrimary' });
    expect(decide({ email: 'a@b.co', phoneNumber: null }, null, null)).toEqual({ kind: 'newPrimary' });
    expect(decide({ email: null, phoneNumber: '1234' }, null, null)).toEqual({ kind: 'newPrimary' });
  });

  it.each<[string, { email: string | null; phoneNumber: string | null }, 'email' | 'phone' | 'both']>([
    ['known email and known phone of the same identity', { email: 'mcfly@hillvalley.edu', phoneNumber: '123456' }, 'both'],
    ['the primary email alone', { email: 'lorraine@hillvalley.edu', phoneNumber: null }, 'email'],
    ['a secondary email alone', { email: 'mcfly@hillvalley.edu', phoneNumber: null }, 'email'],
    ['a known phone alone', { email: null, phoneNumber: '123456' }, 'phone'],
    ['email of the primary, phone of the secondary', { email: 'lorraine@hillvalley.edu', phoneNumber: '123456' }, 'both'],
  ])('everything known (%s) -> existing, write nothing', (_name, request, found) => {
    const byEmail = found === 'phone' ? null : lorraine;
    const byPhone = found === 'email' ? null : lorraine;
    expect(decide(request, byEmail, byPhone)).toEqual({ kind: 'existing', identity: lorraine });
  });

  it('a new email with a known phone -> new secondary of that identity', () => {
    expect(decide({ email: 'doc@hillvalley.edu', phoneNumber: '123456' }, null, lorraine)).toEqual({
      kind: 'newSecondary',
      identity: lorraine,
    });
  });

  it('a new phone with a known email -> new secondary of that identity', () => {
    expect(decide({ email: 'mcfly@hillvalley.edu', phoneNumber: '999999' }, lorraine, null)).toEqual({
      kind: 'newSecondary',
      identity: lorraine,
    });
  });

  it('email and phone of two identities -> merge, the older primary wins', () => {
    const request = { email: 'george@hillvalley.edu', phoneNumber: '717171' };
    expect(decide(request, george, biff)).toEqual({ kind: 'merge', winner: george, loser: biff });
  });

  it('merge picks the older primary whichever value points to it', () => {
    const request = { email: 'biffsucks@hillvalley.edu', phoneNumber: '919191' };
    expect(decide(request, biff, george)).toEqual({ kind: 'merge', winner: george, loser: biff });
  });

  it('merge breaks a createdAt tie by the smaller id', () => {
    const a = identity(primary(8, 'a@b.co', '1111', T(5)));
    const b = identity(primary(5, 'c@b.co', '2222', T(5)));
    expect(decide({ email: 'a@b.co', phoneNumber: '2222' }, a, b)).toEqual({ kind: 'merge', winner: b, loser: a });
    expect(decide({ email: 'c@b.co', phoneNumber: '1111' }, b, a)).toEqual({ kind: 'merge', winner: b, loser: a });
  });

  it('the same identity found through both values is not a merge', () => {
    const copy = structuredClone(lorraine);
    expect(decide({ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' }, lorraine, copy).kind).toBe('existing');
  });
});

describe('newPrimary', () => {
  it('creates a one-contact identity with the request values', () => {
    const now = new Date(T(3, 5));
    expect(newPrimary({ email: 'a@b.co', phoneNumber: null }, 7, now)).toEqual({
      primary: {
        id: 7,
        email: 'a@b.co',
        phoneNumber: null,
        linkedId: null,
        linkPrecedence: 'primary',
        createdAt: T(3, 5),
        updatedAt: T(3, 5),
        deletedAt: null,
      },
      members: [],
      version: 1,
      relink: null,
    });
  });
});

describe('addSecondary', () => {
  it('creates a secondary {e, p} linked to the primary and reports which values are new', () => {
    const now = new Date(T(10));
    const added = addSecondary(lorraine, { email: 'doc@hillvalley.edu', phoneNumber: '123456' }, 40, now);
    expect(added.contact).toEqual({
      id: 40,
      email: 'doc@hillvalley.edu',
      phoneNumber: '123456',
      linkedId: 1,
      linkPrecedence: 'secondary',
      createdAt: T(10),
      updatedAt: T(10),
      deletedAt: null,
    });
    expect(added.newEmail).toBe('doc@hillvalley.edu');
    expect(added.newPhoneNumber).toBeNull();
    expect(added.identity.version).toBe(lorraine.version + 1);
    expect(added.identity.members.map((m) => m.id)).toEqual([23, 40]);
    expect(toView(added.identity)).toEqual({
      primaryContactId: 1,
      emails: ['lorraine@hillvalley.edu', 'mcfly@hillvalley.edu', 'doc@hillvalley.edu'],
      phoneNumbers: ['123456'],
      secondaryContactIds: [23, 40],
    });
  });

  it('reports a new phone when only the phone is new', () => {
    const added = addSecondary(lorraine, { email: 'mcfly@hillvalley.edu', phoneNumber: '5550000' }, 41, new Date(T(10)));
    expect(added.newEmail).toBeNull();
    expect(added.newPhoneNumber).toBe('5550000');
  });

  it.each([
    ['a clock behind the primary', T(1)],
    ['a clock behind the newest secondary', T(1, 500)],
    ['a clock exactly at the newest contact', T(2)],
    ['a clock far in the past', '2000-01-01T00:00:00.000Z'],
  ])('never dates the newcomer at or before the newest contact (%s)', (_name, clock) => {
    const added = addSecondary(lorraine, { email: 'doc@hillvalley.edu', phoneNumber: null }, 42, new Date(clock));
    // The newest contact is 23 at T(2): the newcomer must come after it.
    expect(added.contact.createdAt > T(2)).toBe(true);
    expect(added.contact.createdAt).toBe(T(2, 1));
    expect(added.contact.updatedAt).toBe(added.contact.createdAt);
    // ... so the primary stays the oldest, and the newcomer orders last.
    expect(toView(added.identity).secondaryContactIds).toEqual([23, 42]);
  });

  it('keeps the clock when it is ahead of every contact', () => {
    const added = addSecondary(lorraine, { email: 'doc@hillvalley.edu', phoneNumber: null }, 42, new Date(T(20)));
    expect(added.contact.createdAt).toBe(T(20));
  });

  it('uses the newest member even when the members are not in age order', () => {
    const shuffled = identity(primary(1, 'a@b.co', '1111', T(1)), [
      member(9, 'x@b.co', null, T(9)),
      member(3, 'y@b.co', null, T(3)),
    ]);
    const added = addSecondary(shuffled, { email: 'z@b.co', phoneNumber: null }, 10, new Date(T(5)));
    expect(added.contact.createdAt).toBe(T(9, 1));
  });
});

describe('merge', () => {
  const winner = identity(primary(11, 'george@hillvalley.edu', '919191', T(11)), [member(12, 'g2@b.co', '919191', T(12))], 4);
  const loser = identity(
    primary(27, 'biffsucks@hillvalley.edu', '717171', T(21)),
    [member(30, 'biff2@b.co', '717171', T(22)), member(31, null, '818181', T(23))],
    6,
  );
  const now = new Date(T(25));

  it('demotes the loser primary to a secondary of the winner, setting updatedAt', () => {
    const result = merge(winner, loser, now);
    expect(result.demoted).toEqual({
      ...loser.primary,
      linkedId: 11,
      linkPrecedence: 'secondary',
      updatedAt: T(25),
    });
    expect(result.demoted.createdAt).toBe(loser.primary.createdAt);
  });

  it("moves every contact and every value of the loser into the winner's identity", () => {
    const result = merge(winner, loser, now);
    expect(result.identity.primary).toEqual(winner.primary);
    expect(result.identity.version).toBe(winner.version + 1);
    expect(result.identity.members.map((m) => m.id).sort((a, b) => a - b)).toEqual([12, 27, 30, 31]);
    expect(result.relinkIds.sort((a, b) => a - b)).toEqual([30, 31]);
    expect(result.movedEmails.sort()).toEqual(['biff2@b.co', 'biffsucks@hillvalley.edu']);
    expect(result.movedPhoneNumbers.sort()).toEqual(['717171', '818181']);
    expect(toView(result.identity)).toEqual({
      primaryContactId: 11,
      emails: ['george@hillvalley.edu', 'g2@b.co', 'biffsucks@hillvalley.edu', 'biff2@b.co'],
      phoneNumbers: ['919191', '717171', '818181'],
      secondaryContactIds: [12, 27, 30, 31],
    });
  });

  it('keeps the older primary whatever the argument order, via decide', () => {
    for (const [byEmail, byPhone] of [
      [winner, loser],
      [loser, winner],
    ] as const) {
      const decision = decide({ email: byEmail.primary.email, phoneNumber: byPhone.primary.phoneNumber }, byEmail, byPhone);
      expect(decision.kind).toBe('merge');
      if (decision.kind !== 'merge') return;
      const result = merge(decision.winner, decision.loser, now);
      expect(result.identity.primary.id).toBe(11);
      expect(result.demoted.id).toBe(27);
      expect(toView(result.identity).secondaryContactIds).toEqual([12, 27, 30, 31]);
    }
  });

  it('does not modify the identities it was given', () => {
    const w = structuredClone(winner);
    const l = structuredClone(loser);
    merge(w, l, now);
    expect(w).toEqual(winner);
    expect(l).toEqual(loser);
  });

  it('worked example 2: george absorbs biff', () => {
    const result = merge(george, biff, now);
    expect(toView(result.identity)).toEqual({
      primaryContactId: 11,
      emails: ['george@hillvalley.edu', 'biffsucks@hillvalley.edu'],
      phoneNumbers: ['919191', '717171'],
      secondaryContactIds: [27],
    });
    expect(result.relinkIds).toEqual([]);
  });
});

describe('toView', () => {
  it("lists the primary's values first, even when a secondary is listed earlier in the aggregate", () => {
    const view = toView(
      identity(primary(5, 'p@b.co', '5555', T(5)), [
        member(9, 'late@b.co', '9999', T(9)),
        member(6, 'early@b.co', '6666', T(6)),
      ]),
    );
    expect(view).toEqual({
      primaryContactId: 5,
      emails: ['p@b.co', 'early@b.co', 'late@b.co'],
      phoneNumbers: ['5555', '6666', '9999'],
      secondaryContactIds: [6, 9],
    });
  });

  it('orders values by the (createdAt, id) of the contact that first carried them', () => {
    const view = toView(
      identity(primary(1, 'p@b.co', null, T(1)), [
        // Same createdAt: the smaller id carried the value first.
        member(8, 'x@b.co', '2222', T(3)),
        member(4, 'y@b.co', '2222', T(3)),
        member(2, 'x@b.co', '1111', T(4)),
      ]),
    );
    expect(view.emails).toEqual(['p@b.co', 'y@b.co', 'x@b.co']);
    expect(view.phoneNumbers).toEqual(['2222', '1111']);
    expect(view.secondaryContactIds).toEqual([4, 8, 2]);
  });

  it('orders secondaries by createdAt then id, not by id alone', () => {
    const view = toView(
      identity(primary(100, 'p@b.co', '1000', T(1)), [
        member(3, 'c@b.co', null, T(9)),
        member(50, 'b@b.co', null, T(2)),
        member(7, 'a@b.co', null, T(2)),
      ]),
    );
    expect(view.secondaryContactIds).toEqual([7, 50, 3]);
  });

  it('lists values without duplicates and without nulls; a primary without a value does not come first', () => {
    const view = toView(
      identity(primary(1, null, '1111', T(1)), [
        member(2, 'a@b.co', null, T(2)),
        member(3, 'a@b.co', '1111', T(3)),
        member(4, null, '2222', T(4)),
        member(5, 'b@b.co', '2222', T(5)),
      ]),
    );
    expect(view.emails).toEqual(['a@b.co', 'b@b.co']);
    expect(view.phoneNumbers).toEqual(['1111', '2222']);
    expect(view.secondaryContactIds).toEqual([2, 3, 4, 5]);
  });

  it('answers a lone primary with empty secondaries', () => {
    expect(toView(identity(primary(3, null, '1234', T(1))))).toEqual({
      primaryContactId: 3,
      emails: [],
      phoneNumbers: ['1234'],
      secondaryContactIds: [],
    });
  });

  it('does not reorder the aggregate it was given', () => {
    const members = [member(9, 'a@b.co', null, T(9)), member(6, 'b@b.co', null, T(6))];
    toView(identity(primary(1, 'p@b.co', null, T(1)), members));
    expect(members.map((m) => m.id)).toEqual([9, 6]);
  });
});
