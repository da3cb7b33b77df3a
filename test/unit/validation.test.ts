/**
 * SPEC.md "Request": normalisation and validation of POST /identify bodies, table-driven.
 * Every rejection must be a ValidationError (400) with a stable code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { normaliseEmail, normalisePhoneNumber, parseIdentifyRequest } from '../../lib/validation';

/** Runs `fn` and returns the ValidationError it throws (fails the test if it throws anything else). */
function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

// An email of exactly `length` characters with a local part of `local` characters.
function emailOfLength(length: number, local = 10): string {
  const domainLength = length - local - 1; // "@"
  const domain = `${'d'.repeat(domainLength - 4)}.com`;
  const email = `${'l'.repeat(local)}@${domain}`;
  expect(email).toHaveLength(length);
  return email;
}

describe('normaliseEmail', () => {
  it.each([
    ['lower-cases', 'George@HillValley.EDU', 'george@hillvalley.edu'],
    ['trims spaces', '  george@hillvalley.edu  ', 'george@hillvalley.edu'],
    ['trims tabs and newlines', '\t george@hillvalley.edu\r\n', 'george@hillvalley.edu'],
    ['trims and lower-cases together', ' MCFLY@HillValley.edu ', 'mcfly@hillvalley.edu'],
    ['keeps plus addressing and subdomains', 'doc+1@mail.hill-valley.co.uk', 'doc+1@mail.hill-valley.co.uk'],
    ['accepts 254 characters', emailOfLength(254), emailOfLength(254)],
    ['accepts a 64-character local part', `${'a'.repeat(64)}@b.co`, `${'a'.repeat(64)}@b.co`],
    ['accepts a 1-character local part', 'a@b.co', 'a@b.co'],
    ['accepts visible non-ASCII letters', 'José@Bücher.de', 'josé@bücher.de'],
  ])('%s', (_name, raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['spaces only', '   '],
    ['whitespace of all kinds', ' \t\r\n '],
  ])('treats a blank string (%s) as not given', (_name, raw) => {
    expect(normaliseEmail(raw)).toBeNull();
  });

  it.each([
    ['255 characters (one over)', emailOfLength(255)],
    ['a 65-character local part (one over)', `${'a'.repeat(65)}@b.co`],
    ['over-long after trimming is still measured', ` ${emailOfLength(255)} `],
    ['an oversized value', `${'a'.repeat(60)}@${'b'.repeat(100_000)}.com`],
    ['no @', 'george.hillvalley.edu'],
    ['two @', 'george@doc@hillvalley.edu'],
    ['@@', 'george@@hillvalley.edu'],
    ['empty local part', '@hillvalley.edu'],
    ['empty domain', 'george@'],
    ['a domain without a dot', 'george@localhost'],
    ['a space inside', 'george mcfly@hillvalley.edu'],
    ['a tab inside', 'george\t@hillvalley.edu'],
    ['a newline inside', 'george@hill\nvalley.edu'],
    ['a NUL character', 'george\u0000@hillvalley.edu'],
    ['a trailing NUL (not trimmed)', 'george@hillvalley.edu\u0000'],
    ['a lone UTF-16 surrogate (not text)', '\ud800george@hillvalley.edu'],
    ['a DEL control character', 'george\u007f@hillvalley.edu'],
    ['a C1 control character', 'george\u0085@hillvalley.edu'],
    ['a non-breaking space inside', 'george\u00a0x@hillvalley.edu'],
    ['a line separator inside', 'george\u2028x@hillvalley.edu'],
    // Unicode format characters (general category Cf): invisible, so look-alikes of a real address.
    ['a zero-width space (U+200B)', 'zw\u200b@x.co'],
    ['a zero-width joiner (U+200D)', 'zw\u200d@x.co'],
    ['a zero-width non-joiner in the domain (U+200C)', 'zw@x\u200c.co'],
    ['a right-to-left override (U+202E)', '\u202eoc.x@wz'],
    ['a left-to-right embedding (U+202A)', 'zw\u202a@x.co'],
    ['a right-to-left isolate (U+2067)', 'zw\u2067@x.co'],
    ['a left-to-right mark (U+200E)', 'zw\u200e@x.co'],
    ['a soft hyphen (U+00AD)', 'zw\u00ad@x.co'],
    ['a word joiner (U+2060)', 'zw\u2060@x.co'],
    ['a byte order mark inside (U+FEFF)', 'zw\ufeff@x.co'],
    ['an Arabic letter mark (U+061C)', 'zw\u061c@x.co'],
    ['a tag character (U+E0041)', 'zw\u{e0041}@x.co'],
  ])('rejects %s with invalid_email', (_name, raw) => {
    const error = rejection(() => normaliseEmail(raw));
    expect(error.code).toBe('invalid_email');
    expect(error.status).toBe(400);
  });
});

