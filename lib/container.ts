/**
 * The objects a container keeps between invocations: configuration (read and validated once),
 * the DynamoDB client, the store and the services. Created on first use, so that a function that
 * never touches storage (health) needs no table configuration.
 */
import { getConfig } from './config';
import { createDocumentClient } from './dynamo-client';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoContactStore, DynamoReadStore } from './store/dynamodb';
import { AdminReads } from './admin-reads';
import { AdminService } from './admin-service';
import { IdentityService } from './identity-service';
import { telemetry } from './powertools/metrics';

let db: DynamoDBDocumentClient | undefined;
let store: DynamoContactStore | undefined;
let identityService: IdentityService | undefined;
let adminService: AdminService | undefined;
let readStore: DynamoReadStore | undefined;
let adminReads: AdminReads | undefined;
const clientHooks: Array<(client: DynamoDBDocumentClient) => void> = [];

/**
 * Lets a tool instrument this container's DynamoDB client, e.g. attach a round-trip counter
 * (lib/metrics.ts; the benchmark and tests do). Only effective before the client's first use, so
 * it throws after; the Lambda path never calls it.
 */
export function onDynamoClientCreated(hook: (client: DynamoDBDocumentClient) => void): void {
  if (db) throw new Error('onDynamoClientCreated: the DynamoDB client already exists');
  clientHooks.push(hook);
}

export { getLogger } from './powertools/logger';

/** The one DynamoDB client of this container (the contact store and the checkout's order store share it). */
export function getDocumentClient(): DynamoDBDocumentClient {
  if (!db) {
    db = createDocumentClient(getConfig());
    for (const hook of clientHooks) hook(db);
  }
  return db;
}

/** The one store of this container (and so one block of reserved ids). */
function getStore(): DynamoContactStore {
  if (!store) {
    const config = getConfig();
    store = new DynamoContactStore(getDocumentClient(), config.tables, config.idBlockSize, undefined, { contactValues: config.eventContactValues });
  }
  return store;
}

export function getIdentityService(): IdentityService {
  identityService ??= new IdentityService(getStore(), { telemetry });
  return identityService;
}

/**
 * The admin reads (functions/admin-read, functions/admin-audit), on a read-only store: those
 * functions never write, and so bundle none of the write code (a read store holds nothing but
 * the client, so beside the whole store in one process it costs nothing).
 */
export function getAdminReads(): AdminReads {
  if (!adminReads) {
    readStore ??= new DynamoReadStore(getDocumentClient(), getConfig().tables);
    adminReads = new AdminReads(readStore, { telemetry });
  }
  return adminReads;
}

/** The admin actions' service (functions/admin-merge, functions/admin-erase). */
export function getAdminService(): AdminService {
  adminService ??= new AdminService(getStore(), getIdentityService(), { telemetry });
  return adminService;
}
