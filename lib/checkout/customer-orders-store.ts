/**
 * The admin side of the Orders table (lib/tables.ts `orders`; layout in lib/checkout/orders-store.ts):
 * the orders of a set of customer ids, found through their count items `customer#<id>`
 * (`orderIds`) with strongly consistent BatchGetItems (no index), and the erasure of those orders'
 * contact data. Apart from the checkout's store so the admin functions' bundles stay small. No HTTP.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerOrder, CustomerOrderStore, OrderLine } from './orders';
import { batchGet, call, customerKey } from './orders-store';

export class DynamoCustomerOrderStore implements CustomerOrderStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async ordersOfCustomers(customerIds: readonly number[]): Promise<CustomerOrder[]> {
    const counts = await batchGet(this.db, this.table, [...new Set(customerIds)].map(customerKey), ['orderId', 'orderIds']);
    const orderIds = [...new Set(counts.flatMap((item) => [...((item.orderIds as Set<string> | undefined) ?? [])]))];
    const items = await batchGet(this.db, this.table, orderIds, ['orderId', 'kind', 'orderNumber', 'createdAt', 'total', 'currency', 'items', 'customerId']);
    return items
      .filter((item) => item.kind === 'order')
      .map((item) => ({
        orderId: String(item.orderId),
        orderNumber: String(item.orderNumber),
        createdAt: String(item.createdAt),
        total: Number(item.total),
        currency: item.currency as CustomerOrder['currency'],
        items: (item.items as OrderLine[]).map(({ productId, name, quantity }) => ({ productId, name, quantity: Number(quantity) })),
        customerId: Number(item.customerId),
      }));
  }

  async eraseContactData(orderIds: readonly string[], at: string): Promise<number> {
    const items = await batchGet(this.db, this.table, [...new Set(orderIds)], ['orderId', 'kind', 'email', 'phoneNumber', 'fingerprint', 'response']);
    let erased = 0;
    for (const item of items) {
      if (item.kind !== 'order' || !holdsContactData(item)) continue;
      await call(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { orderId: item.orderId },
            // The masked contacts of the saved answer go too; without the fingerprint (a hash of the
            // email and phone) a replay of this orderId is refused as order_id_conflict.
            UpdateExpression: 'REMOVE email, phoneNumber, fingerprint SET #response = :response, erasedAt = if_not_exists(erasedAt, :at)',
            ConditionExpression: 'attribute_exists(orderId)',
            ExpressionAttributeNames: { '#response': 'response' },
            ExpressionAttributeValues: { ':response': withoutContacts(item.response), ':at': at },
          }),
        ),
      );
      erased++;
    }
    return erased;
  }
}

/** An order still holding the customer's contact data: an email, a phone, a fingerprint or masked contacts. */
function holdsContactData(item: Record<string, unknown>): boolean {
  if (item.email !== undefined || item.phoneNumber !== undefined || item.fingerprint !== undefined) return true;
  const saved = parseResponse(item.response);
  return (saved?.customer?.contacts?.emails?.length ?? 0) > 0 || (saved?.customer?.contacts?.phoneNumbers?.length ?? 0) > 0;
}

/** The saved answer with its masked contacts emptied (JSON, as stored). */
function withoutContacts(response: unknown): string {
  const saved = parseResponse(response) ?? {};
  if (saved.customer) saved.customer.contacts = { emails: [], phoneNumbers: [] };
  return JSON.stringify(saved);
}

function parseResponse(response: unknown): { customer?: { contacts?: { emails?: string[]; phoneNumbers?: string[] } } } | null {
  if (typeof response !== 'string') return null;
  try {
    return JSON.parse(response);
  } catch {
    return null;
  }
}
