/**
 * FAULT_INJECTION reaches the functions only through the local server (lib/local/server.ts
 * attaches lib/faults.ts to the container's DynamoDB client; no function imports it): with every
 * transaction refused as a conflict, a new contact ends in the service's 503 `contention` after its
 * retries, and a request for a known contact (reads only) answers as usual.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/server';
import { createDocumentClient } from '../../lib/dynamo-client';
import { createTestTables, type TestTables } from '../support/dynamo';
import { deadlineIn } from '../../lib/retry';
import { instance } from '../support/instances';
import { closeServer, httpRequest, listenLocal } from '../support/http';

let server: Server;
let base: string;
let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'silent', FAULT_INJECTION: 'conflict=1' });
  // A short budget: the service retries a conflict until little of it is left.
  server = createLocalServer({ timeoutMs: 2_000 });
  base = await listenLocal(server);
});

afterAll(async () => {
  delete process.env.FAULT_INJECTION;
  await closeServer(server);
});

describe('fault injection in the local server', () => {
  it('refuses every transaction: a new contact answers 503 contention and is not stored', async () => {
    const res = await httpRequest(`${base}/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'faulty@example.com', phoneNumber: '5550100' }),
    });
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe('contention');
    const db = createDocumentClient(tables.config());
    const claim = await db.send(new GetCommand({ TableName: tables.tables.emails, Key: { email: 'faulty@example.com' }, ConsistentRead: true }));
    expect(claim.Item).toBeUndefined();
    db.destroy();
  });

  it('leaves reads alone: a known contact answers 200 through the same faulty client', async () => {
    // Seeded with a client of its own, outside the server (its transactions are not refused).
    const seeder = instance(tables);
    const seeded = await seeder.service.identify({ email: 'known@example.com', phoneNumber: '5550200' }, deadlineIn(5_000));
    seeder.destroy();
    const res = await httpRequest(`${base}/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'known@example.com', phoneNumber: '5550200' }),
    });
    expect(res.status).toBe(200);
    expect(res.json.contact.primaryContactId).toBe(seeded.primaryContactId);
  });
});
