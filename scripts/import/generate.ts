/**
 * `npm run import:generate -- --records N [--seed S] [--format ndjson|csv] [--invalid-rate R] [--out FILE]`:
 * writes a realistic, repeatable file of historical orders for the bulk import: most customers
 * with 1–3 orders, some with many, each with one or two emails and phones used in varying
 * combinations and spellings (case, spaces, dashes), a few phone numbers shared between customers
 * (families, a reseller) that merge identities, some orders at the same second (ties), and a small
 * share of invalid lines. Records are written in customer order, not time order, as exports are.
 * generateRecords() is also used by the tests.
 */
import { createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { seededRandom } from '../seeded-random';

export interface OrderRecord {
  email?: string | null;
  phoneNumber?: string | number | null;
  createdAt?: string;
  orderId?: string;
}

const START = Date.parse('2019-01-01T00:00:00.000Z');
const END = Date.parse('2025-12-31T23:59:59.999Z');
const SHARED_PHONES = 40;
const INVALID: Array<(r: OrderRecord) => OrderRecord | string> = [
  (r) => ({ ...r, email: 'not-an-email', phoneNumber: null }),
  (r) => ({ ...r, createdAt: undefined }),
  (r) => ({ ...r, createdAt: '2021-02-30T10:00:00Z' }),
  (r) => ({ ...r, phoneNumber: '12' }),
  (r) => ({ ...r, email: null, phoneNumber: null }),
  () => '{"email": "broken json',
];

/** Orders of one customer: 60% one, 25% two, 9% three, 5% 4–12, 1% 13–80. */
function ordersOf(random: () => number): number {
  const x = random();
  if (x < 0.6) return 1;
  if (x < 0.85) return 2;
  if (x < 0.94) return 3;
  if (x < 0.99) return 4 + Math.floor(random() * 9);
  return 13 + Math.floor(random() * 68);
}

function spellPhone(digits: string, random: () => number): string | number {
  const x = random();
  if (x < 0.5) return `+${digits}`;
  if (x < 0.7) return `+${digits.slice(0, 1)} (${digits.slice(1, 4)}) ${digits.slice(4, 7)}-${digits.slice(7)}`;
  if (x < 0.8) return Number(digits);
  return digits;
}

/** Yields `count` records (a share `invalidRate` of them invalid, as a record or a raw line). */
export function* generateRecords(count: number, seed = 1, invalidRate = 0.002): Generator<OrderRecord | string> {
  const random = seededRandom(seed);
  let emitted = 0;
  let order = 0;
  for (let customer = 1; emitted < count; customer++) {
    const emails = [`c${customer}@shop${customer % 97}.example`];
    if (random() < 0.3) emails.push(`c${customer}.alt@mail${customer % 13}.example`);
    const phones = [String(15550000000 + customer * 2)];
    if (random() < 0.2) phones.push(String(15550000001 + customer * 2));
    // A few phone numbers are shared between customers (family, office, a reseller's).
    if (random() < 0.004) phones.push(String(14440000000 + Math.floor(random() * SHARED_PHONES)));
    const first = START + random() * (END - START) * 0.9;
    const orders = ordersOf(random);
    let at = first;
    for (let k = 0; k < orders && emitted < count; k++) {
      at = Math.min(END, at + random() * 90 * 86_400_000);
      const time = random() < 0.05 ? Math.floor(at / 1000) * 1000 : Math.floor(at);
      const email = emails[Math.floor(random() * emails.length)]!;
      const phone = phones[Math.floor(random() * phones.length)]!;
      const x = random();
      let record: OrderRecord = {
        email: x < 0.1 ? null : random() < 0.1 ? ` ${email.toUpperCase()} ` : email,
        phoneNumber: x >= 0.1 && x < 0.25 ? null : spellPhone(phone, random),
        createdAt: new Date(time).toISOString(),
        orderId: `o${++order}`,
      };
      if (random() < invalidRate) {
        const bad = INVALID[Math.floor(random() * INVALID.length)]!(record);
        emitted++;
        yield bad;
        continue;
      }
      if (record.email === null && record.phoneNumber === null) record = { ...record, email };
      emitted++;
      yield record;
    }
  }
}

const CSV_HEADER = 'orderId,email,phoneNumber,createdAt';

function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toLine(record: OrderRecord | string, format: 'ndjson' | 'csv'): string {
  if (typeof record === 'string') return format === 'csv' ? '"broken,quote' + '"x' : record;
  if (format === 'ndjson') return JSON.stringify(record);
  return [record.orderId, record.email, record.phoneNumber, record.createdAt].map(csvField).join(',');
}

/** Writes a generated file; resolves when it is on disk. */
export async function writeGenerated(file: string, options: { records: number; seed?: number; format?: 'ndjson' | 'csv'; invalidRate?: number }): Promise<void> {
  const format = options.format ?? (file.endsWith('.csv') ? 'csv' : 'ndjson');
  const out = createWriteStream(file);
  let buffer = format === 'csv' ? `${CSV_HEADER}\n` : '';
  for (const record of generateRecords(options.records, options.seed ?? 1, options.invalidRate ?? 0.002)) {
    buffer += `${toLine(record, format)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string' },
      'invalid-rate': { type: 'string', default: '0.002' },
      out: { type: 'string' },
    },
  });
  const records = Number(values.records);
  const format = (values.format ?? (values.out?.endsWith('.csv') ? 'csv' : 'ndjson')) as 'ndjson' | 'csv';
  const out = values.out ?? `orders-${records}.${format}`;
  await writeGenerated(out, { records, seed: Number(values.seed), format, invalidRate: Number(values['invalid-rate']) });
  process.stderr.write(`generate: ${records} records -> ${out}\n`);
}
