/**
 * The import's input: the CSV reader (RFC 4180 quoting, fields across lines, syntax errors), the
 * NDJSON and CSV readers with /identify's validation codes plus createdAt and orderId, line numbers
 * of rejected lines, and that a bad line never stops the reading. No storage.
 */
import { describe, expect, it } from 'vitest';
import { CsvLineReader, parseFields } from '../../lib/import/csv';
import { parseCreatedAt, readRecords, type Rejection } from '../../lib/import/records';
import { tempFile } from './helpers';

const NOW = Date.parse('2026-01-01T00:00:00Z');

async function read(name: string, content: string) {
  const rejected: Rejection[] = [];
  const result = await readRecords(tempFile(name, content), {
    format: name.endsWith('.csv') ? 'csv' : 'ndjson',
    now: NOW,
    onReject: (r) => rejected.push(r),
  });
  return { ...result, rejectedLines: rejected };
}

describe('CSV fields', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c', ['a', '', 'c']],
    ['a,b,', ['a', 'b', '']],
    ['"a,1","b ""q""",c', ['a,1', 'b "q"', 'c']],
    ['""', ['']],
    ['', ['']],
  ])('%j', (line, fields) => {
    expect(parseFields(line)).toEqual(fields);
  });

  it('refuses stray quotes', () => {
    expect(parseFields('"a"b,c')).toBeInstanceOf(Error);
    expect(parseFields('a"b,c')).toBeInstanceOf(Error);
  });

  it('joins a quoted field that spans lines and reports where the record started', () => {
    const reader = new CsvLineReader();
    expect(reader.push('x,y')).toEqual({ line: 1, fields: ['x', 'y'] });
    expect(reader.push('"first')).toBeNull();
    expect(reader.push('second",z')).toEqual({ line: 2, fields: ['first\nsecond', 'z'] });
    expect(reader.push('"never closed')).toBeNull();
    expect(reader.end()).toBe(4);
  });
});

describe('createdAt', () => {
  it.each(['2024-03-01T12:30:00Z', '2024-03-01T12:30:00.123Z', '2024-03-01T12:30+02:00', '2024-02-29T23:59:59.999-05:00'])(
    'accepts %s',
    (value) => expect(parseCreatedAt(value, NOW)).toBe(Date.parse(value)),
  );
  it.each([
    ['2024-03-01', 'invalid_created_at'],
    ['2024-03-01T12:30:00', 'invalid_created_at'],
    ['2023-02-29T00:00:00Z', 'invalid_created_at'],
    ['2024-13-01T00:00:00Z', 'invalid_created_at'],
    ['2024-03-01T24:00:00Z', 'invalid_created_at'],
    ['yesterday', 'invalid_created_at'],
    [1700000000000, 'invalid_created_at'],
    ['', 'missing_created_at'],
    [null, 'missing_created_at'],
    ['2027-01-01T00:00:00Z', 'created_at_in_future'],
  ])('refuses %j with %s', (value, code) => {
    expect(() => parseCreatedAt(value, NOW)).toThrow(expect.objectContaining({ code }));
  });
});

describe('reading NDJSON', () => {
  it('validates like /identify, reports every bad line with its number, and keeps going', async () => {
    const lines = [
      '{"email":" Doc@HillValley.edu ","phoneNumber":"+1 (555) 010-9999","createdAt":"2020-01-01T00:00:00Z","orderId":"o1"}',
      '',
      '{"email":"not-an-email","createdAt":"2020-01-01T00:00:00Z"}',
      '{"phoneNumber":123456,"createdAt":"2020-01-02T00:00:00Z"}',
      '{"phoneNumber":"12","createdAt":"2020-01-02T00:00:00Z"}',
      '{"email":null,"phoneNumber":"  ","createdAt":"2020-01-02T00:00:00Z"}',
      '{"email":"a@b.example"}',
      '[1,2]',
      '{"email": "broken',
      '{"__proto__":{"x":1},"email":"a@b.example","createdAt":"2020-01-02T00:00:00Z"}',
      '{"email":"a@b.example","createdAt":"2020-01-02T00:00:00Z","orderId":{"n":1}}',
      '{"email":"a@b.example","phoneNumber":"5550001","createdAt":"2020-01-03T00:00:00.5Z","extra":true}',
    ];
    const r = await read('mixed.ndjson', lines.join('\n'));
    expect(r.recordsRead).toBe(11);
    expect(r.records).toEqual({
      emails: ['doc@hillvalley.edu', null, 'a@b.example'],
      phones: ['+15550109999', '123456', '5550001'],
      times: [Date.parse('2020-01-01T00:00:00Z'), Date.parse('2020-01-02T00:00:00Z'), Date.parse('2020-01-03T00:00:00.5Z')],
      lines: [1, 4, 12],
    });
    expect(r.rejectedLines.map((x) => [x.line, x.code])).toEqual([
      [3, 'invalid_email'],
      [5, 'invalid_phone_number'],
      [6, 'missing_contact_info'],
      [7, 'missing_created_at'],
      [8, 'invalid_body'],
      [9, 'invalid_json'],
      [10, 'invalid_json'],
      [11, 'invalid_order_id'],
    ]);
    expect(r.rejectedLines[0]).toMatchObject({ message: 'email is not a valid email address.', text: lines[2] });
  });
});

describe('reading CSV', () => {
  it('reads a header in any order and case, quoted values, CRLF, and reports bad lines', async () => {
    const csv = [
      'OrderId,createdAt,Email,PhoneNumber,note',
      'o1,2020-01-01T00:00:00Z,doc@hillvalley.edu,"+1 555 010-9999",hi',
      'o2,2020-01-02T00:00:00Z,,123456,"multi',
      'line note"',
      'o3,2020-01-02T00:00:00Z,bad@,,',
      'o4,2020-01-02T00:00:00Z,"a@b.example"x,,',
      '',
      'o5,2020-01-03T00:00:00Z,"Q""uote@b.example",,',
    ].join('\r\n');
    const r = await read('orders.csv', `${csv}\r\n`);
    expect(r.records.emails).toEqual(['doc@hillvalley.edu', null, 'q"uote@b.example']);
    expect(r.records.phones).toEqual(['+15550109999', '123456', null]);
    expect(r.records.lines).toEqual([2, 3, 8]);
    expect(r.rejectedLines.map((x) => [x.line, x.code])).toEqual([
      [5, 'invalid_email'],
      [6, 'invalid_csv'],
    ]);
  });

  it('refuses a file without a usable header', async () => {
    await expect(read('noheader.csv', 'a,b\n1,2\n')).rejects.toThrow(/header/);
  });

  it('reports a quoted field never closed', async () => {
    const r = await read('open.csv', 'email,createdAt\n"a@b.example,2020-01-01T00:00:00Z\n');
    expect(r.rejectedLines.map((x) => [x.line, x.code])).toEqual([[2, 'invalid_csv']]);
  });
});
