/**
 * The write plan of a bulk import: the final identities of the replay (lib/import/replay.ts) cut
 * into DynamoDB transactions of at most 100 actions, in a deterministic order, so that a resumed
 * run rebuilds exactly the same numbered transactions and the checkpoint can name them by number.
 * - small identities (primary, secondaries and claims within 100 actions) are packed several to a
 *   transaction: each identity is always written whole, atomically;
 * - a larger identity gets its own task: transactions of secondaries and claims first, its primary
 *   (with the aggregate) alone in the last one, written one after the other. Until that last one
 *   commits, its values are claimed but lead to no primary, so /identify answers 503 for them
 *   (re-reads, never a wrong answer) instead of starting a second identity with one of them.
 * Items are built with the layout's own mappers (lib/store/dynamodb/items.ts), ids shifted into the
 * range reserved on the Counters item.
 */
import { contactItem, memberItem } from '../store/dynamodb/items';
import { MAX_TRANSACTION_ACTIONS } from '../store/dynamodb/send';
import type { Claim, Contact, Identity } from '../model';
import type { TableNames } from '../tables';
import type { MemoryContactStore } from './memory-store';

export type Item = Record<string, unknown>;

export interface PlannedPut {
  table: 'contacts' | 'emails' | 'phones';
  item: Item;
}

/** One unit of the checkpoint: a transaction, numbered across the whole plan. */
export interface PlannedTransaction {
  seq: number;
  /** In-memory primary ids of the identities this transaction writes (whole or in part). */
  identities: number[];
  actions: number;
}

export interface Task {
  /** One transaction for packed small identities; several, in order, for one large identity. */
  transactions: PlannedTransaction[];
  large: boolean;
}

export interface WritePlan {
  tasks: Task[];
  transactions: number;
  identities: number;
  items: number;
  /** Each final identity with the claims it holds, by in-memory primary id, in plan order. */
  parts: Map<number, IdentityParts>;
}

export interface IdentityParts {
  identity: Identity;
  emails: Claim[];
  phones: Claim[];
}

/** Groups the claims of the final state by the identity (primary) that holds them. */
function partsOf(store: MemoryContactStore): Map<number, IdentityParts> {
  const parts = new Map<number, IdentityParts>();
  for (const [id, identity] of store.identities) parts.set(id, { identity, emails: [], phones: [] });
  for (const claim of store.emailClaims.values()) parts.get(claim.primaryId)!.emails.push(claim);
  for (const claim of store.phoneClaims.values()) parts.get(claim.primaryId)!.phones.push(claim);
  return parts;
}

function actionsOf(p: IdentityParts): number {
  return 1 + p.identity.members.length + p.emails.length + p.phones.length;
}

export function buildPlan(store: MemoryContactStore, maxActions = MAX_TRANSACTION_ACTIONS): WritePlan {
  const parts = partsOf(store);
  const tasks: Task[] = [];
  let seq = 0;
  let items = 0;
  let packed: PlannedTransaction | null = null;
  for (const [id, p] of parts) {
    const actions = actionsOf(p);
    items += actions;
    if (actions <= maxActions) {
      if (!packed || packed.actions + actions > maxActions) {
        packed = { seq: seq++, identities: [], actions: 0 };
        tasks.push({ transactions: [packed], large: false });
      }
      packed.identities.push(id);
      packed.actions += actions;
    } else {
      const rest = actions - 1;
      const chunks = Math.ceil(rest / maxActions);
      const transactions: PlannedTransaction[] = [];
      for (let c = 0; c < chunks; c++) {
        transactions.push({ seq: seq++, identities: [id], actions: Math.min(maxActions, rest - c * maxActions) });
      }
      transactions.push({ seq: seq++, identities: [id], actions: 1 });
      tasks.push({ transactions, large: true });
    }
  }
  return { tasks, transactions: seq, identities: parts.size, items, parts };
}

/** Builds the items of the plan's transactions, with ids shifted by the reserved range's offset. */
export class ItemBuilder {
  private readonly parts: Map<number, IdentityParts>;

  constructor(
    private readonly store: MemoryContactStore,
    plan: WritePlan,
    readonly idOffset: number,
    private readonly maxActions = MAX_TRANSACTION_ACTIONS,
  ) {
    this.parts = plan.parts;
  }

  /** Every put of one identity, primary last. */
  putsOf(primaryId: number): PlannedPut[] {
    const p = this.parts.get(primaryId)!;
    const off = this.idOffset;
    const puts: PlannedPut[] = [];
    for (const m of p.identity.members) puts.push({ table: 'contacts', item: contactItem(this.shift(this.store.rows.get(m.id)!)) });
    for (const c of p.emails) puts.push({ table: 'emails', item: { email: c.value, contactId: c.contactId + off, primaryId: c.primaryId + off } });
    for (const c of p.phones) puts.push({ table: 'phones', item: { phone: c.value, contactId: c.contactId + off, primaryId: c.primaryId + off } });
    puts.push({
      table: 'contacts',
      item: {
        ...contactItem(this.shift(p.identity.primary)),
        members: p.identity.members.map((m) => memberItem({ ...m, id: m.id + off })),
        ver: p.identity.version,
      },
    });
    return puts;
  }

  /** The puts of one planned transaction (for a large identity: its slice of the identity's puts). */
  putsFor(task: Task, index: number): PlannedPut[] {
    const t = task.transactions[index]!;
    if (!task.large) return t.identities.flatMap((id) => this.putsOf(id));
    const all = this.putsOf(t.identities[0]!);
    if (index === task.transactions.length - 1) return [all.at(-1)!];
    return all.slice(index * this.maxActions, Math.min((index + 1) * this.maxActions, all.length - 1));
  }

  /** Source identity sizes, for the summary. */
  contactsOf(primaryId: number): number[] {
    const p = this.parts.get(primaryId)!;
    return [p.identity.primary.id, ...p.identity.members.map((m) => m.id)];
  }

  private shift(c: Contact): Contact {
    return { ...c, id: c.id + this.idOffset, linkedId: c.linkedId === null ? null : c.linkedId + this.idOffset };
  }
}

export function tableOf(tables: TableNames, put: PlannedPut): string {
  return tables[put.table];
}
