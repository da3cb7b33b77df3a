/**
 * What the local server (lib/local/server.ts) does as a Lambda runtime that serves many requests
 * at once in one process: each invocation runs in its own AWS Lambda InvokeStore context (the
 * runtime's AsyncLocalStorage, as with Lambda's multi-concurrency), so Powertools keeps each
 * invocation's log keys (requestId), Lambda context and metrics apart. Powertools uses it when
 * AWS_LAMBDA_MAX_CONCURRENCY is set. Also sets the Powertools names `npm start` logs and
 * publishes under, when the environment does not. Nothing here runs in Lambda.
 */
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../powertools/constants';

/** Concurrent invocations the local process claims to run (any value turns the scoping on). */
const LOCAL_MAX_CONCURRENCY = '1000';

let store: ReturnType<typeof InvokeStore.getInstanceAsync> | undefined;

/** Call before the first handler loads (the Powertools instances read the environment then). */
export function prepareLocalInvocations(): void {
  process.env.POWERTOOLS_SERVICE_NAME ||= SERVICE_NAME;
  process.env.POWERTOOLS_METRICS_NAMESPACE ||= METRICS_NAMESPACE;
  store ??= InvokeStore.getInstanceAsync(true).then((instance) => {
    process.env.AWS_LAMBDA_MAX_CONCURRENCY ||= LOCAL_MAX_CONCURRENCY;
    return instance;
  });
}

/** Runs one invocation in its own context, carrying its Lambda request id as the runtime does. */
export async function runInvocation<T>(awsRequestId: string, invoke: () => Promise<T>): Promise<T> {
  prepareLocalInvocations();
  const instance = await store!;
  return instance.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: awsRequestId }, invoke);
}
