/**
 * The reuse of a transaction's ClientRequestToken (README "Lost responses"): when the outcome of a
 * TransactWriteItems is unknown (a 5xx, a timeout, a lost connection), the store sends the SAME
 * transaction again under the SAME token, so that DynamoDB answers success without writing twice
 * if the first one committed. DynamoDB Local cannot lose a response, so the calls are answered by
 * aws-sdk-client-mock, and the test reads the tokens the store sent. Deterministic: it fails on
 * every run if the token is drawn per send, or left out.
 */
import { DynamoDBClient, DynamoDBServiceException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { WriteConflict } from '../../lib/errors';
import { DynamoContactStore } from '../../lib/store/dynamodb';
import { addSecondary, merge, newPrimary } from '../../lib/reconcile';
import { localTableNames } from '../../lib/tables';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLES = localTableNames('Token_');
const NOW = new Date('2026-01-01T00:00:00.000Z');

beforeEach(() => ddb.reset());
afterAll(() => ddb.restore());

function store() {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  return new DynamoContactStore(db, TABLES, 50);
}

const unknownOutcomes: Array<[string, () => Error]> = [
  ['a 500 from DynamoDB', () => new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'Internal server error' })],
  ['a timeout', () => Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ['a lost connection', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
];

const tokens = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.ClientRequestToken);
const items = () => ddb.commandCalls(TransactWriteCommand).map((c) => JSON.stringify(c.args[0].input.TransactItems));

const lorraine = newPrimary({ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' }, 1, NOW);
const george = newPrimary({ email: 'george@hillvalley.edu', phoneNumber: '919191' }, 11, NOW);
const biff = newPrimary({ email: 'biff@hillvalley.edu', phoneNumber: '717171' }, 27, new Date(NOW.getTime() + 1000));

const writes: Array<[string, (s: DynamoContactStore) => Promise<unknown>]> = [
  ['a new primary', (s) => s.createPrimary(lorraine)],
  [
    'a new secondary',
    (s) => {
      const added = addSecondary(lorraine, { email: 'mcfly@hillvalley.edu', phoneNumber: '123456' }, 23, NOW);
      return s.addSecondary(lorraine, added.contact, { email: added.newEmail, phoneNumber: added.newPhoneNumber });
    },
  ],
  ['a merge', (s) => s.merge(george, biff, merge(george, biff, NOW))],
];

describe('a transaction whose outcome is unknown is sent again with the same ClientRequestToken', () => {
  for (const [what, write] of writes) {
    it.each(unknownOutcomes)(`${what}, after %s`, async (_name, failure) => {
      ddb.on(TransactWriteCommand).rejectsOnce(failure()).rejectsOnce(failure()).resolves({});
      await write(store());
      const sent = tokens();
      expect(sent).toHaveLength(3);
      expect(sent[0]).toEqual(expect.any(String));
      expect(sent[0]!.length).toBeGreaterThan(0);
      expect(new Set(sent).size, 'one token for every re-send').toBe(1);
      expect(new Set(items()).size, 'the same transaction every time').toBe(1);
    });
  }

  it('gives each transaction a token of its own', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const s = store();
    await s.createPrimary(lorraine);
    await s.createPrimary(george);
    const [a, b] = tokens();
    expect(a).toEqual(expect.any(String));
    expect(b).toEqual(expect.any(String));
    expect(a).not.toBe(b);
  });

  it('stops re-sending when the re-send fails a condition (the first send did not commit)', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(unknownOutcomes[0]![1]())
      .rejectsOnce(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }));
    await expect(store().createPrimary(lorraine)).rejects.toBeInstanceOf(WriteConflict);
    const sent = tokens();
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(sent[1]);
  });
});
