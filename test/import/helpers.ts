/**
 * Helpers of the bulk-import tests: the sequential reference replay (every valid record through
 * the real identity service over DynamoDB Local, one after the other, in createdAt order, ties in
 * file order, with the record's createdAt as the clock and one id per counter write, as the
 * definition of the import's outcome says), an in-process import into test tables, and the
 * comparison of two table snapshots.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../../lib/dynamo-client';
import { DynamoContactStore } from '../../lib/store/dynamodb';
import { IdentityService } from '../../lib/identity-service';
import { createProgress } from '../../lib/import/progress';
import { readRecords } from '../../lib/import/records';
import { replayOrder } from '../../lib/import/replay';
import { runImport, type ImportOptions } from '../../lib/import/run';
import { deadlineIn } from '../../lib/retry';
import type { TestTables } from '../support/dynamo';
import { IdentityModel, type ModelContact } from '../support/model';
import type { TableSnapshot } from '../support/snapshot';

export function tempFile(name: string, content?: string): string {
  const file = join(tmpdir(), `import-${randomUUID().slice(0, 8)}-${name}`);
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

export async function importInto(t: TestTables, file: string, options: Partial<ImportOptions> = {}) {
  const db = createDocumentClient(t.config());
  try {
    return await runImport({
      file,
      dryRun: false,
      db,
      tables: t.tables,
      target: `${t.endpoint} (${t.tables.contacts})`,
      concurrency: 2,
      progress: createProgress(process.stderr, true),
      ...options,
    });
  } finally {
    db.destroy();
  }
}

/**
 * The definition: every valid record through /identify's service (the real one, over DynamoDB
 * Local), one by one, in createdAt order with ties in file order, the record's createdAt as the
 * clock, one id per counter write. With `parallel` > 1 the records are first grouped into connected
 * components (records sharing an email or a phone, transitively; a union-find written here, not the
 * import's code) and each component is replayed in that order, several components at a time: a
 * request only ever reads and writes the identities of its own values, so every component ends
 * exactly as in the one-by-one run; only the ids are numbered differently (compare with
 * `canonical`).
 */
export async function referenceReplay(t: TestTables, file: string, options: { maxTransactionActions?: number; parallel?: number } = {}): Promise<string> {
  const startedAt = new Date().toISOString();
  const { records } = await readRecords(file, { format: file.endsWith('.csv') ? 'csv' : 'ndjson', now: Date.now(), onReject: () => {} });
  const parallel = (options.parallel ?? 1) > 1;
  // One by one, one id per counter write numbers the contacts exactly in replay order; in parallel
  // the numbering differs anyway, so ids come in blocks (one counter write per 50 contacts).
  const block = parallel ? 50 : 1;
  const db = createDocumentClient(t.config({ idBlockSize: block }));
  const store = new DynamoContactStore(db, t.tables, block, options.maxTransactionActions);
  const order = [...replayOrder(records)];
  const groups = parallel ? components(records.emails, records.phones, order) : [order];
  try {
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++]!;
        let now = new Date(0);
        const service = new IdentityService(store, { clock: () => now });
        for (const i of group) {
          now = new Date(records.times[i]!);
          try {
            await service.identify({ email: records.emails[i]!, phoneNumber: records.phones[i]! }, deadlineIn(60_000));
          } catch (error) {
            if ((error as { code?: string }).code !== 'identity_too_large') throw error;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: options.parallel ?? 1 }, worker));
  } finally {
    db.destroy();
  }
  return startedAt;
}

/** Record indices grouped by connected component (shared email or phone), each group in `order`. */
function components(emails: (string | null)[], phones: (string | null)[], order: number[]): number[][] {
  const parent = emails.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const first = new Map<string, number>();
  for (let i = 0; i < emails.length; i++) {
    for (const key of [emails[i] === null ? null : `e${emails[i]}`, phones[i] === null ? null : `p${phones[i]}`]) {
      if (key === null) continue;
      const other = first.get(key);
      if (other === undefined) first.set(key, i);
      else parent[find(i)] = find(other);
    }
  }
  const groups = new Map<number, number[]>();
  for (const i of order) {
    const root = find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(i);
  }
  return [...groups.values()];
}

