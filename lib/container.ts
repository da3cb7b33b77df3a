/**
 * The objects a container keeps between invocations: configuration (read and validated once),
 * the DynamoDB client, the store and the service. Created on first use, so that a function that
 * never touches storage (health) needs no table configuration.
 */
import { getConfig } from './config';
import { createDocumentClient } from './dynamo-client';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoContactStore } from './dynamo-store';
import { AdminService } from './admin-service';
import { IdentityService } from './identity-service';

let identityService: IdentityService | undefined;
const clientHooks: Array<(client: DynamoDBDocumentClient) => void> = [];

/**
 * Lets a tool instrument the DynamoDB client of this container's identity service, e.g. attach a
 * round-trip counter (lib/metrics.ts; the benchmark and tests do). Only effective before the
 * service's first use, so it throws after; the Lambda path never calls it.
 */
export function onDynamoClientCreated(hook: (client: DynamoDBDocumentClient) => void): void {
  if (identityService) throw new Error('onDynamoClientCreated: the identity service already exists');
  clientHooks.push(hook);
}

export { getLogger } from './logger';

export function getIdentityService(): IdentityService {
  if (!identityService) {
    const config = getConfig();
    const db = createDocumentClient(config);
    for (const hook of clientHooks) hook(db);
    const store = new DynamoContactStore(db, config.tables, config.idBlockSize);
    identityService = new IdentityService(store);
  }
  return identityService;
}

let adminService: AdminService | undefined;

/** The read and admin API's service (functions/admin-*), on its own store and client. */
export function getAdminService(): AdminService {
  if (!adminService) {
    const config = getConfig();
    const store = new DynamoContactStore(createDocumentClient(config), config.tables, config.idBlockSize);
    adminService = new AdminService(store, new IdentityService(store));
  }
  return adminService;
}
