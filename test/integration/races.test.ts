/**
 * SPEC.md "Concurrency contract": the races fired at once (Promise.all), through the service on
 * several "function instances" (each its own DynamoDB client and store, as separate Lambda
 * containers have) and over HTTP through the local server. After each race the tables are scanned
 * and every invariant checked; every response must include its own request's values.
 *
 * DynamoDB Local serialises transactions, so these races exercise the conditional writes and the
 * re-read-and-retry path, not TransactionConflict (store-errors.test.ts covers that with mocks).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lib/dynamo-client';
import { DynamoContactStore } from '../../lib/store/dynamodb';
import { IdentityService } from '../../lib/identity-service';
import { createLocalServer } from '../../lib/local/server';
import type { IdentityView } from '../../lib/model';
import { deadlineIn } from '../../lib/retry';
import { parseIdentifyRequest } from '../../lib/validation';
import { createTestTables, type TestTables } from '../support/dynamo';
import { checkInvariants, snapshot } from '../support/snapshot';
import { httpRequest } from '../support/http';

interface Body {
  email?: string | null;
  phoneNumber?: string | number | null;
}

/** Sends requests somewhere and answers the consolidated contact of each. */
type Client = (body: Body, i: number) => Promise<IdentityView>;

const INSTANCES = 5;

/** Fresh tables and a client that spreads requests over several service instances. */
async function viaService(): Promise<{ tables: TestTables; send: Client }> {
  const tables = await createTestTables();
  const config = tables.config({ idBlockSize: 10 });
  const services = Array.from(
    { length: INSTANCES },
    () => new IdentityService(new DynamoContactStore(createDocumentClient(config), config.tables, config.idBlockSize)),
  );
  return {
    tables,
    send: async (body, i) => services[i % INSTANCES]!.identify(parseIdentifyRequest(body), deadlineIn(20_000)),
  };
}

let server: Server | undefined;
let httpTables: TestTables;
let base: string;

