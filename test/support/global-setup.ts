/**
 * Starts one in-memory DynamoDB Local for the whole test run (start-up takes seconds, so not
 * per test) and hands its endpoint to the test files through vitest's provide/inject.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type LocalDynamo } from '../../lib/local/dynamodb-local';

let dynamo: LocalDynamo | undefined;

export async function setup(project: TestProject): Promise<void> {
  dynamo = await startDynamoDbLocal({ dataDir: null });
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
