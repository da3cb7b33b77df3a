/**
 * Storage failures that DynamoDB Local cannot produce (it serialises transactions, never
 * throttles, never denies access), injected with aws-sdk-client-mock on the DocumentClient:
 * how the adapter classifies them, how the service retries or gives up, and what a caller of
 * the real /identify handler sees (SPEC.md "Errors").
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransientStorageError, UnavailableError, WriteConflict } from '../../lib/errors';
import { DynamoContactStore, translate } from '../../lib/store/dynamodb';
import { IdentityService } from '../../lib/identity-service';
import { deadlineIn } from '../../lib/retry';
import { localTableNames } from '../../lib/tables';
import { useMockedStorageEnvironment } from '../support/handler-env';
import { captureOutput } from '../support/output';
import { apiEvent, invoke, lambdaContext } from '../support/events';

// Every DocumentClient of this file, including the one the handler's container creates.
const ddb = mockClient(DynamoDBDocumentClient);

const TABLES = localTableNames('SecretPrefix_');

function canceled(...codes: string[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function serviceError(name: string, message: string, status = 400) {
  return new DynamoDBServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

const accessDenied = () =>
  serviceError(
    'AccessDeniedException',
    `User: arn:aws:sts::123456789012:assumed-role/identify/fn is not authorized to perform: dynamodb:BatchGetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/${TABLES.emails}`,
  );
const resourceNotFound = () =>
  new ResourceNotFoundException({ $metadata: {}, message: `Requested resource not found: Table: ${TABLES.contacts} not found` });
const throughputExceeded = () =>
  new ProvisionedThroughputExceededException({ $metadata: {}, message: `Throughput exceeds the current capacity for table ${TABLES.emails}` });

/** The calls of one command the mock received. */
const calls = (command: Parameters<typeof ddb.commandCalls>[0]) => ddb.commandCalls(command);

/** Storage that knows nothing: no claims, and a fresh block of ids. */
function emptyStorage() {
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(UpdateCommand).callsFake(async () => {
    counter += 50;
    return { Attributes: { value: counter } };
  });
  ddb.on(TransactWriteCommand).resolves({});
}
let counter = 0;

beforeEach(() => {
  ddb.reset();
  emptyStorage();
});

afterAll(() => {
  ddb.restore();
});

