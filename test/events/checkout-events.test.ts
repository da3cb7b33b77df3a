/**
 * Change events of the storefront's checkout: POST /checkout over real HTTP on the local server
 * reconciles the customer in process, through the identity service and its store, so its identity
 * changes are committed with change records and come out of the Changes stream like those of
 * /identify (hashed values, one event per change). Not the checkout's own rules (test/checkout/).
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactValues, eventIdOf } from '../../lib/events/change';
import { createLocalServer } from '../../lib/local/server';
import { checkEventsAgainst, watchEvents, type EventWatch } from '../support/change-events';
import { createTestTables, type TestTables } from '../support/dynamo';
import { closeServer, listenLocal } from '../support/http';
import { snapshot } from '../support/snapshot';

let server: Server;
let base: string;
let watch: EventWatch;
let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'warn' });
  watch = await watchEvents(tables);
  server = createLocalServer({ timeoutMs: 10_000, auth: { adminToken: 'a-token', userToken: 'u-token' }, events: watch.local.sink });
  base = await listenLocal(server);
});

afterAll(async () => {
  await closeServer(server);
  await watch.stop();
});

async function checkout(contact: { email?: string; phoneNumber?: string }) {
  const res = await fetch(`${base}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: randomUUID(), items: [{ productId: 'flux-phone-12', quantity: 1 }], ...contact }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { customer: { customerId: number } };
}

describe('change events of POST /checkout', () => {
  it('yields identity.created for a new customer, identity.contactAdded for a new phone, nothing for a repeat', async () => {
    const first = await checkout({ email: 'marty@hillvalley.edu' });
    await checkout({ email: 'marty@hillvalley.edu' });
    const second = await checkout({ email: 'marty@hillvalley.edu', phoneNumber: '5550001' });
    expect(second.customer.customerId).toBe(first.customer.customerId);
    const id = first.customer.customerId;
    const events = await watch.events();
    expect(events).toEqual([
      expect.objectContaining({ type: 'identity.created', eventId: eventIdOf(id, 1), primaryContactId: id, version: 1, values: contactValues('marty@hillvalley.edu', null, 'hashed') }),
      expect.objectContaining({ type: 'identity.contactAdded', primaryContactId: id, version: 2, values: contactValues('marty@hillvalley.edu', '5550001', 'hashed') }),
    ]);
    expect(JSON.stringify(events)).not.toMatch(/marty|5550001/);
    checkEventsAgainst(events, await snapshot(tables));
  });
});
