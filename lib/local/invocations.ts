/**
 * What the local server (lib/local/server.ts) does as a Lambda runtime that serves many requests
 * at once in one process: each invocation runs in its own invoke-store context, the
 * AsyncLocalStorage that Lambda's Node.js runtime exposes as `globalThis.awslambda.InvokeStore`
 * when it runs invocations concurrently (AWS_LAMBDA_MAX_CONCURRENCY). Powertools then keeps each
 * invocation's log keys (requestId), Lambda context and metrics apart. Also sets the Powertools
 * names that `npm start` logs and publishes under, when the environment does not. Nothing here
 * runs in Lambda (the runtime installs its own store there).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../powertools/constants';

/** Concurrent invocations the local process claims to run (any value turns the scoping on). */
const LOCAL_MAX_CONCURRENCY = '1000';

const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const X_RAY_TRACE_ID = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');
const TENANT_ID = Symbol.for('_AWS_LAMBDA_TENANT_ID');

type InvocationContext = Record<string | symbol, unknown>;

/** The runtime's invoke store, multi-concurrency flavour (the interface of @aws/lambda-invoke-store). */
class LocalInvokeStore {
  private readonly als = new AsyncLocalStorage<InvocationContext>();
  getContext() {
    return this.als.getStore();
  }
  hasContext() {
    return this.als.getStore() !== undefined;
  }
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.als.getStore()?.[key] as T | undefined;
  }
  set(key: string | symbol, value: unknown): void {
    const store = this.als.getStore();
    if (!store) throw new Error('No context available');
    store[key] = value;
  }
  run<T>(context: InvocationContext, fn: () => T): T {
    return this.als.run(context, fn);
  }
  getRequestId(): string {
    return this.get<string>(REQUEST_ID) ?? '-';
  }
  getXRayTraceId() {
    return this.get<string>(X_RAY_TRACE_ID);
  }
  getTenantId() {
    return this.get<string>(TENANT_ID);
  }
}

const store = new LocalInvokeStore();

/**
 * Installs the store and the environment. Call before the first handler loads (the Powertools
 * instances read the environment then). Replaces a single-invocation store that the AWS SDK may
 * have created in this process (it only reads a trace id from it).
 */
export function prepareLocalInvocations(): void {
  process.env.POWERTOOLS_SERVICE_NAME ||= SERVICE_NAME;
  process.env.POWERTOOLS_METRICS_NAMESPACE ||= METRICS_NAMESPACE;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ||= LOCAL_MAX_CONCURRENCY;
  // As Lambda sets it: Powertools reports cold starts (cold_start, the ColdStart metric) only then.
  // One process serves every function here, so the first request of the process is the cold one.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ||= 'on-demand';
  const global = globalThis as { awslambda?: { InvokeStore?: unknown } };
  global.awslambda ??= {};
  global.awslambda.InvokeStore = store;
}

/** Runs one invocation in its own context, carrying its Lambda request id as the runtime does. */
export function runInvocation<T>(awsRequestId: string, invoke: () => Promise<T>): Promise<T> {
  prepareLocalInvocations();
  return store.run({ [REQUEST_ID]: awsRequestId }, invoke);
}
