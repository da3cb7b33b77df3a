/**
 * Prepares storage for a local run: starts an embedded DynamoDB Local unless DYNAMODB_ENDPOINT
 * names another DynamoDB, creates missing tables, sets the environment the handlers read, and
 * validates the storage configuration (lib/config.ts) before it starts anything.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../config';
import { localTableNames, tableEnvironment, type TableNames } from '../tables';
import { ensureTables } from './bootstrap';
import { startDynamoDbLocal, type LocalDynamo } from './dynamodb-local';

export interface LocalStorage {
  endpoint: string;
  tables: TableNames;
  /** True when this process started DynamoDB Local itself. */
  embedded: boolean;
  /** The embedded DynamoDB Local (null with DYNAMODB_ENDPOINT), for supervision (lib/local/supervisor.ts). */
  dynamo: LocalDynamo | null;
  stop(): Promise<void>;
}

export async function prepareLocalStorage(options: {
  endpoint?: string;
  dataDir?: string | null;
  tablePrefix?: string;
}): Promise<LocalStorage> {
  const tables = localTableNames(options.tablePrefix);
  // The functions read the storage configuration on first use; a local run checks it before
  // anything starts, so that a bad ID_BLOCK_SIZE or EVENT_CONTACT_VALUES stops `npm start` at once
  // instead of failing a request. (An embedded DynamoDB Local's endpoint is always http://127.0.0.1:<port>.)
  loadConfig({ ...process.env, ...tableEnvironment(tables), DYNAMODB_ENDPOINT: options.endpoint ?? 'http://127.0.0.1:8000' });
  const embedded = !options.endpoint;
  const dynamo = embedded ? await startDynamoDbLocal({ dataDir: options.dataDir ?? null }) : null;
  const endpoint = options.endpoint ?? dynamo!.endpoint;
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTables(client, tables);
  } catch (error) {
    await dynamo?.stop();
    throw error;
  } finally {
    client.destroy();
  }
  Object.assign(process.env, tableEnvironment(tables), { DYNAMODB_ENDPOINT: endpoint });
  process.env.AWS_REGION ??= 'us-east-1';
  return { endpoint, tables, embedded, dynamo, stop: async () => dynamo?.stop() };
}
