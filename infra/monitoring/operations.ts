/**
 * Which DynamoDB operations (the `Operation` dimension of the table metrics) each table sees,
 * derived from the IAM actions of lib/routes.ts: the table alarms sum throttles and system errors
 * over exactly these (CloudWatch alarms take at most 10 metrics, fewer than all operations).
 * A write action also means TransactWriteItems: the store's conditional transactions are
 * authorised by the Put/Update/Delete actions but counted under their own operation.
 */
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { FunctionDefinition } from '../../lib/routes';
import { TABLE_KEYS, type TableKey } from '../../lib/tables';

const BY_ACTION: Record<string, Operation[]> = {
  'dynamodb:GetItem': [Operation.GET_ITEM],
  'dynamodb:BatchGetItem': [Operation.BATCH_GET_ITEM],
  'dynamodb:Query': [Operation.QUERY],
  'dynamodb:Scan': [Operation.SCAN],
  'dynamodb:PutItem': [Operation.PUT_ITEM, Operation.TRANSACT_WRITE_ITEMS],
  'dynamodb:UpdateItem': [Operation.UPDATE_ITEM, Operation.TRANSACT_WRITE_ITEMS],
  'dynamodb:DeleteItem': [Operation.DELETE_ITEM, Operation.TRANSACT_WRITE_ITEMS],
  'dynamodb:BatchWriteItem': [Operation.BATCH_WRITE_ITEM],
  'dynamodb:ConditionCheckItem': [Operation.TRANSACT_WRITE_ITEMS],
};

export function operationsByTable(functions: Record<string, FunctionDefinition>): Record<TableKey, Operation[]> {
  const sets = Object.fromEntries(TABLE_KEYS.map((key) => [key, new Set<Operation>()])) as Record<TableKey, Set<Operation>>;
  for (const definition of Object.values(functions)) {
    for (const [table, actions] of Object.entries(definition.tables) as [TableKey, readonly string[]][]) {
      for (const action of actions) for (const op of BY_ACTION[action] ?? []) sets[table].add(op);
    }
  }
  return Object.fromEntries(
    TABLE_KEYS.map((key) => [key, [...sets[key]].sort()]),
  ) as Record<TableKey, Operation[]>;
}
