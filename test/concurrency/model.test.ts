/**
 * Model-based tests: random sequences of request batches over a small universe of emails and
 * phones (nulls included) run against the service on DynamoDB Local, each batch's requests at the
 * same time on different instances, optionally with injected conflicts and lost responses. Every
 * answer and every stored row must equal the reference model (test/support/model.ts) run in SOME
 * order of the batch (linearizability: requests of one batch overlap in time, batches do not).
 * Real ids are mapped to model ids by creation order (createdAt, id; the instances share a clock
 * that ticks on every reading, as a real clock would between dependent writes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdentityView } from '../../lib/model';
import { deadlineIn } from '../../lib/retry';
import { audit, readDataSet } from '../../scripts/audit';
import { createTestTables } from '../support/dynamo';
import { instance, seededRandom, steppingClock } from '../support/instances';
import { IdentityModel, type ModelRequest } from '../support/model';
import { assertProperty } from '../support/property';

const EMAILS = ['doc@hv.test', 'marty@hv.test', 'biff@hv.test', 'george@hv.test', 'lorraine@hv.test'];
const PHONES = ['5550001', '5550002', '5550003', '5550004'];

// About one value in five is absent (null); small enough a universe that requests keep meeting
// each other's values (merges, new secondaries of one identity at once, identical requests).
const requestArb: fc.Arbitrary<ModelRequest> = fc
  .record({
    email: fc.option(fc.constantFrom(...EMAILS), { freq: 4 }),
    phoneNumber: fc.option(fc.constantFrom(...PHONES), { freq: 4 }),
  })
  .filter((r) => r.email !== null || r.phoneNumber !== null);

const scenarioArb = fc.record({
  batches: fc.array(fc.array(requestArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 7 }),
  faults: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

interface Row {
  id: number;
  email: string | null;
  phoneNumber: string | null;
  linkedId: number | null;
  linkPrecedence: string;
}

async function runScenario(scenario: { batches: ModelRequest[][]; faults: boolean; seed: number }): Promise<void> {
  const t = await createTestTables();
  const clock = steppingClock();
  const instances = [0, 1, 2, 3].map((i) =>
    instance(t, {
      clock,
      ...(scenario.faults
        ? { faults: { conflictRate: 0.15, lostResponseRate: 0.15 }, random: seededRandom(scenario.seed + i) }
        : {}),
    }),
  );
  let model = new IdentityModel();
  const realIds: number[] = [0]; // model id -> real id (by creation order)
  const history: string[] = [];
  try {
    for (const batch of scenario.batches) {
      const answers = await Promise.all(
        batch.map((request, i) => instances[i % instances.length]!.service.identify(request, deadlineIn(15_000))),
      );
      const data = await readDataSet(instances[0]!.db, t.tables);
      const stored = [...data.contacts].sort((a, b) =>
        a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : Number(a.id) - Number(b.id),
      );
      const known = stored.slice(0, realIds.length - 1).map((c) => Number(c.id));
      expect(known, 'contacts created earlier keep their creation order').toEqual(realIds.slice(1));
      const created = stored.slice(realIds.length - 1).map((c) => Number(c.id));
      const ids = [...realIds, ...created];
      const real = (id: number) => ids[id] ?? -id;
      const toReal = (view: IdentityView): IdentityView => ({
        ...view,
        primaryContactId: real(view.primaryContactId),
        secondaryContactIds: view.secondaryContactIds.map(real),
      });
      const realRows: Row[] = data.contacts.map((c) => ({
        id: Number(c.id),
        email: c.email ?? null,
        phoneNumber: c.phoneNumber ?? null,
        linkedId: c.linkedId === undefined ? null : Number(c.linkedId),
        linkPrecedence: c.linkPrecedence,
      }));

      // Some order of the batch must reproduce every answer and every stored row.
      const order = permutations(batch.map((_, i) => i)).find((perm) => {
        const candidate = model.clone();
        const views: IdentityView[] = [];
        for (const i of perm) views[i] = candidate.identify(batch[i]!).view;
        if (candidate.contacts.length !== ids.length - 1) return false;
        const rows: Row[] = candidate.contacts
          .map((c) => ({ ...c, id: real(c.id), linkedId: c.linkedId === null ? null : real(c.linkedId) }))
          .sort((a, b) => a.id - b.id);
        try {
          expect(rows).toEqual(realRows);
          batch.forEach((_, i) => expect(answers[i]).toEqual(toReal(views[i]!)));
        } catch {
          return false;
        }
        model = candidate;
        return true;
      });
      history.push(`${JSON.stringify(batch)} -> ${JSON.stringify(answers)}`);
      if (!order) {
        throw new Error(
          `no order of the batch matches the model\nhistory:\n${history.join('\n')}\nrows: ${JSON.stringify(realRows)}`,
        );
      }
      realIds.push(...created);
    }
    const report = await audit(instances[0]!.db, t.tables, [], { requests: scenario.batches.flat() });
    expect(report.violations).toEqual([]);
  } finally {
    instances.forEach((i) => i.destroy());
  }
}

describe('the service equals the reference model', () => {
  it('on random concurrent request batches, with and without injected faults', async () => {
    // A fixed seed unless FC_SEED says otherwise (test/support/property.ts).
    await assertProperty(fc.asyncProperty(scenarioArb, runScenario), { numRuns: 30, endOnFailure: false });
  }, 120_000);

  it('when several requests bring new values to one identity at the same time', async () => {
    for (let round = 0; round < 3; round++) {
      await runScenario({
        batches: [
          [{ email: 'doc@hv.test', phoneNumber: '5550001' }],
          EMAILS.slice(1).map((email) => ({ email, phoneNumber: '5550001' })),
          [{ email: 'doc@hv.test', phoneNumber: '5550002' }, { email: null, phoneNumber: '5550003' }],
          [{ email: 'marty@hv.test', phoneNumber: '5550003' }, { email: 'biff@hv.test', phoneNumber: '5550004' }],
        ],
        faults: round === 2,
        seed: round,
      });
    }
  });

  it('on the worked examples of SPEC.md run one after another', async () => {
    await runScenario({
      batches: [
        [{ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' }],
        [{ email: 'mcfly@hillvalley.edu', phoneNumber: '123456' }],
        [{ email: null, phoneNumber: '123456' }],
        [{ email: 'george@hillvalley.edu', phoneNumber: '919191' }],
        [{ email: 'biffsucks@hillvalley.edu', phoneNumber: '717171' }],
        [{ email: 'george@hillvalley.edu', phoneNumber: '717171' }],
        [{ email: 'lorraine@hillvalley.edu', phoneNumber: '717171' }],
      ],
      faults: false,
      seed: 1,
    });
  });
});
