/**
 * The DynamoDB client, created once per container. Locally (DYNAMODB_ENDPOINT set) it uses fixed
 * dummy credentials unless real ones are in the environment. Tools instrument it through
 * lib/container.ts's onDynamoClientCreated (the local server's fault injection, the benchmark's
 * round-trip counter).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from './config';

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
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
