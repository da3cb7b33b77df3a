/**
 * Creates the service's tables (lib/tables.ts) where they are missing, on DynamoDB Local or any
 * endpoint, with their streams. (TTL is left off locally: nothing there needs expiry.)
 */
import {
  CreateTableCommand,
  ListTablesCommand,
  ResourceInUseException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS, TABLES, type TableDefinition, type TableNames } from '../tables';

export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<string[]> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    page.TableNames?.forEach((name) => existing.add(name));
    start = page.LastEvaluatedTableName;
  } while (start);

  const created: string[] = [];
  for (const key of TABLE_KEYS) {
    const name = names[key];
    if (existing.has(name)) continue;
    const def: TableDefinition = TABLES[key];
    const keys = def.sortKey ? [def.partitionKey, def.sortKey] : [def.partitionKey];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
          KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
          StreamSpecification: def.stream ? { StreamEnabled: true, StreamViewType: def.stream } : undefined,
        }),
      );
      created.push(name);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  return created;
}
