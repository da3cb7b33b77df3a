/**
 * Parsing of the operations context values of the CDK app (infra/app.ts): `alarmEmail` and
 * `tableNames` / `tableStreamArns` (tables restored from point-in-time recovery, see the README
 * runbook). Each bad value fails the synth with a message naming the option. The stage is parsed
 * in infra/stage.ts.
 */
import { TABLE_KEYS, type TableKey } from '../lib/tables';
import type { IdentityStackProps } from './identity-stack';

/** `alarmEmail`: one address, or nothing (no subscription). */
export function parseAlarmEmail(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) {
    throw new Error(`Context alarmEmail must be one email address (got ${JSON.stringify(raw)})`);
  }
  return raw;
}

/** A JSON object by table key, given as JSON text on the command line or as an object in cdk.json. */
function tableMap(key: string, raw: unknown, valid: RegExp, what: string): Partial<Record<TableKey, string>> {
  if (raw === undefined || raw === null || raw === '') return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`Context ${key} must be a JSON object such as {"contacts":"..."} (got ${raw})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Context ${key} must be a JSON object by table key (${TABLE_KEYS.join(', ')})`);
  }
  const out: Partial<Record<TableKey, string>> = {};
  for (const [table, item] of Object.entries(value)) {
    if (!(TABLE_KEYS as string[]).includes(table)) {
      throw new Error(`Context ${key}: unknown table "${table}" (tables: ${TABLE_KEYS.join(', ')})`);
    }
    if (typeof item !== 'string' || !valid.test(item)) {
      throw new Error(`Context ${key}.${table} must be ${what} (got ${JSON.stringify(item)})`);
    }
    out[table as TableKey] = item;
  }
  return out;
}

/** `tableNames` (+ optional `tableStreamArns`): tables the stack uses instead of creating them. */
export function parseExistingTables(names: unknown, streamArns: unknown): IdentityStackProps['existingTables'] {
  const byName = tableMap('tableNames', names, /^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name');
  const byStream = tableMap('tableStreamArns', streamArns, /^arn:aws[a-z-]*:dynamodb:[^:]+:\d{12}:table\/.+\/stream\/.+$/, 'a DynamoDB stream ARN');
  for (const table of Object.keys(byStream)) {
    if (!byName[table as TableKey]) throw new Error(`Context tableStreamArns.${table} needs tableNames.${table} too`);
  }
  const entries = Object.entries(byName).map(([table, tableName]) => [
    table,
    { tableName, ...(byStream[table as TableKey] ? { tableStreamArn: byStream[table as TableKey] } : {}) },
  ]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
