/**
 * The checkout's objects, created once per container on first use: the order store on the
 * container's DynamoDB client and the identity service of lib/container.ts (same store and id
 * blocks as /identify); orders are counted through Powertools Metrics (CheckoutOrder). No HTTP here.
 */
import { getConfig } from '../config';
import { getDocumentClient, getIdentityService } from '../container';
import { telemetry } from '../powertools/metrics';
import { DynamoOrderStore } from './orders-store';
import { CheckoutService } from './service';

let service: CheckoutService | undefined;

export function getCheckoutService(): CheckoutService {
  if (!service) {
    const config = getConfig();
    service = new CheckoutService(getIdentityService(), new DynamoOrderStore(getDocumentClient(), config.tables.orders), { telemetry });
  }
  return service;
}