describe('normalisePhoneNumber', () => {
  it.each<[string, string | number, string]>([
    ['keeps plain digits', '123456', '123456'],
    ['the SPEC example', '+1 (555) 010-9999', '+15550109999'],
    ['removes spaces', '555 010 9999', '5550109999'],
    ['removes dashes', '555-010-9999', '5550109999'],
    ['removes dots', '555.010.9999', '5550109999'],
    ['removes parentheses', '(555)0109999', '5550109999'],
    ['trims surrounding whitespace', ' \t123456\n ', '123456'],
    ['keeps a leading +', '+441234567890', '+441234567890'],
    ['accepts 4 digits', '1234', '1234'],
    ['accepts + and 4 digits', '+1234', '+1234'],
    ['accepts 15 digits', '123456789012345', '123456789012345'],
    ['accepts + and 15 digits', '+123456789012345', '+123456789012345'],
    ['keeps leading zeros of a string', '0012345', '0012345'],
    ['reads a number as its decimal digits', 123456, '123456'],
    ['reads a 4-digit number', 1000, '1000'],
    ['reads a 15-digit number', 999_999_999_999_999, '999999999999999'],
    ['reads a number written with an exponent', 1e6, '1000000'],
  ])('%s', (_name, raw, expected) => {
    expect(normalisePhoneNumber(raw)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['spaces only', '   '],
    ['tabs and newlines', '\t\n'],
  ])('treats a blank string (%s) as not given', (_name, raw) => {
    expect(normalisePhoneNumber(raw)).toBeNull();
  });

  it.each<[string, string | number]>([
    ['3 digits', '123'],
    ['3 digits after separators are removed', '1-2-3'],
    ['+ and 3 digits', '+123'],
    ['16 digits', '1234567890123456'],
    ['+ and 16 digits', '+1234567890123456'],
    ['a + that is not leading', '12+3456'],
    ['a trailing +', '123456+'],
    ['two leading +', '++123456'],
    ['letters', '555-CALL-NOW'],
    ['an x extension', '5550109999x12'],
    ['separators only', '(-.-)'],
    ['a tab inside (not a separator)', '555\t0109999'],
    ['a slash', '555/0109999'],
    ['a NUL character', '5550\u0000109999'],
    ['non-ASCII digits', '١٢٣٤٥٦'],
    ['an oversized value', '1'.repeat(100_000)],
    ['a 3-digit number', 123],
    ['zero', 0],
    ['a 16-digit number', 1_000_000_000_000_000],
    ['a negative number', -123456],
    ['a fractional number', 123456.5],
    ['an unsafe integer', 2 ** 53],
    ['a huge number', 1e21],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('rejects %s with invalid_phone_number', (_name, raw) => {
    const error = rejection(() => normalisePhoneNumber(raw));
    expect(error.code).toBe('invalid_phone_number');
    expect(error.status).toBe(400);
  });
});

describe('parseIdentifyRequest', () => {
  afterEach(() => {
    // Nothing the parser does may pollute Object.prototype.
    expect(({} as Record<string, unknown>).email).toBeUndefined();
    expect(({} as Record<string, unknown>).phoneNumber).toBeUndefined();
  });

  it.each<[string, unknown, { email: string | null; phoneNumber: string | null }]>([
    ['both given', { email: 'doc@hillvalley.edu', phoneNumber: '123456' }, { email: 'doc@hillvalley.edu', phoneNumber: '123456' }],
    ['both normalised', { email: ' Doc@HillValley.edu ', phoneNumber: '+1 (555) 010-9999' }, { email: 'doc@hillvalley.edu', phoneNumber: '+15550109999' }],
    ['email only (phone absent)', { email: 'doc@hillvalley.edu' }, { email: 'doc@hillvalley.edu', phoneNumber: null }],
    ['phone only (email absent)', { phoneNumber: '123456' }, { email: null, phoneNumber: '123456' }],
    ['email null', { email: null, phoneNumber: '123456' }, { email: null, phoneNumber: '123456' }],
    ['phone null', { email: 'doc@hillvalley.edu', phoneNumber: null }, { email: 'doc@hillvalley.edu', phoneNumber: null }],
    ['email blank', { email: '   ', phoneNumber: '123456' }, { email: null, phoneNumber: '123456' }],
    ['phone blank', { email: 'doc@hillvalley.edu', phoneNumber: ' ' }, { email: 'doc@hillvalley.edu', phoneNumber: null }],
    ['email undefined', { email: undefined, phoneNumber: '123456' }, { email: null, phoneNumber: '123456' }],
    ['phone as a number', { phoneNumber: 123456 }, { email: null, phoneNumber: '123456' }],
    ['phone as a number with an email', { email: 'a@b.co', phoneNumber: 5550109999 }, { email: 'a@b.co', phoneNumber: '5550109999' }],
    ['other fields ignored', { email: 'a@b.co', phoneNumber: '1234', name: 'Doc', id: 7, linkedId: 1, linkPrecedence: 'primary' }, { email: 'a@b.co', phoneNumber: '1234' }],
    ['other fields of any type ignored', { email: 'a@b.co', extra: { nested: [1, null, true] } }, { email: 'a@b.co', phoneNumber: null }],
  ])('accepts %s', (_name, body, expected) => {
    expect(parseIdentifyRequest(body)).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    // neither given
    ['an empty object', {}, 'missing_contact_info'],
    ['both null', { email: null, phoneNumber: null }, 'missing_contact_info'],
    ['both blank', { email: ' ', phoneNumber: '\t' }, 'missing_contact_info'],
    ['blank email, null phone', { email: '', phoneNumber: null }, 'missing_contact_info'],
    ['only other fields', { name: 'Doc', mail: 'a@b.co', phone: '123456' }, 'missing_contact_info'],
    ['differently-cased keys', { Email: 'a@b.co', PhoneNumber: '123456' }, 'missing_contact_info'],
    // non-object bodies
    ['an array body', [{ email: 'a@b.co' }], 'invalid_body'],
    ['an empty array body', [], 'invalid_body'],
    ['a string body', '{"email":"a@b.co"}', 'invalid_body'],
    ['a number body', 42, 'invalid_body'],
    ['a boolean body', true, 'invalid_body'],
    ['a null body', null, 'invalid_body'],
    ['an absent body', undefined, 'invalid_body'],
    // wrong types
    ['email as a boolean', { email: true }, 'invalid_email'],
    ['email as false', { email: false, phoneNumber: '123456' }, 'invalid_email'],
    ['email as a number', { email: 42, phoneNumber: '123456' }, 'invalid_email'],
    ['email as an object', { email: { value: 'a@b.co' } }, 'invalid_email'],
    ['email as an array', { email: ['a@b.co'] }, 'invalid_email'],
    ['phone as a boolean', { phoneNumber: true }, 'invalid_phone_number'],
    ['phone as an object', { phoneNumber: { value: '123456' } }, 'invalid_phone_number'],
    ['phone as an array', { phoneNumber: ['123456'] }, 'invalid_phone_number'],
    ['phone as an array next to a valid email', { email: 'a@b.co', phoneNumber: [] }, 'invalid_phone_number'],
    // invalid values
    ['an invalid email next to a valid phone', { email: 'not-an-email', phoneNumber: '123456' }, 'invalid_email'],
    ['an invalid phone next to a valid email', { email: 'a@b.co', phoneNumber: '12' }, 'invalid_phone_number'],
    ['a negative phone number', { phoneNumber: -1234 }, 'invalid_phone_number'],
    ['a fractional phone number', { phoneNumber: 1234.5 }, 'invalid_phone_number'],
    ['an unsafe phone number', { phoneNumber: 2 ** 53 + 2 }, 'invalid_phone_number'],
    ['an oversized email', { email: `${'a'.repeat(64)}@${'b'.repeat(1_000_000)}.com` }, 'invalid_email'],
    ['an oversized phone', { phoneNumber: '9'.repeat(1_000_000) }, 'invalid_phone_number'],
  ])('rejects %s', (_name, body, code) => {
    const error = rejection(() => parseIdentifyRequest(body));
    expect(error.code).toBe(code);
    expect(error.status).toBe(400);
    expect(error.message).not.toBe('');
  });

  it.each([
    ['__proto__ carrying the fields', '{"__proto__":{"email":"a@b.co","phoneNumber":"123456"}}'],
    ['constructor.prototype carrying the fields', '{"constructor":{"prototype":{"email":"a@b.co","phoneNumber":"123456"}}}'],
  ])('ignores %s: only own fields count', (_name, json) => {
    const error = rejection(() => parseIdentifyRequest(JSON.parse(json)));
    expect(error.code).toBe('missing_contact_info');
  });

  it('reads only the own email of a body whose __proto__ carries another one', () => {
    const body = JSON.parse('{"__proto__":{"email":"evil@b.co"},"phoneNumber":"123456"}');
    expect(parseIdentifyRequest(body)).toEqual({ email: null, phoneNumber: '123456' });
  });

  it('does not read fields inherited from a prototype', () => {
    const body = Object.create({ email: 'inherited@b.co' }) as Record<string, unknown>;
    body.phoneNumber = '123456';
    expect(parseIdentifyRequest(body)).toEqual({ email: null, phoneNumber: '123456' });
  });

  it('does not modify the body it is given', () => {
    const body = { email: ' A@B.CO ', phoneNumber: '+1 (555) 010-9999' };
    parseIdentifyRequest(body);
    expect(body).toEqual({ email: ' A@B.CO ', phoneNumber: '+1 (555) 010-9999' });
  });
});
