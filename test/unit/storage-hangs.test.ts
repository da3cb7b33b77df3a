/**
 * A DynamoDB that accepts connections and never answers: the request must still answer before the
 * Lambda's time runs out, with a retryable 503 (SPEC: storage unavailable after retries), not a
 * platform timeout or a 500.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTableNames, tableEnvironment } from '../../lib/tables';
import { apiEvent, lambdaContext } from '../support/events';
import { captureOutput, metricNames } from '../support/output';

let silent: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket)); // reads nothing, answers nothing
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  Object.assign(process.env, tableEnvironment(localTableNames('hang_')), {
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'error',
  });
});

afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise((resolve) => silent.close(resolve));
});

describe('when DynamoDB hangs', () => {
  it('answers 503 storage_unavailable with Retry-After within the function time', async () => {
    const { handler } = await import('../../functions/identify/index');
    const context = lambdaContext(3_000);
    const event = apiEvent({ body: { email: 'hang@hillvalley.edu' } });
    const output = captureOutput();
    const res = await handler(event, context).finally(() => output.restore());
    expect(res.statusCode).toBe(503);
    const requestId = event.requestContext.requestId;
    expect(JSON.parse(res.body!)).toEqual({
      error: { code: 'storage_unavailable', message: expect.any(String), requestId },
    });
    expect(res.headers!['retry-after']).toBe('1');
    // middy's early timeout answered: the answer still has its request id, and the 503 is counted.
    expect(res.headers!['x-request-id']).toBe(requestId);
    const emf = output.emf().find((line) => metricNames(line).includes('StorageUnavailable'));
    expect(emf).toMatchObject({ StorageUnavailable: 1, service: 'fluxkart-identity', requestId });
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });
});
