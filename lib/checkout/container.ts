/**
 * The checkout's objects, created once per container on first use: the order store on the
 * container's configuration and the identity service of lib/container.ts (same store and id
 * blocks as /identify). No HTTP here.
 */
import { getConfig } from '../config';
import { getIdentityService } from '../container';
import { createDocumentClient } from '../dynamo-client';
import { DynamoOrderStore } from './orders-store';
import { CheckoutService } from './service';

let service: CheckoutService | undefined;

export function getCheckoutService(): CheckoutService {
  if (!service) {
    const config = getConfig();
    service = new CheckoutService(getIdentityService(), new DynamoOrderStore(createDocumentClient(config), config.tables.orders));
  }
  return service;
}
