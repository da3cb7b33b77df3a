/**
 * The round-trip budget of POST /identify (README, "Performance and cost"): DynamoDB requests
 * actually sent per case, counted by the SDK middleware of lib/metrics.ts. Counts, not times.
 *   known ≤ 2, new primary ≤ 2 (with a warm id block), new secondary ≤ 3, small merge ≤ 4.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { RoundTripCounter } from '../../lib/metrics';
import { deadlineIn } from '../../lib/retry';
import { createTestService } from '../support/dynamo';

async function counted() {
  const t = await createTestService();
  const counter = new RoundTripCounter().attach(t.db);
  const identify = (email: string | null, phoneNumber: string | null) =>
    t.service.identify({ email, phoneNumber }, deadlineIn(10_000));
  /** Runs `fn` and returns the requests it sent, per operation and in total. */
  const measure = async (fn: () => Promise<unknown>) => {
    counter.reset();
    await fn();
    return { total: counter.total, byOperation: counter.byOperation() };
  };
  // Warm the id block, so that the counted requests show the steady state (a refill is one
  // UpdateItem per ID_BLOCK_SIZE new contacts, amortised).
  await identify('warm-up@rt.example.com', '+100000000');
  return { identify, measure };
}

describe('DynamoDB round trips per /identify case', () => {
  it('known contact: at most 2 (claims, primary), and no write', async () => {
    const { identify, measure } = await counted();
    await identify('known@rt.example.com', '+1000001');
    await identify('known-2@rt.example.com', '+1000001');
    const both = await measure(() => identify('known-2@rt.example.com', '+1000001'));
    const emailOnly = await measure(() => identify('known@rt.example.com', null));
    const phoneOnly = await measure(() => identify(null, '+1000001'));
    for (const rt of [both, emailOnly, phoneOnly]) {
      expect(rt.total).toBeLessThanOrEqual(2);
      expect(rt.byOperation).toEqual({ BatchGetItem: rt.total });
    }
  });

  it('new primary: at most 2 (claims, one transaction) with a warm id block', async () => {
    const { identify, measure } = await counted();
    const rt = await measure(() => identify('new-primary@rt.example.com', '+1000002'));
    expect(rt.total).toBeLessThanOrEqual(2);
    expect(rt.byOperation.TransactWriteItems).toBe(1);
  });

  it('new secondary: at most 3 (claims, primary, one transaction)', async () => {
    const { identify, measure } = await counted();
    await identify('secondary@rt.example.com', '+1000003');
    const rt = await measure(() => identify('secondary@rt.example.com', '+1000004'));
    expect(rt.total).toBeLessThanOrEqual(3);
    expect(rt.byOperation.TransactWriteItems).toBe(1);
  });

  it('merge of two small identities: at most 4', async () => {
    const { identify, measure } = await counted();
    await identify('older@rt.example.com', '+1000005');
    await identify('older-2@rt.example.com', '+1000005');
    await identify('newer@rt.example.com', '+1000006');
    await identify('newer@rt.example.com', '+1000007');
    const rt = await measure(() => identify('older@rt.example.com', '+1000006'));
    expect(rt.total).toBeLessThanOrEqual(4);
    const after = await identify('older@rt.example.com', null);
    expect(after.secondaryContactIds).toHaveLength(3);
  });

  it('repeating a request writes nothing and stays within the known budget', async () => {
    const { identify, measure } = await counted();
    await identify('repeat@rt.example.com', '+1000008');
    const rt = await measure(() => identify('repeat@rt.example.com', '+1000008'));
    expect(rt.total).toBeLessThanOrEqual(2);
    expect(rt.byOperation).toEqual({ BatchGetItem: rt.total });
  });
});

describe('RoundTripCounter', () => {
  it('counts every attempt the SDK sends, retries included', async () => {
    // A fake DynamoDB that always answers 500: the SDK tries maxAttempts times.
    const server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 3,
      retryStrategy: undefined,
    });
    const counter = new RoundTripCounter().attach(client);
    const seen: string[] = [];
    counter.observer = (sent) => seen.push(sent.operation);
    try {
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
      expect(counter.total).toBe(3);
      expect(counter.byOperation()).toEqual({ ListTables: 3 });
      expect(seen).toEqual(['ListTables', 'ListTables', 'ListTables']);
      counter.reset();
      expect(counter.total).toBe(0);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
