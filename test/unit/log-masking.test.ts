/**
 * Privacy at the HTTP level: a request whose handling logs a customer value — here DynamoDB
 * refuses the write with an error message that quotes the email, and the one error mapper logs
 * that message — must leave no email in clear in anything the function prints (stdout, stderr
 * or the console, whichever the logger writes to). The test first checks that the value really
 * reached the log (masked), so it fails as soon as masking is turned off.
 * DynamoDB Local never quotes a value in an error, so the failure is injected with aws-sdk-client-mock.
 */
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { localTableNames } from '../../lib/tables';
import { apiEvent, invoke } from '../support/events';
import { useMockedStorageEnvironment } from '../support/handler-env';

const ddb = mockClient(DynamoDBDocumentClient);
let restoreEnv: () => void;
let identify: unknown;

beforeAll(async () => {
  restoreEnv = useMockedStorageEnvironment(localTableNames('Mask_'));
  process.env.LOG_LEVEL = 'debug';
  ({ handler: identify } = await import('../../functions/identify/index'));
});

afterAll(() => {
  ddb.restore();
  restoreEnv();
});

/** Everything printed during a test, by any route a logger may take. */
let printed: string[] = [];
beforeEach(() => {
  printed = [];
  const keep = (...args: unknown[]) => void printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (keep(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (keep(String(chunk)), true));
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation(keep);
  }
  ddb.reset();
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(UpdateCommand).resolves({ Attributes: { value: 50 } });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const EMAIL = 'emmett.brown@hillvalley.edu';

describe('a request whose handling logs a customer value', () => {
  it('prints that value masked, never in clear', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new DynamoDBServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `One or more parameter values were invalid: duplicate key ${EMAIL} in the request`,
      }),
    );
    const res = await invoke(identify, apiEvent({ body: { email: 'Emmett.Brown@HillValley.edu', phoneNumber: '5551885' } }));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain(EMAIL);

    const text = printed.join('\n');
    // The value did reach the log: the error message, with the email masked.
    expect(text).toMatch(/duplicate key \S*\*{3}\S*/);
    expect(text).not.toContain(EMAIL);
    expect(text.toLowerCase()).not.toContain('emmett.brown');
  });
});
