/**
 * The objects a container keeps between invocations: configuration (read and validated once),
 * the DynamoDB client, the store and the service. Created on first use, so that a function that
 * never touches storage (health) needs no table configuration.
 */
import { getConfig, httpSettings } from './config';
import { createDocumentClient } from './dynamo-client';
import { DynamoContactStore } from './dynamo-store';
import { IdentityService } from './identity-service';
import { createLogger, type Logger } from './logger';

let identityService: IdentityService | undefined;
let logger: Logger | undefined;

export function getLogger(): Logger {
  logger ??= createLogger(httpSettings().logLevel, { service: 'fluxkart-identity' });
  return logger;
}

export function getIdentityService(): IdentityService {
  if (!identityService) {
    const config = getConfig();
    const store = new DynamoContactStore(createDocumentClient(config), config.tables, config.idBlockSize);
    identityService = new IdentityService(store);
  }
  return identityService;
}
