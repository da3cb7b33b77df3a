/**
 * The DynamoDB client, created once per container. Locally (DYNAMODB_ENDPOINT set) it uses fixed
 * dummy credentials unless real ones are in the environment; fault injection is attached only
 * when the configuration asks for it (tests and the stress command).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from './config';
import { addFaultInjection } from './faults';

export function createDocumentClient(config: Config): DynamoDBDocumentClient {
  const local = config.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials:
      local && !process.env.AWS_ACCESS_KEY_ID
        ? { accessKeyId: 'local', secretAccessKey: 'local' }
        : undefined,
    // A DynamoDB call answers in milliseconds; three attempts of at most 2 s each fit well inside
    // the function's 10 s, and the handler's early timeout answers 503 if storage hangs anyway.
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      httpAgent: { keepAlive: true, maxSockets: 256 },
      httpsAgent: { keepAlive: true, maxSockets: 256 },
    },
  });
  if (config.faults) addFaultInjection(client, config.faults);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
