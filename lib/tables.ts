/**
 * The one definition of the service's DynamoDB tables. The CDK stack (infra/) creates them from
 * this list and the local bootstrap (lib/local/) creates them from the same list, so the two
 * cannot drift. The key names here are the ones lib/store/dynamodb/ reads and writes. What each
 * table holds is said in comments, not in data: every function bundles this file.
 */
export type AttributeType = 'S' | 'N';

export interface TableDefinition {
  /** Environment variable through which a function learns the table's physical name. */
  envVar: string;
  /** Table name used by `npm start` and the tests (prefixed per test run). */
  localName: string;
  partitionKey: { name: string; type: AttributeType };
  sortKey?: { name: string; type: AttributeType };
  /** Stream of the table (DynamoDB Streams), read by the identity-events function. */
  stream?: 'NEW_AND_OLD_IMAGES';
  /** Attribute holding an item's expiry (epoch seconds) for DynamoDB TTL. */
  timeToLiveAttribute?: string;
}

export const TABLES = {
  /**
   * One item per contact. bucket = floor(id / 1000), so ids are stored in ordered item
   * collections and a strongly consistent Query lists them in id order. A primary also holds its
   * identity aggregate (members, ver, relink).
   */
  contacts: {
    envVar: 'CONTACTS_TABLE',
    localName: 'Contacts',
    partitionKey: { name: 'bucket', type: 'N' },
    sortKey: { name: 'id', type: 'N' },
  },
  /** The unique claim of each email: the contact that introduced it and a hint to its primary. */
  emails: {
    envVar: 'EMAILS_TABLE',
    localName: 'ContactEmails',
    partitionKey: { name: 'email', type: 'S' },
  },
  /**
   * The unique claim of each phone number: the contact that introduced it and a hint to its
   * primary.
   */
  phones: {
    envVar: 'PHONES_TABLE',
    localName: 'ContactPhones',
    partitionKey: { name: 'phone', type: 'S' },
  },
  /** Block allocation of contact ids: each instance reserves a block with one atomic ADD. */
  counters: {
    envVar: 'COUNTERS_TABLE',
    localName: 'Counters',
    partitionKey: { name: 'name', type: 'S' },
  },
  /**
   * One item per admin action (who, what, which contact ids, when; never an email or phone). seq
   * comes from the Counters item "auditSeq"; bucket = floor(seq / 1000), so a strongly
   * consistent Query lists entries in order.
   */
  audit: {
    envVar: 'AUDIT_TABLE',
    localName: 'AuditLog',
    partitionKey: { name: 'bucket', type: 'N' },
    sortKey: { name: 'seq', type: 'N' },
  },
  /**
   * One change record per committed change to an identity (created, contactAdded, merged,
   * erased), written in the transaction that commits the change; its stream feeds the change
   * events (lib/events/). Expires after 7 days.
   */
  changes: {
    envVar: 'CHANGES_TABLE',
    localName: 'Changes',
    partitionKey: { name: 'identityId', type: 'N' },
    sortKey: { name: 'version', type: 'N' },
    stream: 'NEW_AND_OLD_IMAGES',
    timeToLiveAttribute: 'expiresAt',
  },
  /**
   * The storefront's orders (orderId = the client's UUID: lines, total, normalised email and
   * phone, the customer's primary id at the time, createdAt) and each customer's order count
   * (orderId = "customer#<contactId>"), written together in one transaction
   * (lib/checkout/orders-store.ts).
   */
  orders: {
    envVar: 'ORDERS_TABLE',
    localName: 'Orders',
    partitionKey: { name: 'orderId', type: 'S' },
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;
export type TableNames = Record<TableKey, string>;

export const TABLE_KEYS = Object.keys(TABLES) as TableKey[];

/** Local table names, optionally prefixed (tests give each run its own prefix). */
export function localTableNames(prefix = ''): TableNames {
  return Object.fromEntries(
    TABLE_KEYS.map((key) => [key, `${prefix}${TABLES[key].localName}`]),
  ) as TableNames;
}

/** Environment variables that hand the physical table names to a function. */
export function tableEnvironment(names: TableNames): Record<string, string> {
  return Object.fromEntries(TABLE_KEYS.map((key) => [TABLES[key].envVar, names[key]]));
}
