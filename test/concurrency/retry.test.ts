/**
 * Retries (lib/retry.ts, lib/identity-service.ts): ConditionalCheckFailed (a lost race),
 * TransactionConflict and throttling are retried with exponential backoff and full jitter,
 * bounded by the Lambda's remaining time; a request that gives up answers 503 (retryable) and
 * leaves consistent data; a retry after a lost response converges to the right answer without a
 * second write.
 */
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { translate } from '../../lib/store/dynamodb';
import { TransientStorageError, UnavailableError, WriteConflict } from '../../lib/errors';
import { deadlineOf } from '../../lib/http/handler';
import { toErrorResponse } from '../../lib/http/errors';
import { getLogger } from '../../lib/powertools/logger';
import { deadlineIn, withRetries } from '../../lib/retry';
import { audit } from '../../scripts/audit';
import { createTestTables } from '../support/dynamo';
import { instance, seededRandom, steppingClock } from '../support/instances';
import { IdentityModel } from '../support/model';

/** Fake time: sleeping advances it, so deadlines are exercised without waiting. */
function fakeTime() {
  let now = 0;
  const delays: number[] = [];
  return {
    now: () => now,
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
      now += ms;
    },
  };
}

function failing(errors: unknown[], result = 'done') {
  let calls = 0;
  return {
    calls: () => calls,
    attempt: async () => {
      const error = errors[calls++];
      if (error !== undefined) throw error;
      return result;
    },
  };
}

describe('withRetries', () => {
  it('backs off exponentially with full jitter: lost races from a tiny base, transient failures from a larger one', async () => {
    const time = fakeTime();
    const races = failing([1, 2, 3, 4, 5, 6, 7, 8].map(() => new WriteConflict('condition failed')));
    await withRetries(deadlineIn(60_000, time.now), races.attempt, { random: () => 1, sleep: time.sleep });
    // random() = 1 shows the ceiling of each draw: base 4 ms doubling, capped at 250 ms.
    expect(time.delays).toEqual([4, 8, 16, 32, 64, 128, 250, 250]);

    const slow = fakeTime();
    const throttled = failing([1, 2, 3, 4, 5, 6, 7].map(() => new TransientStorageError('throttled')));
    await withRetries(deadlineIn(60_000, slow.now), throttled.attempt, { random: () => 1, sleep: slow.sleep });
    expect(slow.delays).toEqual([20, 40, 80, 160, 320, 640, 1000]);

    const jitter = fakeTime();
    const draws = [0, 0.5, 0.25];
    const conflicts = failing([1, 2, 3].map(() => new TransientStorageError('conflict')));
    await withRetries(deadlineIn(60_000, jitter.now), conflicts.attempt, { random: () => draws.shift()!, sleep: jitter.sleep });
    // Full jitter: a uniform draw between 0 and the ceiling.
    expect(jitter.delays).toEqual([0, 20, 20]);
  });

  it('gives up with a retryable 503 when the next wait would pass the deadline', async () => {
    const time = fakeTime();
    const forever = failing(Array.from({ length: 10_000 }, () => new TransientStorageError('conflict')));
    const error = await withRetries(deadlineIn(3_000, time.now), forever.attempt, { random: () => 1, sleep: time.sleep }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).status).toBe(503);
    expect((error as UnavailableError).retryable).toBe(true);
    expect((error as UnavailableError).code).toBe('contention');
    expect(time.now()).toBeLessThanOrEqual(3_000 - 200);
    expect(forever.calls()).toBeLessThan(20);
    const response = toErrorResponse(error, getLogger());
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');

    const storage = fakeTime();
    const down = failing(Array.from({ length: 10_000 }, () => new TransientStorageError('unavailable')));
    const unavailable = await withRetries(deadlineIn(2_000, storage.now), down.attempt, { sleep: storage.sleep }).catch((e: unknown) => e);
    expect((unavailable as UnavailableError).code).toBe('storage_unavailable');
  });

  it('does not retry other errors', async () => {
    const time = fakeTime();
    const bug = failing([new TypeError('bug')]);
    await expect(withRetries(deadlineIn(5_000, time.now), bug.attempt, { sleep: time.sleep })).rejects.toBeInstanceOf(TypeError);
    expect(bug.calls()).toBe(1);
  });

  it("is bounded by the Lambda's remaining time", () => {
    let remaining = 9_000;
    const deadline = deadlineOf({ getRemainingTimeInMillis: () => remaining } as Context);
    expect(deadline.remainingMs()).toBe(8_500);
    remaining = 400;
    expect(deadline.remainingMs()).toBeLessThan(0);
  });
});

