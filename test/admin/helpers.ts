/**
 * Helpers of the admin tests: an admin service wired like the Lambda wires it (on one instance of
 * test/support/instances.ts), whole-table reads that include the audit log, and a local server
 * over fresh tables for the HTTP tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { AdminService, type Actor } from '../../lib/admin-service';
import { deadlineIn } from '../../lib/retry';
import { TABLE_KEYS, type TableKey } from '../../lib/tables';
import type { Server } from 'node:http';
import { closeServer, listenLocal } from '../support/http';
import { vi } from 'vitest';
import { createTestTables, type TestTables } from '../support/dynamo';
import { instance, type InstanceOptions } from '../support/instances';

export const ADMIN: Actor = { sub: 'admin-sub-1', requestId: 'req-1' };
export const deadline = () => deadlineIn(20_000);

export function adminInstance(t: TestTables, options: InstanceOptions = {}) {
  const inst = instance(t, options);
  const admin = new AdminService(inst.store, inst.service, { clock: options.clock, retry: options.retry });
  return { ...inst, admin };
}

type Item = Record<string, any>;

/** Every item of every table (the audit log included), sorted, so two reads compare with toEqual. */
export async function scanEverything(t: TestTables): Promise<Record<TableKey, Item[]>> {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  try {
    const out = {} as Record<TableKey, Item[]>;
    for (const key of TABLE_KEYS) {
      const items: Item[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(new ScanCommand({ TableName: t.tables[key], ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...((page.Items ?? []) as Item[]));
        start = page.LastEvaluatedKey;
      } while (start);
      out[key] = items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return out;
  } finally {
    db.destroy();
  }
}

/**
 * A local server (lib/local/server.ts) on an ephemeral port over fresh test tables, with the
 * handler modules loaded anew for those tables; close it with `stopAdminServer`.
 */
export async function startAdminServer(auth: { adminToken: string; userToken?: string }): Promise<{ server: Server; base: string; t: TestTables }> {
  const t = await createTestTables();
  Object.assign(process.env, t.env, { LOG_LEVEL: 'warn', ID_BLOCK_SIZE: '10' });
  vi.resetModules();
  const { createLocalServer } = await import('../../lib/local/server');
  const server = createLocalServer({ timeoutMs: 10_000, auth });
  return { server, base: await listenLocal(server), t };
}

export const stopAdminServer: (server: Server) => Promise<void> = closeServer;