/**
 * Two snapshots made comparable: with `canonicalIds`, ids are replaced by numbering-free names
 * (`canonical`); and `updatedAt` is dropped, in both, on rows where the reference took it from the
 * wall clock (rows re-linked after a merge's transaction by finishRelink, which stamps the time of
 * the re-link, not the merge's): those stamped at or after `wallClockFrom`, when the reference began.
 */
export function comparable(got: TableSnapshot, want: TableSnapshot, wallClockFrom: string, canonicalIds = false) {
  const [g, w] = canonicalIds ? [canonical(got), canonical(want)] : [got, want];
  const wallClock = new Set(w.contacts.filter((c) => (c.updatedAt as string) >= wallClockFrom).map((c) => c.id));
  const strip = <T extends { contacts: Array<Record<string, unknown>> }>(snap: T): T => ({
    ...snap,
    contacts: snap.contacts.map((item) => {
      if (!wallClock.has(item.id)) return item;
      const { updatedAt: _, ...rest } = item;
      return rest;
    }),
  });
  return [strip(g), strip(w)] as const;
}

/**
 * A snapshot with every contact id replaced by a name that does not depend on numbering: the
 * values its contact introduced (the claims it holds), e.g. "e:a@b.example p:5550001". Every
 * contact introduces at least one value, and a value is claimed once, so the names are unique.
 */
export function canonical(s: TableSnapshot) {
  const names = new Map<number, string[]>();
  for (const c of s.emails) names.set(Number(c.contactId), [...(names.get(Number(c.contactId)) ?? []), `e:${c.email}`]);
  for (const c of s.phones) names.set(Number(c.contactId), [...(names.get(Number(c.contactId)) ?? []), `p:${c.phone}`]);
  const name = (id: unknown) => (id === undefined ? undefined : (names.get(Number(id)) ?? [`?${id}`]).join(' '));
  const contacts = s.contacts
    .map(({ bucket: _b, id, linkedId, members, ...rest }) => ({
      ...rest,
      id: name(id),
      linkedId: name(linkedId),
      ...(members ? { members: (members as Array<Record<string, unknown>>).map((m) => ({ ...m, id: name(m.id) })) } : {}),
    }))
    .sort((a, b) => a.id!.localeCompare(b.id!));
  const claims = (items: Array<Record<string, unknown>>) =>
    items.map((c) => ({ ...c, contactId: name(c.contactId), primaryId: name(c.primaryId) }));
  return { contacts, emails: claims(s.emails), phones: claims(s.phones) };
}

/**
 * The same definition through SPEC's reference model (test/support/model.ts, written
 * independently of lib/): every valid record, in createdAt order with ties in file order. The
 * model numbers contacts 1, 2, 3… in creation order, as the import does from its reserved range,
 * so ids compare exactly; the model's rows are what /identify's rules say the store must hold.
 */
export async function modelReplay(file: string): Promise<ModelContact[]> {
  const { records } = await readRecords(file, { format: file.endsWith('.csv') ? 'csv' : 'ndjson', now: Date.now(), onReject: () => {} });
  const model = new IdentityModel();
  for (const i of replayOrder(records)) model.identify({ email: records.emails[i]!, phoneNumber: records.phones[i]! });
  return model.contacts;
}

/** The stored contacts in the model's shape, by id. */
export function asModelRows(s: TableSnapshot): ModelContact[] {
  return s.contacts.map((c) => ({
    id: Number(c.id),
    email: (c.email as string | undefined) ?? null,
    phoneNumber: (c.phoneNumber as string | undefined) ?? null,
    linkedId: c.linkedId === undefined || c.linkedId === null ? null : Number(c.linkedId),
    linkPrecedence: c.linkPrecedence as ModelContact['linkPrecedence'],
  }));
}