/** The local server on the file's HTTP tables (the handlers' container reads them once). */
async function viaHttp(): Promise<{ tables: TestTables; send: Client }> {
  if (!server) {
    httpTables = await createTestTables();
    Object.assign(process.env, httpTables.env, { LOG_LEVEL: 'warn' });
    server = createLocalServer({ timeoutMs: 20_000 });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    tables: httpTables,
    send: async (body) => {
      const res = await httpRequest(`${base}/identify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = res.json as { contact: IdentityView & { primaryContatctId: number } };
      expect(res.status, JSON.stringify(json)).toBe(200);
      expect(json.contact.primaryContatctId).toBe(json.contact.primaryContactId);
      const { primaryContatctId: _alias, ...view } = json.contact;
      return view;
    },
  };
}

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
});

/** The response includes the request's own (normalised) values. */
function expectOwnValues(view: IdentityView, body: Body) {
  const request = parseIdentifyRequest(body);
  if (request.email !== null) expect(view.emails).toContain(request.email);
  if (request.phoneNumber !== null) expect(view.phoneNumbers).toContain(request.phoneNumber);
}

/** Contacts of the identity (from a scan) that carry any of the given values. */
function identityWith(identities: ReturnType<typeof checkInvariants>, value: { email?: string; phone?: string }) {
  const found = identities.filter(
    (i) => (value.email !== undefined && i.emails.has(value.email)) || (value.phone !== undefined && i.phones.has(value.phone)),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe.each([
  ['through the service on several instances', viaService],
  ['over HTTP', viaHttp],
])('races %s', (label, connect) => {
  // Values unique to each test, so that tests sharing the HTTP tables cannot meet.
  const tag = label.startsWith('over') ? 'h' : 's';

  it('25 identical new requests create exactly one contact', async () => {
    const { tables, send } = await connect();
    const body = { email: `race1.${tag}@hillvalley.edu`, phoneNumber: `+1555${tag === 'h' ? 1 : 2}000001` };
    const before = (await snapshot(tables)).contacts.length;

    const views = await Promise.all(Array.from({ length: 25 }, (_, i) => send(body, i)));

    for (const view of views) expectOwnValues(view, body);
    expect(new Set(views.map((v) => JSON.stringify(v))).size).toBe(1);
    expect(views[0]!.secondaryContactIds).toEqual([]);
    const after = await snapshot(tables);
    expect(after.contacts.length - before).toBe(1);
    const identity = identityWith(checkInvariants(after), { email: body.email });
    expect(identity.contactIds).toEqual([views[0]!.primaryContactId]);
  });

  it('20 requests bringing the same new email to a known phone create exactly one secondary', async () => {
    const { tables, send } = await connect();
    const phone = `555${tag === 'h' ? 1 : 2}000002`;
    const seed = await send({ email: `race2.seed.${tag}@hillvalley.edu`, phoneNumber: phone }, 0);
    const before = (await snapshot(tables)).contacts.length;
    const body = { email: `race2.new.${tag}@hillvalley.edu`, phoneNumber: Number(phone) };

    const views = await Promise.all(Array.from({ length: 20 }, (_, i) => send(body, i)));

    for (const view of views) {
      expectOwnValues(view, body);
      expect(view.primaryContactId).toBe(seed.primaryContactId);
      expect(view.secondaryContactIds).toHaveLength(1);
      expect(view.emails).toEqual([`race2.seed.${tag}@hillvalley.edu`, body.email]);
    }
    const after = await snapshot(tables);
    expect(after.contacts.length - before).toBe(1);
    const identity = identityWith(checkInvariants(after), { phone });
    expect(identity.primaryId).toBe(seed.primaryContactId);
    expect(identity.contactIds).toHaveLength(2);
  });

  it('20x{a,p2} and 20x{c,p1} at once on identities {a,p1} and {c,p2} end as one identity under the older primary', async () => {
    const { tables, send } = await connect();
    const a = `race3.a.${tag}@hillvalley.edu`;
    const c = `race3.c.${tag}@hillvalley.edu`;
    const p1 = `555${tag === 'h' ? 1 : 2}000031`;
    const p2 = `555${tag === 'h' ? 1 : 2}000032`;
    const older = await send({ email: a, phoneNumber: p1 }, 0);
    const newer = await send({ email: c, phoneNumber: p2 }, 1);
    expect(newer.primaryContactId).not.toBe(older.primaryContactId);
    const before = (await snapshot(tables)).contacts.length;

    const bodies = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? { email: a, phoneNumber: p2 } : { email: c, phoneNumber: p1 }));
    const views = await Promise.all(bodies.map((body, i) => send(body, i)));

    const expected = {
      primaryContactId: older.primaryContactId,
      emails: [a, c],
      phoneNumbers: [p1, p2],
      secondaryContactIds: [newer.primaryContactId],
    };
    views.forEach((view, i) => {
      expectOwnValues(view, bodies[i]!);
      expect(view).toEqual(expected);
    });
    const after = await snapshot(tables);
    expect(after.contacts.length, 'a merge creates no contact').toBe(before);
    const identity = identityWith(checkInvariants(after), { email: a });
    expect(identity.primaryId).toBe(older.primaryContactId);
    expect(identity.contactIds).toEqual([older.primaryContactId, newer.primaryContactId].sort((x, y) => x - y));
    expect(identity.emails).toEqual(new Set([a, c]));
    expect(identity.phones).toEqual(new Set([p1, p2]));
  });

  it('email-only, phone-only and both-values requests for new values at once end as one identity', async () => {
    const { tables, send } = await connect();
    const e = `race4.${tag}@hillvalley.edu`;
    const p = `555${tag === 'h' ? 1 : 2}000041`;
    const bodies: Body[] = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0 ? { email: e } : i % 3 === 1 ? { phoneNumber: p } : { email: e, phoneNumber: p },
    );
    const views = await Promise.all(bodies.map((body, i) => send(body, i)));
    views.forEach((view, i) => expectOwnValues(view, bodies[i]!));
    const identity = identityWith(checkInvariants(await snapshot(tables)), { email: e });
    expect(identity.phones).toEqual(new Set([p]));
    // At most: a primary per value, and nothing else (a merge creates no contact).
    expect(identity.contactIds.length).toBeLessThanOrEqual(2);
    // Requests that answered after the last write agree with the final state.
    const final = await send({ email: e, phoneNumber: p }, 0);
    expect(final.primaryContactId).toBe(identity.primaryId);
    expect(final.emails).toEqual([e]);
    expect(final.phoneNumbers).toEqual([p]);
  });
});
