/**
 * The objects a container keeps between invocations: configuration (read and validated once),
 * the DynamoDB client, the store and the services. Created on first use, so that a function that
 * never touches storage (health) needs no table configuration.
 */
import { getConfig } from './config';
import { createDocumentClient } from './dynamo-client';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoContactStore, DynamoIdentityStore, DynamoReadStore } from './store/dynamodb';
import { AdminReads } from './admin-reads';
import { AdminService } from './admin-service';
import { IdentityService } from './identity-service';
import { telemetry } from './powertools/metrics';

let db: DynamoDBDocumentClient | undefined;
let identityStore: DynamoIdentityStore | undefined;
let adminStore: DynamoContactStore | undefined;
let identityService: IdentityService | undefined;
let adminService: AdminService | undefined;
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

/**
 * The stores, one per port (lib/store/dynamodb/index.ts), so each function bundles the code of the
 * port it uses; a function uses one of them. They hold nothing but the client, except the id
 * blocks that only the identity store's contact creation draws from (in the local server, where
 * every function shares this module, /identify and the checkout share that one block).
 */
function storeArguments() {
  const config = getConfig();
  return [getDocumentClient(), config.tables, config.idBlockSize, undefined, { contactValues: config.eventContactValues }] as const;
}

function getIdentityStore(): DynamoIdentityStore {
  identityStore ??= new DynamoIdentityStore(...storeArguments());
  return identityStore;
}

/** /identify's and the checkout's service (functions/identify, functions/checkout). */
export function getIdentityService(): IdentityService {
  identityService ??= new IdentityService(getIdentityStore(), { telemetry });
  return identityService;
}

/** The admin reads (functions/admin-read, functions/admin-audit), on the read-only store: those functions never write. */
export function getAdminReads(): AdminReads {
  adminReads ??= new AdminReads(new DynamoReadStore(getDocumentClient(), getConfig().tables), { telemetry });
  return adminReads;
}

/**
 * The admin actions' service (functions/admin-merge, functions/admin-erase) on the whole store,
 * with an identity service of its own on that store (it only reads and repairs identities: an
 * admin action never creates a contact, so never draws an id).
 */
export function getAdminService(): AdminService {
  if (!adminService) {
    adminStore ??= new DynamoContactStore(...storeArguments());
    adminService = new AdminService(adminStore, new IdentityService(adminStore, { telemetry }), { telemetry });
  }
  return adminService;
}
