/**
 * The local platform's log lines (lib/local/log.ts: `npm start`'s server, supervision, the event
 * poller, the sign-in provider) follow the handlers' masking rules: no email or phone in clear in
 * the message, in any field, or in an error's name, code and message.
 */
import { describe, expect, it } from 'vitest';
import { createLocalLog, errorFields } from '../../lib/local/log';

function captured() {
  const lines: string[] = [];
  return { log: createLocalLog((line) => lines.push(line)), lines };
}

describe('local log lines', () => {
  it('mask emails and phone numbers in the message and in every field', () => {
    const { log, lines } = captured();
    log('info', 'claim for george@hillvalley.edu', { phoneNumber: '+15550109999', detail: { note: 'call +1 (555) 010-7777' } });
    const text = lines.join('\n');
    for (const value of ['george@hillvalley.edu', '15550109999', '010-7777']) expect(text).not.toContain(value);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', source: 'local', message: 'claim for g***@***.edu', phoneNumber: '***99' });
  });

  it("mask an error's name, code and message, phone numbers with separators and short ones included", () => {
    const error = Object.assign(new Error('no claim for +1 (555) 010-9999 / 555-0109 / 5550'), { code: 'E_john(work)@example.com' });
    const { log, lines } = captured();
    log('warn', 'stream poll failed', errorFields(error));
    const text = lines.join('\n');
    for (const value of ['010-9999', '555-0109', '5550', 'john(work)']) expect(text).not.toContain(value);
    expect(text).not.toContain('stack');
  });

  it('keeps the addresses the platform logs about itself', () => {
    const { log, lines } = captured();
    log('info', 'DynamoDB Local started', { pid: 4242, endpoint: 'http://127.0.0.1:8000' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ pid: 4242, endpoint: 'http://127.0.0.1:8000' });
  });
});
