/**
 * A DynamoDB that accepts connections and never answers: the request must still answer before the
 * Lambda's time runs out, with a retryable 503 (SPEC: storage unavailable after retries), not a
 * platform timeout or a 500.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTableNames, tableEnvironment } from '../../lib/tables';
import { apiEvent, lambdaContext } from '../support/events';

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
    const res = await handler(apiEvent({ body: { email: 'hang@hillvalley.edu' } }), context);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body!)).toEqual({
      error: { code: 'storage_unavailable', message: expect.any(String) },
    });
    expect(res.headers!['retry-after']).toBe('1');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });
});
