/**
 * Whole-data-set invariant audit (SPEC.md "Concurrency contract"), shared by the stress command
 * (scripts/stress.ts) and the concurrency tests (test/concurrency/). It Scans every table with
 * strongly consistent reads and checks, on the rows alone:
 *
 * - one primary per identity, and it is the oldest (createdAt, then id); every other contact is a
 *   secondary whose linkedId is that primary (no chains). Identities are computed independently
 *   of linkedId where possible: contacts are connected when they share an email or a phone, and
 *   the two values of every request that carried both are connected (a merge by rule 3 creates
 *   no contact, so only the request shows that the two identities became one). Without the
 *   requests (`requests` option or responses), linkedId edges are followed instead;
 * - the primary's aggregate (members, ver) matches the rows exactly; no merge re-link or erasure
 *   is left pending;
 * - every value is claimed exactly once, by the oldest contact that carries it, and its claim's
 *   primary hint points at the identity's primary (or, when `strictHints` is false, into the
 *   identity); no claim without a live contact carrying its value;
 * - no contact that a sequential run would not have created: every contact introduced a value
 *   (it owns a claim), so an identity has at most as many contacts as distinct values;
 * - the id counter is above every id;
 * and, when the responses of a run are given, that each was a 200 that contains its own request's
 * values and is consistent with the final data (its ids and values belong to the identity that
 * now owns the request's values, secondaries in (createdAt, id) order), and that each answers a
 * state its identity really passed through: the aggregate's members list only ever grows at its
 * end (a new secondary appends itself, a merge appends [absorbed primary, its members...]), so
 * the secondaries a primary P had at any moment are the members that follow P in the final list
 * (or that start it, when P is still the primary), as many as the answer lists. Two writes that
 * did not see each other (a lost version guard) answer sets that are not such a run.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { maskByKey, maskEmail, maskPersonalData, maskPhone } from '../lib/masking';
import type { TableNames } from '../lib/tables';

/**
 * Violations name the values they are about masked (lib/masking.ts), as a log line would: the
 * stress command prints them. Ids stay as they are, and so does an answer's request id.
 */
export const ANSWER_VERBATIM_KEYS: ReadonlySet<string> = new Set(['requestId']);

type Item = Record<string, any>;

export interface DataSet {
  contacts: Item[];
  emails: Item[];
  phones: Item[];
  counters: Item[];
}

export interface ResponseRecord {
  request: { email: string | null; phoneNumber: string | null };
  status: number;
  /** The parsed JSON body (the /identify `{contact: {...}}` on a 200). */
  body: any;
}

export interface AuditOptions {
  /**
   * Every request of the run (those of `responses` are added). Their email-phone pairs connect
   * identities. When neither requests nor responses are given, linkedId connects them instead.
   */
  requests?: ReadonlyArray<{ email: string | null; phoneNumber: string | null }>;
  /** Also connect contacts along linkedId (for tables holding data of earlier, unknown requests). */
  followLinks?: boolean;
  /** Claim hints must equal the primary (true, the default) or only lead into the identity. */
  strictHints?: boolean;
  /** Stop listing violations after this many (the count stays exact). */
  maxListed?: number;
}

export interface AuditReport {
  violations: string[];
  violationCount: number;
  /** Live (not erased) contacts. */
  contacts: number;
  identities: number;
  /** Size of the largest identity, in contacts. */
  largestIdentity: number;
  /**
   * What the run did, read off the data: every new primary started a group of contacts connected
   * by shared values, every new secondary joined one, and every merge joined two identities
   * without creating a contact. So primaries created = value groups, secondaries created =
   * contacts - value groups, merges = value groups - identities (when the requests are known).
   */
  created: { primaries: number; secondaries: number; merges: number };
  /** Contacts per identity: the primary ids and their sizes, for the tests. */
  identitySizes: Map<number, number>;
}

export function documentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: process.env.AWS_REGION ?? 'us-east-1',
      credentials: process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}

async function scanTable(db: DynamoDBDocumentClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  // Bounded: a table of a local run has far fewer pages than this.
  for (let page = 0; page < 100_000; page++) {
    const out = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
    if (!start) return items;
  }
  throw new Error(`scan of ${table} did not end`);
}

