/**
 * The input of the bulk import: streams an NDJSON or CSV file line by line (node:readline), hashes
 * its bytes (the checkpoint's identity of the file), validates every record with the same rules as
 * POST /identify (lib/validation.ts, same codes and messages) plus `createdAt` and `orderId`, and
 * keeps only the valid records, compactly (normalised email, phone, time, line). Rejected lines
 * are handed to a callback with their line number and reason. No storage, no identity rules here.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ValidationError } from '../errors';
import { parseIdentifyRequest } from '../validation';
import { CsvLineReader, CsvSyntaxError } from './csv';

export type InputFormat = 'ndjson' | 'csv';

export interface Rejection {
  line: number;
  code: string;
  message: string;
  /** The line's own text (the operator's data: written to the reject file, never to the terminal). */
  text: string;
}

/** The valid records, in file order, as parallel arrays (about 100 bytes a record with its strings). */
export interface ValidRecords {
  emails: (string | null)[];
  phones: (string | null)[];
  /** createdAt as epoch milliseconds. */
  times: number[];
  lines: number[];
}

export interface ReadResult {
  records: ValidRecords;
  /** Lines that held a record (blank lines and the CSV header are not records). */
  recordsRead: number;
  rejected: number;
  sha256: string;
  bytes: number;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_ORDER_ID_LENGTH = 256;
/** Columns the CSV header may name (case-insensitive); others are ignored, like unknown JSON fields. */
const CSV_COLUMNS = ['email', 'phonenumber', 'createdat', 'orderid'] as const;

export function formatOf(file: string, explicit?: string): InputFormat {
  if (explicit === 'csv' || explicit === 'ndjson') return explicit;
  if (explicit !== undefined) throw new Error(`--format must be ndjson or csv, not ${explicit}`);
  return /\.csv$/i.test(file) ? 'csv' : 'ndjson';
}

/**
 * Reads `createdAt`: an ISO-8601 date-time with an explicit offset (`Z` or `±hh:mm`), a real
 * calendar date, not after `now` (the file is history). Returns epoch milliseconds.
 */
export function parseCreatedAt(raw: unknown, now: number): number {
  if (raw === undefined || raw === null || raw === '') {
    throw new ValidationError('missing_created_at', 'createdAt is required.');
  }
  const match = typeof raw === 'string' ? ISO_8601.exec(raw.trim()) : null;
  const ms = match ? Date.parse(raw as string) : NaN;
  const [, y, mo, d, h, mi, s] = match ?? [];
  const calendar = match && new Date(Date.UTC(+y!, +mo! - 1, +d!));
  const realDate =
    calendar && calendar.getUTCMonth() === +mo! - 1 && calendar.getUTCDate() === +d! && +h! < 24 && +mi! < 60 && +(s ?? 0) < 60;
  if (!match || !Number.isFinite(ms) || !realDate) {
    throw new ValidationError(
      'invalid_created_at',
      'createdAt must be an ISO-8601 date-time with a time zone, e.g. 2024-03-01T12:30:00.000Z.',
    );
  }
  if (ms > now) throw new ValidationError('created_at_in_future', 'createdAt is later than the time of the import.');
  return ms;
}

function checkOrderId(raw: unknown): void {
  if (raw === undefined || raw === null || raw === '') return;
  if ((typeof raw !== 'string' && typeof raw !== 'number') || String(raw).length > MAX_ORDER_ID_LENGTH) {
    throw new ValidationError('invalid_order_id', `orderId must be a string or number of at most ${MAX_ORDER_ID_LENGTH} characters.`);
  }
}

/** Validates one record's fields as /identify would, plus createdAt and orderId. */
export function validateRecord(
  body: unknown,
  now: number,
): { email: string | null; phoneNumber: string | null; createdAt: number } {
  const request = parseIdentifyRequest(body); // invalid_body, invalid_email, invalid_phone_number, missing_contact_info
  const fields = body as Record<string, unknown>;
  const createdAt = parseCreatedAt(Object.hasOwn(fields, 'createdAt') ? fields.createdAt : undefined, now);
  checkOrderId(Object.hasOwn(fields, 'orderId') ? fields.orderId : undefined);
  return { ...request, createdAt };
}

/** JSON.parse refusing the keys /identify's body parser refuses (`__proto__`, `constructor.prototype`). */
function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      if (key === '__proto__' || (key === 'constructor' && value && Object.hasOwn(value, 'prototype'))) {
        throw new Error('forbidden key');
      }
      return value;
    });
  } catch {
    throw new ValidationError('invalid_json', 'The record is not valid JSON.');
  }
}