describe('translation of DynamoDB failures', () => {
  const cancelled = (...codes: string[]) =>
    new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

  it('maps failed conditions to WriteConflict and conflicts and throttling to transient errors', () => {
    expect(translate(cancelled('None', 'ConditionalCheckFailed'))).toBeInstanceOf(WriteConflict);
    expect(translate(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }))).toBeInstanceOf(WriteConflict);
    for (const [error, kind] of [
      [cancelled('TransactionConflict', 'None'), 'conflict'],
      [cancelled('None', 'ThrottlingError'), 'throttled'],
      [cancelled('ProvisionedThroughputExceeded'), 'throttled'],
      [new ProvisionedThroughputExceededException({ message: 'x', $metadata: {} }), 'throttled'],
      [Object.assign(new Error('x'), { name: 'ThrottlingException' }), 'throttled'],
      [Object.assign(new Error('x'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }), 'unavailable'],
    ] as const) {
      const translated = translate(error);
      expect(translated).toBeInstanceOf(TransientStorageError);
      expect((translated as TransientStorageError).kind).toBe(kind);
    }
  });
});

describe('the identity service under injected faults', () => {
  it('answers 503 after its time budget when every transaction conflicts, and writes nothing', async () => {
    const t = await createTestTables();
    const { service, db, destroy } = instance(t, { faults: { conflictRate: 1, lostResponseRate: 0 } });
    const error = await service.identify({ email: 'doc@hillvalley.edu', phoneNumber: '5550100' }, deadlineIn(600)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryable).toBe(true);
    const report = await audit(db, t.tables);
    expect(report.violations).toEqual([]);
    expect(report.contacts).toBe(0);
    destroy();
  });

  it('converges after lost responses and conflicts without a second write (compared with the model)', async () => {
    const t = await createTestTables();
    const { service, db, writes, destroy } = instance(t, {
      faults: { conflictRate: 0.2, lostResponseRate: 0.3 },
      random: seededRandom(7),
      clock: steppingClock(),
    });
    const model = new IdentityModel();
    const realIds = [0];
    const emails = ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', null];
    const phones = ['5550001', '5550002', '5550003', null];
    const rnd = seededRandom(11);
    const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)]!;
    const requests: Array<{ email: string | null; phoneNumber: string | null }> = [];
    for (let i = 0; i < 40; i++) {
      const request = { email: pick(emails), phoneNumber: pick(phones) };
      if (request.email === null && request.phoneNumber === null) continue;
      requests.push(request);
      const answer = await service.identify(request, deadlineIn(10_000));
      const expected = model.identify(request);
      if (expected.outcome === 'newPrimary' || expected.outcome === 'newSecondary') {
        realIds.push(Math.max(answer.primaryContactId, ...answer.secondaryContactIds));
      }
      const real = (id: number) => realIds[id]!;
      expect(answer).toEqual({
        ...expected.view,
        primaryContactId: real(expected.view.primaryContactId),
        secondaryContactIds: expected.view.secondaryContactIds.map(real),
      });
      // The same request again writes nothing and answers the same.
      const before = writes();
      expect(await service.identify(request, deadlineIn(10_000))).toEqual(answer);
      expect(writes()).toBe(before);
    }
    const report = await audit(db, t.tables, [], { requests });
    expect(report.violations).toEqual([]);
    expect(report.contacts).toBe(model.contacts.length);
    destroy();
  });

  it('creates one contact for 25 identical new requests at once, and one secondary for 20 bringing the same new email', async () => {
    const t = await createTestTables();
    const faults = { conflictRate: 0.1, lostResponseRate: 0.05 };
    const instances = Array.from({ length: 5 }, (_, i) => instance(t, { faults, random: seededRandom(100 + i) }));
    const first = { email: 'lorraine@hillvalley.edu', phoneNumber: '123456' };
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => instances[i % 5]!.service.identify(first, deadlineIn(10_000))),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    const second = { email: 'mcfly@hillvalley.edu', phoneNumber: '123456' };
    const more = await Promise.all(
      Array.from({ length: 20 }, (_, i) => instances[i % 5]!.service.identify(second, deadlineIn(10_000))),
    );
    expect(new Set(more.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(more[0]!.secondaryContactIds).toHaveLength(1);
    const report = await audit(instances[0]!.db, t.tables, [], { requests: [first, second] });
    expect(report.violations).toEqual([]);
    expect(report.contacts).toBe(2);
    instances.forEach((i) => i.destroy());
  });
});