describe('translate: DynamoDB failures in the port vocabulary', () => {
  it.each<[string, unknown, 'conflict' | 'throttled' | 'unavailable' | 'write' | 'same']>([
    ['a cancelled transaction with a failed condition', canceled('None', 'ConditionalCheckFailed'), 'write'],
    ['a failed condition next to a transaction conflict', canceled('TransactionConflict', 'ConditionalCheckFailed'), 'write'],
    ['a cancelled transaction with a transaction conflict', canceled('None', 'TransactionConflict', 'None'), 'conflict'],
    ['a cancelled transaction with a throttled item', canceled('ThrottlingError', 'None'), 'throttled'],
    ['a cancelled transaction over provisioned throughput', canceled('ProvisionedThroughputExceeded'), 'throttled'],
    ['a cancelled transaction with a validation error', canceled('ValidationError'), 'same'],
    ['ConditionalCheckFailedException', new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' }), 'write'],
    ['TransactionConflictException', new TransactionConflictException({ $metadata: {}, message: 'conflict' }), 'conflict'],
    ['ProvisionedThroughputExceededException', throughputExceeded(), 'throttled'],
    ['ThrottlingException', serviceError('ThrottlingException', 'Rate exceeded'), 'throttled'],
    ['RequestLimitExceeded', serviceError('RequestLimitExceeded', 'Throughput exceeds the account limit'), 'throttled'],
    ['a 500 from DynamoDB', serviceError('InternalServerError', 'Internal server error', 500), 'unavailable'],
    ['a 503 from DynamoDB', serviceError('ServiceUnavailable', 'unavailable', 503), 'unavailable'],
    ['a lost connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'unavailable'],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'unavailable'],
    ['AccessDeniedException', accessDenied(), 'same'],
    ['ResourceNotFoundException', resourceNotFound(), 'same'],
    ['a ValidationException', serviceError('ValidationException', 'One or more parameter values were invalid'), 'same'],
    ['a programming error', new TypeError('x is undefined'), 'same'],
  ])('%s', (_name, error, expected) => {
    const translated = translate(error);
    if (expected === 'same') {
      expect(translated).toBe(error);
    } else if (expected === 'write') {
      expect(translated).toBeInstanceOf(WriteConflict);
    } else {
      expect(translated).toBeInstanceOf(TransientStorageError);
      expect((translated as TransientStorageError).kind).toBe(expected);
    }
  });
});

describe('the service retries transient failures and gives up in time', () => {
  function service() {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const store = new DynamoContactStore(db, TABLES, 50);
    return new IdentityService(store, { retry: { baseMs: 5, capMs: 20, reserveMs: 50 } });
  }
  const request = { email: 'doc@hillvalley.edu', phoneNumber: '5550109999' };
  const contactIdOf = (call: ReturnType<typeof calls>[number]) =>
    Number((call.args[0].input as { TransactItems: Array<{ Put?: { Item: { id: number } } }> }).TransactItems[0]!.Put!.Item.id);

  it.each([
    ['a transaction conflict', () => canceled('TransactionConflict', 'None', 'None')],
    ['a throttled transaction', () => canceled('None', 'ThrottlingError', 'None')],
    ['TransactionConflictException', () => new TransactionConflictException({ $metadata: {}, message: 'conflict' })],
    ['a 500 from DynamoDB', () => serviceError('InternalServerError', 'Internal server error', 500)],
  ])('succeeds after %s followed by success', async (_name, error) => {
    ddb.on(TransactWriteCommand).rejectsOnce(error()).resolves({});
    const view = await service().identify(request, deadlineIn(5_000));
    expect(view.emails).toEqual([request.email]);
    expect(view.phoneNumbers).toEqual([request.phoneNumber]);
    const writes = calls(TransactWriteCommand);
    expect(writes).toHaveLength(2);
    expect(view.primaryContactId).toBe(contactIdOf(writes[1]!));
  });

  it('re-reads after a lost race (ConditionalCheckFailed) and answers what the retry wrote', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(canceled('None', 'ConditionalCheckFailed', 'None')).resolves({});
    const view = await service().identify(request, deadlineIn(5_000));
    const writes = calls(TransactWriteCommand);
    expect(writes).toHaveLength(2);
    expect(calls(BatchGetCommand)).toHaveLength(2);
    expect(view.primaryContactId).toBe(contactIdOf(writes[1]!));
    expect(view.emails).toEqual([request.email]);
  });

  it('succeeds after a throttled read followed by success', async () => {
    ddb.on(BatchGetCommand).rejectsOnce(throughputExceeded()).resolves({ Responses: {} });
    const view = await service().identify(request, deadlineIn(5_000));
    expect(view.emails).toEqual([request.email]);
  });

  it.each([
    ['reads stay over provisioned throughput', () => ddb.on(BatchGetCommand).rejects(throughputExceeded())],
    ['reads stay throttled', () => ddb.on(BatchGetCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded'))],
    ['transactions stay throttled', () => ddb.on(TransactWriteCommand).rejects(canceled('ThrottlingError', 'None', 'None'))],
    ['DynamoDB keeps answering 500', () => ddb.on(TransactWriteCommand).rejects(serviceError('InternalServerError', 'boom', 500))],
    [
      'reads keep coming back unprocessed',
      () =>
        ddb.on(BatchGetCommand).callsFake(async (input: { RequestItems: unknown }) => ({ Responses: {}, UnprocessedKeys: input.RequestItems })),
    ],
  ])('gives up with 503 storage_unavailable when %s', async (_name, arrange) => {
    arrange();
    const error = await service().identify(request, deadlineIn(300)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'storage_unavailable', retryable: true });
  });

  it.each([
    ['transaction conflicts persist', () => canceled('TransactionConflict', 'None', 'None')],
    ['every write loses its race', () => canceled('None', 'ConditionalCheckFailed', 'None')],
  ])('gives up with 503 contention when %s', async (_name, error) => {
    ddb.on(TransactWriteCommand).rejects(error());
    const failure = await service().identify(request, deadlineIn(300)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(failure).toMatchObject({ status: 503, code: 'contention' });
    expect(calls(TransactWriteCommand).length).toBeGreaterThan(1);
  });

  it.each([
    ['AccessDeniedException', accessDenied],
    ['ResourceNotFoundException', resourceNotFound],
  ])('does not retry %s: it surfaces unchanged', async (_name, error) => {
    const thrown = error();
    ddb.on(BatchGetCommand).rejects(thrown);
    await expect(service().identify(request, deadlineIn(5_000))).rejects.toBe(thrown);
    expect(calls(BatchGetCommand)).toHaveLength(1);
    expect(calls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('through the /identify handler', () => {
  let handler: unknown;
  let restoreEnvironment: () => void;

  beforeAll(async () => {
    restoreEnvironment = useMockedStorageEnvironment(TABLES);
    ({ handler } = await import('../../functions/identify/index'));
  });

  afterAll(() => {
    restoreEnvironment();
  });

  const post = (timeoutMs = 10_000) =>
    invoke(handler, apiEvent({ body: { email: 'Doc@HillValley.edu', phoneNumber: '+1 (555) 010-9999' } }), lambdaContext(timeoutMs));

  function expectNoLeak(body: string) {
    for (const secret of ['SecretPrefix', 'arn:aws', 'AccessDenied', 'ResourceNotFound', 'Throughput', 'not authorized', 'Transaction', 'at ', '.ts:']) {
      expect(body).not.toContain(secret);
    }
  }

  it.each([
    ['AccessDeniedException', accessDenied],
    ['ResourceNotFoundException', resourceNotFound],
    ['an unknown SDK error', () => serviceError('ValidationException', `Invalid table ${TABLES.phones}`)],
    ['a programming error', () => new TypeError(`Cannot read properties of undefined (reading '${TABLES.contacts}')`)],
  ])('answers %s with a generic 500 internal_error', async (_name, error) => {
    const output = captureOutput();
    ddb.on(BatchGetCommand).rejects(error());
    const res = await post().finally(() => output.restore());
    const logged = output.lines.join('\n');
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({
      error: { code: 'internal_error', message: 'Internal server error.', requestId: res.headers['x-request-id'] },
    });
    expect(output.emf().some((line) => line.InternalError === 1)).toBe(true);
    expectNoLeak(res.body);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // The details go to the log, where no customer value appears in clear.
    expect(logged).toContain('unhandled error');
    expect(logged).not.toContain('doc@hillvalley.edu');
    expect(logged).not.toContain('5550109999');
  });

  it('answers persistent throttling with 503 storage_unavailable and Retry-After', async () => {
    ddb.on(BatchGetCommand).rejects(throughputExceeded());
    const res = await post(1_200);
    expect(res.statusCode).toBe(503);
    expect(res.json.error.code).toBe('storage_unavailable');
    expect(typeof res.json.error.message).toBe('string');
    expect(res.headers['retry-after']).toBe('1');
    expectNoLeak(res.body);
  });

  it('answers persistent transaction conflicts with 503 contention', async () => {
    ddb.on(TransactWriteCommand).rejects(canceled('TransactionConflict', 'None', 'None'));
    const res = await post(1_200);
    expect(res.statusCode).toBe(503);
    expect(res.json.error.code).toBe('contention');
    expect(res.headers['retry-after']).toBe('1');
    expectNoLeak(res.body);
  });

  it('answers 200 with the request values after a transient conflict', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(canceled('TransactionConflict', 'None', 'None')).resolves({});
    const res = await post();
    expect(res.statusCode).toBe(200);
    expect(res.json.contact).toMatchObject({
      emails: ['doc@hillvalley.edu'],
      phoneNumbers: ['+15550109999'],
      secondaryContactIds: [],
    });
    expect(res.json.contact.primaryContatctId).toBe(res.json.contact.primaryContactId);
    expect(calls(TransactWriteCommand)).toHaveLength(2);
  });
});