/** Every item of the identity tables. */
export async function readDataSet(db: DynamoDBDocumentClient, tables: TableNames): Promise<DataSet> {
  const [contacts, emails, phones, counters] = await Promise.all([
    scanTable(db, tables.contacts),
    scanTable(db, tables.emails),
    scanTable(db, tables.phones),
    scanTable(db, tables.counters),
  ]);
  contacts.sort((a, b) => Number(a.id) - Number(b.id));
  return { contacts, emails, phones, counters };
}

export async function audit(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  responses: readonly ResponseRecord[] = [],
  options: AuditOptions = {},
): Promise<AuditReport> {
  return auditDataSet(await readDataSet(db, tables), responses, options);
}

const older = (a: Item, b: Item) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : Number(a.id) - Number(b.id);

export function auditDataSet(
  data: DataSet,
  responses: readonly ResponseRecord[] = [],
  options: AuditOptions = {},
): AuditReport {
  const { strictHints = true, maxListed = 50 } = options;
  const requests = [...(options.requests ?? []), ...responses.map((r) => r.request)];
  const followLinks = options.followLinks ?? requests.length === 0;
  const violations: string[] = [];
  let violationCount = 0;
  const fail = (message: string) => {
    violationCount++;
    if (violations.length < maxListed) violations.push(message);
  };

  const live = data.contacts.filter((c) => c.deletedAt === undefined);
  const byId = new Map<number, Item>(data.contacts.map((c) => [Number(c.id), c]));

  // ---- identities: connected components of live contacts by shared email or phone
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let y = x; y !== root; ) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  const union = (a: number, b: number) => parent.set(find(a), find(b));
  const firstWithEmail = new Map<string, number>();
  const firstWithPhone = new Map<string, number>();
  for (const c of live) {
    const id = Number(c.id);
    parent.set(id, id);
    if (c.email === undefined && c.phoneNumber === undefined) fail(`contact ${id} has neither email nor phone`);
    if (c.email !== undefined) {
      const other = firstWithEmail.get(c.email);
      if (other === undefined) firstWithEmail.set(c.email, id);
      else union(id, other);
    }
    if (c.phoneNumber !== undefined) {
      const other = firstWithPhone.get(c.phoneNumber);
      if (other === undefined) firstWithPhone.set(c.phoneNumber, id);
      else union(id, other);
    }
  }
  const valueGroups = new Set(live.map((c) => find(Number(c.id)))).size;
  // A request's two values belong to one identity (rule 2 or 3), whichever contacts carry them.
  for (const r of requests) {
    if (r.email === null || r.phoneNumber === null) continue;
    const a = firstWithEmail.get(r.email);
    const b = firstWithPhone.get(r.phoneNumber);
    if (a !== undefined && b !== undefined) union(a, b);
  }
  if (followLinks) {
    for (const c of live) {
      if (c.linkedId !== undefined && parent.has(Number(c.linkedId))) union(Number(c.id), Number(c.linkedId));
    }
  }
  const components = new Map<number, Item[]>();
  for (const c of live) {
    const root = find(Number(c.id));
    (components.get(root) ?? components.set(root, []).get(root)!).push(c);
  }

  const emailClaims = new Map<string, Item>(data.emails.map((i) => [i.email as string, i]));
  const phoneClaims = new Map<string, Item>(data.phones.map((i) => [i.phone as string, i]));
  const componentOfContact = new Map<number, number>();
  const primaryOfComponent = new Map<number, number>();
  const appendOrder = new Map<number, number[]>();
  const identitySizes = new Map<number, number>();
  let largestIdentity = 0;

  for (const [root, members] of components) {
    members.sort(older);
    const oldest = members[0]!;
    const primaryId = Number(oldest.id);
    for (const m of members) componentOfContact.set(Number(m.id), root);
    primaryOfComponent.set(root, primaryId);
    identitySizes.set(primaryId, members.length);
    largestIdentity = Math.max(largestIdentity, members.length);
    const label = `identity of ${primaryId}`;

    const primaries = members.filter((m) => m.linkPrecedence === 'primary');
    if (primaries.length !== 1) {
      fail(`${label}: ${primaries.length} primaries (${primaries.map((p) => p.id).join(', ')})`);
    }
    if (oldest.linkPrecedence !== 'primary') fail(`${label}: the oldest contact ${primaryId} is not the primary`);
    if (oldest.linkedId !== undefined) fail(`${label}: primary ${primaryId} has linkedId ${oldest.linkedId}`);
    for (const m of members.slice(1)) {
      if (m.linkPrecedence !== 'secondary') fail(`${label}: contact ${m.id} is ${m.linkPrecedence}, not secondary`);
      if (Number(m.linkedId) !== primaryId) {
        fail(`${label}: secondary ${m.id} has linkedId ${m.linkedId}, not the primary ${primaryId}`);
      }
    }

    // ---- the aggregate on the primary
    if (oldest.linkPrecedence === 'primary') {
      if (oldest.relink !== undefined) fail(`${label}: a merge re-link is still pending (from ${oldest.relink.from})`);
      if (oldest.erasure !== undefined) fail(`${label}: an erasure is still pending`);
      if (!(Number(oldest.ver) >= 1)) fail(`${label}: primary has no valid ver (${oldest.ver})`);
      const stored = ((oldest.members ?? []) as Item[]).map((m) => ({
        id: Number(m.id),
        createdAt: m.createdAt,
        email: m.email ?? null,
        phoneNumber: m.phoneNumber ?? null,
      }));
      const actual = members.slice(1).map((m) => ({
        id: Number(m.id),
        createdAt: m.createdAt,
        email: m.email ?? null,
        phoneNumber: m.phoneNumber ?? null,
      }));
      appendOrder.set(root, stored.map((m) => m.id));
      const key = (m: { id: number }) => m.id;
      const storedSorted = [...stored].sort((a, b) => key(a) - key(b));
      const actualSorted = [...actual].sort((a, b) => key(a) - key(b));
      if (JSON.stringify(storedSorted) !== JSON.stringify(actualSorted)) {
        const storedIds = new Set(stored.map(key));
        const actualIds = new Set(actual.map(key));
        fail(
          `${label}: aggregate does not match the rows (aggregate ${stored.length} members, rows ${actual.length}; ` +
            `missing ${[...actualIds].filter((i) => !storedIds.has(i)).slice(0, 5).join(',') || '-'}, ` +
            `extra ${[...storedIds].filter((i) => !actualIds.has(i)).slice(0, 5).join(',') || '-'})`,
        );
      }
    }

    // ---- claims of the identity's values
    const values = new Set<string>();
    const owners = new Set<number>();
    const checkClaims = (field: 'email' | 'phoneNumber', claims: Map<string, Item>) => {
      const firstCarrier = new Map<string, Item>();
      for (const m of members) {
        const value = m[field] as string | undefined;
        if (value !== undefined && !firstCarrier.has(value)) firstCarrier.set(value, m);
      }
      for (const [value, carrier] of firstCarrier) {
        values.add(`${field}:${value}`);
        const claim = claims.get(value);
        if (!claim) {
          fail(`${label}: ${field} ${maskByKey(field, value)} has no claim`);
          continue;
        }
        owners.add(Number(claim.contactId));
        if (Number(claim.contactId) !== Number(carrier.id)) {
          fail(`${label}: claim of ${field} ${maskByKey(field, value)} names contact ${claim.contactId}, not its first carrier ${carrier.id}`);
        }
        const hint = Number(claim.primaryId);
        if (strictHints ? hint !== primaryId : componentOfContact.get(hint) !== root) {
          fail(`${label}: claim of ${field} ${maskByKey(field, value)} hints at ${hint}, not the primary ${primaryId}`);
        }
      }
    };
    checkClaims('email', emailClaims);
    checkClaims('phoneNumber', phoneClaims);

    // ---- no contact a sequential run would not have created
    if (members.length > values.size) {
      fail(`${label}: ${members.length} contacts but only ${values.size} distinct values`);
    }
    for (const m of members) {
      if (!owners.has(Number(m.id))) fail(`${label}: contact ${m.id} introduced no value (a duplicate)`);
    }
  }

  // ---- claims without a live carrier
  for (const [value, claim] of emailClaims) {
    if (!firstWithEmail.has(value)) fail(`email claim ${maskEmail(value)} (contact ${claim.contactId}) has no live contact`);
  }
  for (const [value, claim] of phoneClaims) {
    if (!firstWithPhone.has(value)) fail(`phone claim ${maskPhone(value)} (contact ${claim.contactId}) has no live contact`);
  }

  // ---- the id counter
  const counter = data.counters.find((c) => c.name === 'contactId');
  const maxId = data.contacts.reduce((max, c) => Math.max(max, Number(c.id)), 0);
  if (maxId > 0 && !(Number(counter?.value) >= maxId)) fail(`id counter ${counter?.value} is below the largest id ${maxId}`);

  // ---- the responses
  for (const [index, r] of responses.entries()) {
    const what = `response ${index} to ${JSON.stringify(maskPersonalData(r.request))}`;
    if (r.status !== 200) {
      fail(`${what}: status ${r.status} ${JSON.stringify(maskPersonalData(r.body, '', 0, ANSWER_VERBATIM_KEYS))?.slice(0, 200)}`);
      continue;
    }
    const contact = r.body?.contact;
    if (!contact) {
      fail(`${what}: no contact in the body`);
      continue;
    }
    if (contact.primaryContatctId !== contact.primaryContactId) fail(`${what}: the deprecated alias differs`);
    if (r.request.email !== null && !contact.emails.includes(r.request.email)) fail(`${what}: its email is missing`);
    if (r.request.phoneNumber !== null && !contact.phoneNumbers.includes(r.request.phoneNumber)) {
      fail(`${what}: its phone number is missing`);
    }
    const anchor =
      r.request.email !== null ? firstWithEmail.get(r.request.email) : firstWithPhone.get(r.request.phoneNumber!);
    if (anchor === undefined) {
      fail(`${what}: no stored contact carries its values`);
      continue;
    }
    const root = componentOfContact.get(anchor)!;
    const ids = [contact.primaryContactId as number, ...(contact.secondaryContactIds as number[])];
    if (new Set(ids).size !== ids.length) fail(`${what}: an id is listed twice`);
    for (const id of ids) {
      if (componentOfContact.get(id) !== root) fail(`${what}: contact ${id} is not in the identity of its values`);
    }
    const secondaries = (contact.secondaryContactIds as number[]).map((id) => byId.get(id)).filter(Boolean) as Item[];
    for (let i = 1; i < secondaries.length; i++) {
      if (older(secondaries[i - 1]!, secondaries[i]!) > 0) {
        fail(`${what}: secondaryContactIds not in (createdAt, id) order`);
        break;
      }
    }
    const order = appendOrder.get(root);
    if (order) {
      const primary = contact.primaryContactId as number;
      const start = primary === primaryOfComponent.get(root) ? 0 : order.indexOf(primary) + 1;
      const listed = [...(contact.secondaryContactIds as number[])].sort((a, b) => a - b);
      const run = order.slice(start, start + listed.length).sort((a, b) => a - b);
      if (start === 0 && primary !== primaryOfComponent.get(root)) {
        fail(`${what}: its primary ${primary} is not in its identity's aggregate`);
      } else if (JSON.stringify(listed) !== JSON.stringify(run)) {
        fail(`${what}: answers secondaries [${listed.slice(0, 8)}] that its identity never had together (expected [${run.slice(0, 8)}])`);
      }
    }
    const rootValues = new Set<string>();
    for (const m of components.get(root)!) {
      if (m.email !== undefined) rootValues.add(`e:${m.email}`);
      if (m.phoneNumber !== undefined) rootValues.add(`p:${m.phoneNumber}`);
    }
    for (const e of contact.emails as string[]) if (!rootValues.has(`e:${e}`)) fail(`${what}: email ${maskEmail(e)} is not in its identity`);
    for (const p of contact.phoneNumbers as string[]) {
      if (!rootValues.has(`p:${p}`)) fail(`${what}: phone ${maskPhone(p)} is not in its identity`);
    }
  }

  return {
    violations,
    violationCount,
    contacts: live.length,
    identities: components.size,
    largestIdentity,
    identitySizes,
    created: { primaries: valueGroups, secondaries: live.length - valueGroups, merges: valueGroups - components.size },
  };
}
