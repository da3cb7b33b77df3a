/**
 * The environment a handler reads at its first use, for tests that import handlers and answer
 * their DynamoDB calls with aws-sdk-client-mock: table names and an endpoint nobody listens on
 * (the mock answers before any request leaves). Returns a function that restores process.env.
 */
import { tableEnvironment, type TableNames } from '../../lib/tables';

export function useMockedStorageEnvironment(tables: TableNames): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, tableEnvironment(tables), {
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'error',
  });
  return () => {
    process.env = saved;
  };
}
