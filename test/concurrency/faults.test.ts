/**
 * The fault injection (lib/faults.ts) that lets tests and the stress command exercise the retry
 * and repair paths DynamoDB Local never triggers, and the guarantee that it is never active in a
 * deployment.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config';
import { createDocumentClient } from '../../lib/dynamo-client';
import { translate } from '../../lib/store/dynamodb';
import { TransientStorageError } from '../../lib/errors';
import { addFaultInjection, faultsFromEnv, LostResponseError, syntheticConflict } from '../../lib/faults';
import { createTestTables } from '../support/dynamo';

const ROOT = resolve(import.meta.dirname, '../..');

async function faultyClient(faults: { conflictRate: number; lostResponseRate: number }, random = () => 0.5) {
  const t = await createTestTables();
  const db = createDocumentClient(t.config());
  addFaultInjection(db, faults, random);
  const plain = createDocumentClient(t.config());
  const exists = async (email: string) =>
    (await plain.send(new GetCommand({ TableName: t.tables.emails, Key: { email }, ConsistentRead: true }))).Item !== undefined;
  const put = (email: string) => ({
    Put: { TableName: t.tables.emails, Item: { email, contactId: 1, primaryId: 1 } },
  });
  return { t, db, plain, exists, put };
}

describe('fault injection', () => {
  it('refuses a transaction with a TransactionConflict cancellation before sending it', async () => {
    const { db, exists, put } = await faultyClient({ conflictRate: 1, lostResponseRate: 0 });
    const error = await db
      .send(new TransactWriteCommand({ TransactItems: [put('a@x.test'), put('b@x.test')] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons!.map((r) => r.Code);
    expect(reasons).toEqual(['TransactionConflict', 'None']);
    // Nothing was sent, so nothing was written.
    expect(await exists('a@x.test')).toBe(false);
    expect(await exists('b@x.test')).toBe(false);
    // The service sees it as a transient conflict: backoff and retry, never a WriteConflict.
    expect(translate(error)).toBeInstanceOf(TransientStorageError);
    expect((translate(error) as TransientStorageError).kind).toBe('conflict');
  });

  it('drops the response of a successful write, which stays committed', async () => {
    const { db, exists, put } = await faultyClient({ conflictRate: 0, lostResponseRate: 1 });
    await expect(db.send(new TransactWriteCommand({ TransactItems: [put('c@x.test')] }))).rejects.toBeInstanceOf(
      LostResponseError,
    );
    expect(await exists('c@x.test')).toBe(true);
    await expect(db.send(new PutCommand(put('d@x.test').Put))).rejects.toBeInstanceOf(LostResponseError);
    expect(await exists('d@x.test')).toBe(true);
    expect(translate(new LostResponseError())).toBeInstanceOf(TransientStorageError);
  });

  it('leaves reads alone and injects nothing at rate 0 or when the random draw is above the rate', async () => {
    const { t, db } = await faultyClient({ conflictRate: 1, lostResponseRate: 1 });
    await expect(db.send(new GetCommand({ TableName: t.tables.emails, Key: { email: 'x@x.test' } }))).resolves.toBeDefined();
    await expect(
      db.send(new BatchGetCommand({ RequestItems: { [t.tables.emails]: { Keys: [{ email: 'x@x.test' }] } } })),
    ).resolves.toBeDefined();
    const calm = await faultyClient({ conflictRate: 0.3, lostResponseRate: 0.3 }, () => 0.5);
    await calm.db.send(new TransactWriteCommand({ TransactItems: [calm.put('e@x.test')] }));
    expect(await calm.exists('e@x.test')).toBe(true);
  });

  it('builds cancellation reasons that line up with the transaction actions', () => {
    const error = syntheticConflict(3);
    expect(error.CancellationReasons!.map((r) => r.Code)).toEqual(['TransactionConflict', 'None', 'None']);
  });
});

describe('fault injection is never active in a deployment', () => {
  it('is read from FAULT_INJECTION by the local server', () => {
    expect(faultsFromEnv({ FAULT_INJECTION: 'conflict=0.1,lost=0.05' })).toEqual({
      conflictRate: 0.1,
      lostResponseRate: 0.05,
    });
    expect(faultsFromEnv({})).toBeNull();
    expect(() => faultsFromEnv({ FAULT_INJECTION: 'conflict=2' })).toThrow(ConfigError);
    expect(() => faultsFromEnv({ FAULT_INJECTION: 'explode=0.1' })).toThrow(ConfigError);
  });

  it('refuses to start inside AWS Lambda', () => {
    expect(() => faultsFromEnv({ FAULT_INJECTION: 'conflict=0.1', AWS_LAMBDA_FUNCTION_NAME: 'identify' })).toThrow(
      /FAULT_INJECTION is refused inside AWS Lambda/,
    );
  });

  it('is never set by the deployed stack, and only the local server attaches it', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : /\.(ts|json)$/.test(name) ? [path] : [];
      });
    const offenders = [...files(join(ROOT, 'infra')), ...files(join(ROOT, 'functions')), join(ROOT, 'cdk.json')].filter(
      (file) => readFileSync(file, 'utf8').includes('FAULT_INJECTION'),
    );
    expect(offenders).toEqual([]);
    // In lib, only lib/faults.ts reads the variable and only the local server imports it (so no
    // function bundle carries it: test/infra/bundle.test.ts checks the bundles themselves).
    // The server names it in a comment.
    const relative = (f: string) => f.slice(ROOT.length + 1);
    const libFiles = files(join(ROOT, 'lib'));
    expect(libFiles.filter((f) => readFileSync(f, 'utf8').includes('FAULT_INJECTION')).map(relative).sort()).toEqual(['lib/faults.ts', 'lib/local/server.ts']);
    const importers = libFiles.filter((f) => /from '\.{1,2}\/(?:\.\.\/)*faults'/.test(readFileSync(f, 'utf8'))).map(relative);
    expect(importers).toEqual(['lib/local/server.ts']);
  });
});
