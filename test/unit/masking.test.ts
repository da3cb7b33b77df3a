/**
 * The masking rules of lib/masking.ts on their own: emails and phone-shaped runs in free text,
 * keys named like an email or a phone at any depth, and what stays as it is. The logger applies
 * them to every line (test/unit/http.test.ts "logs", test/unit/log-masking.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { maskEmail, maskPersonalData, maskPhone, maskText } from '../../lib/masking';

describe('masking of personal data', () => {
  it('masks emails inside free text, such as an error message', () => {
    expect(maskPersonalData({ message: 'duplicate claim for doc.brown@hillvalley.edu, retry' })).toEqual({
      message: 'duplicate claim for d***@***.edu, retry',
    });
    expect(maskPersonalData({ error: new Error('<george@hillvalley.edu>') })).toMatchObject({
      error: { name: 'Error', message: '<***@***.edu>' },
    });
  });

  it.each([
    // Every form SPEC accepts once spaces, '-', '.', '(' and ')' are removed: '+'? and 4 to 15 digits.
    ['1234', '***34'],
    ['+15550109999', '+***99'],
    ['+1 (555) 010-9999', '+***99'],
    ['555.010.9999', '***99'],
    ['(555)0109999', '(***99'],
    ['5 5 5 0', '***50'],
    ['123456789012345', '***45'],
  ])('masks the phone number %s inside free text', (phone, masked) => {
    expect(maskText(`call ${phone} now`)).toBe(`call ${masked} now`);
    expect(maskText(`call ${phone} now`)).not.toContain(phone.replace(/\D/g, '').slice(0, 3));
  });

  it('keeps short numbers of free text and the request id as they are', () => {
    expect(maskText('attempt 3 of 123, id 42')).toBe('attempt 3 of 123, id 42');
    expect(maskPersonalData({ requestId: 'f00d-1234-5678', other: 'f00d-1234-5678' }, '', 0, new Set(['requestId']))).toEqual({
      requestId: 'f00d-1234-5678',
      other: 'f00d-***78',
    });
  });

  it('masks a phone number given as a number', () => {
    expect(maskPersonalData({ phoneNumber: 5550109999 })).toEqual({ phoneNumber: '***99' });
  });

  it.each([
    ['george@hillvalley.edu', 'g***@***.edu'],
    ['a@b.co', 'a***@***.co'],
    ['doc@localhost', 'd***@***'],
  ])('maskEmail(%s) = %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it.each([
    ['+15550109999', '***99'],
    ['123456', '***56'],
  ])('maskPhone(%s) = %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('maskPersonalData masks keys named like email or phone at any depth and leaves the rest', () => {
    expect(
      maskPersonalData({
        route: 'POST /identify',
        status: 200,
        nested: { deeper: { email: 'george@hillvalley.edu', phone: '919191' } },
        list: [{ phoneNumber: '717171' }],
      }),
    ).toEqual({
      route: 'POST /identify',
      status: 200,
      nested: { deeper: { email: 'g***@***.edu', phone: '***91' } },
      list: [{ phoneNumber: '***71' }],
    });
  });

  it.each([
    // Addresses SPEC accepts (lib/validation.ts): punctuation does not end an email-shaped run.
    'x<y>@example.com',
    'john(work)@example.com',
    '[x]@example.com',
    "o'brien@example.com",
    'a;b:c@example.com',
    'jane@exa(mple).com',
    'a,b@example.com',
  ])('masks the whole of %s inside free text', (email) => {
    const masked = maskText(`no claim for ${email} here`);
    expect(masked).toMatch(/^no claim for \S\*\*\*@\*\*\*\S* here$/);
    for (const part of email.split('@')) expect(masked).not.toContain(part.slice(1));
  });

  it('masks every value nested under an email- or phone-named key, such as a DynamoDB attribute', () => {
    expect(maskPersonalData({ email: { S: 'a,b@example.com' }, phone: { N: '5550109999' }, Item: { phoneNumber: { S: '+15550109999' } } })).toEqual({
      email: { S: 'a***@***.com' },
      phone: { N: '***99' },
      Item: { phoneNumber: { S: '***99' } },
    });
  });

  it('masks every line of a stack that is not a frame, even when the message changed after the stack was taken', () => {
    const error = new Error('bad row');
    error.stack = 'Error: bad row\nemail george@hillvalley.edu phone 5550109999\n    at parse (file:///var/task/index.mjs:1:2)';
    const masked = maskPersonalData({ error }) as { error: { stack: string } };
    expect(masked.error.stack).toBe('Error: bad row\nemail g***@***.edu phone ***99\n    at parse (file:///var/task/index.mjs:1:2)');
  });

  it('writes binary data as [binary] and drops functions, toJSON included', () => {
    const masked = maskPersonalData({
      body: Buffer.from('george@hillvalley.edu'),
      bytes: new Uint8Array([1, 2]),
      custom: { toJSON: () => 'george@hillvalley.edu', id: 7 },
    });
    expect(masked).toEqual({ body: '[binary]', bytes: '[binary]', custom: { id: 7 } });
    expect(JSON.stringify(masked)).not.toContain('george');
  });

  it('masks a line of the message that looks like a frame, and keeps the real frames', () => {
    const error = new Error('bad body:\n    at +15550109999\n    at x (george@hillvalley.edu)');
    const masked = (maskPersonalData({ error }) as { error: { stack: string } }).error.stack;
    expect(masked).not.toContain('5550109999');
    expect(masked).not.toContain('george@');
    const frames = masked.split('\n').filter((line) => /^\s+at /.test(line)).slice(2);
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame).toMatch(/:\d+:\d+\)?$|\((native|<anonymous>|index \d+)\)$/);
  });

  it('masks an email at the end of a long run of text without spaces', () => {
    const long = `${'x'.repeat(50_000)}@example.com ${'y'.repeat(50_000)}`;
    expect(maskText(long)).toBe(`x***@***.com ${'y'.repeat(50_000)}`);
  });

  it('writes a cycle as [circular] and a getter that throws as [unreadable], instead of failing the log line', () => {
    const loop: Record<string, unknown> = { email: 'george@hillvalley.edu' };
    loop.self = loop;
    const shared = { id: 1 };
    const hostile = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('no'); } });
    expect(maskPersonalData({ loop, a: shared, b: shared, hostile })).toEqual({
      loop: { email: 'g***@***.edu', self: '[circular]' },
      a: { id: 1 },
      b: { id: 1 },
      hostile: '[unreadable]',
    });
  });
});