export interface ReadOptions {
  format: InputFormat;
  /** The import's "now": a later createdAt is refused. */
  now: number;
  onReject(rejection: Rejection): void;
  /** Called every 10,000 records with the count so far and the share of the file's bytes read (0..1). */
  onProgress?(recordsRead: number, share: number): void;
}

export async function readRecords(file: string, options: ReadOptions): Promise<ReadResult> {
  const records: ValidRecords = { emails: [], phones: [], times: [], lines: [] };
  const hash = createHash('sha256');
  let bytes = 0;
  const size = statSync(file).size;
  const stream = createReadStream(file);
  stream.on('data', (chunk) => {
    hash.update(chunk as Buffer);
    bytes += chunk.length;
  });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let recordsRead = 0;
  let rejected = 0;
  const reject = (line: number, error: unknown, text: string) => {
    rejected++;
    const { code, message } =
      error instanceof ValidationError
        ? error
        : { code: 'invalid_record', message: error instanceof Error ? error.message : String(error) };
    options.onReject({ line, code, message, text });
  };
  const count = () => {
    recordsRead++;
    if (recordsRead % 10_000 === 0) options.onProgress?.(recordsRead, size > 0 ? bytes / size : 1);
  };
  const accept = (line: number, body: unknown, text: string) => {
    try {
      const r = validateRecord(body, options.now);
      records.emails.push(r.email);
      records.phones.push(r.phoneNumber);
      records.times.push(r.createdAt);
      records.lines.push(line);
    } catch (error) {
      reject(line, error, text);
    }
  };

  if (options.format === 'ndjson') {
    let lineNumber = 0;
    for await (const text of lines) {
      lineNumber++;
      if (text.trim() === '') continue;
      count();
      let body: unknown;
      try {
        body = parseJsonLine(text);
      } catch (error) {
        reject(lineNumber, error, text);
        continue;
      }
      accept(lineNumber, body, text);
    }
  } else {
    const csv = new CsvLineReader();
    let header: number[] | null = null; // column index of each of CSV_COLUMNS, -1 if absent
    const texts: string[] = [];
    for await (const text of lines) {
      texts.push(text);
      let record;
      try {
        record = csv.push(text);
      } catch (error) {
        const line = (error as { line?: number }).line ?? 0;
        if (header === null) throw new Error(`CSV header (line ${line}): ${(error as Error).message}`);
        count();
        reject(line, new ValidationError('invalid_csv', (error as CsvSyntaxError).message), texts.join('\n'));
        texts.length = 0;
        continue;
      }
      if (record === null) continue;
      const recordText = texts.join('\n');
      texts.length = 0;
      if (header === null) {
        const names = record.fields.map((f) => f.trim().toLowerCase());
        header = CSV_COLUMNS.map((c) => names.indexOf(c));
        if (header[2] === -1 || (header[0] === -1 && header[1] === -1)) {
          throw new Error('the CSV header must name createdAt and at least one of email and phoneNumber');
        }
        continue;
      }
      if (record.fields.length === 1 && record.fields[0]!.trim() === '') continue; // a blank line
      const value = (column: number) => (column === -1 ? undefined : record.fields[column]);
      count();
      accept(record.line, { email: value(header[0]!), phoneNumber: value(header[1]!), createdAt: value(header[2]!), orderId: value(header[3]!) }, recordText);
    }
    const open = csv.end();
    if (open !== null) {
      count();
      reject(open, new ValidationError('invalid_csv', 'a quoted field is never closed'), texts.join('\n'));
    }
    if (header === null) throw new Error('the CSV file has no header row');
  }
  return { records, recordsRead, rejected, sha256: hash.digest('hex'), bytes };
}
