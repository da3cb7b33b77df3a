/**
 * Test tables on the run's DynamoDB Local: each call creates a fresh set of tables under a unique
 * prefix, so test files and tests never see each other's data.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../lib/config';
import { addFaultInjection, type FaultConfig } from '../../lib/faults';
import { createDocumentClient } from '../../lib/dynamo-client';
import { DynamoContactStore } from '../../lib/store/dynamodb';
import { IdentityService, type IdentityServiceOptions } from '../../lib/identity-service';
import { ensureTables } from '../../lib/local/bootstrap';
import { localTableNames, tableEnvironment, type TableNames } from '../../lib/tables';

export function dynamoEndpoint(): string {
  return inject('dynamoEndpoint');
}

export interface TestTables {
  endpoint: string;
  tables: TableNames;
  /** Environment variables that point a handler or the local server at these tables. */
  env: Record<string, string>;
  config(overrides?: { idBlockSize?: number }): Config;
}

export async function createTestTables(): Promise<TestTables> {
  const endpoint = dynamoEndpoint();
  const tables = localTableNames(`t${randomUUID().slice(0, 8)}_`);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTables(client, tables);
  client.destroy();
  const env = { ...tableEnvironment(tables), DYNAMODB_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' };
  return {
    endpoint,
    tables,
    env,
    config: (overrides = {}) => ({ ...loadConfig(env), ...overrides }),
  };
}

/** A service wired to fresh tables, as the Lambda wires it, with optional fault injection. */
export async function createTestService(
  options: { faults?: FaultConfig | null; idBlockSize?: number; service?: IdentityServiceOptions } = {},
) {
  const t = await createTestTables();
  const config = t.config({ idBlockSize: options.idBlockSize ?? 50 });
  const db = createDocumentClient(config);
  if (options.faults) addFaultInjection(db, options.faults);
  const store = new DynamoContactStore(db, config.tables, config.idBlockSize);
  const service = new IdentityService(store, options.service);
  return { ...t, db, store, service };
}
