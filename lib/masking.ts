/**
 * Masking of personal data (emails, phone numbers) before anything is logged. Pure functions, no
 * logger here: lib/powertools/logger.ts calls them from its log formatter, so no log line ever
 * holds a customer's email or phone number in clear.
 *
 * Two rules:
 * - the value of any key named like `email` or `phone` (at any depth, strings and numbers, and
 *   every string or number nested under such a key, e.g. a DynamoDB `{"email":{"S":…}}`) is
 *   masked whole: "george@hillvalley.edu" -> "g***@***.edu", "+15550109999" -> "***99";
 * - inside any other string (free text: a message, every line of an error's stack that is not a
 *   frame), every email-shaped run and every phone-shaped run is masked. Email-shaped = any run
 *   without whitespace or '"' around an '@': SPEC accepts addresses such as "x<y>@example.com"
 *   or "john(work)@example.com", so punctuation does not end the run (it over-masks, the safe
 *   side). Phone-shaped = what SPEC would accept
 *   as a phone once its separators are removed, and more: 4 or more ASCII digits in a row, where
 *   any run of spaces, '-', '.', '(' or ')' may sit between two digits ("555-0109",
 *   "+1 (555) 010 9999", "5550109999"). The run keeps only its last two digits ("+***99"). This
 *   over-masks other numbers of 4+ digits written in text ("8192 bytes" -> "***92 bytes"): in a
 *   log line that is the safe side. Numbers logged as numbers under other keys (ids, durations,
 *   counts) are not text and stay as they are. Binary data is written as "[binary]", functions
 *   are dropped (an object's own `toJSON` could otherwise write what it likes).
 */

/** "george@hillvalley.edu" -> "g***@***.edu" */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  const dot = email.lastIndexOf('.');
  const tld = dot > at ? email.slice(dot) : '';
  return `${email.slice(0, 1)}***@***${tld}`;
}

/** "+15550109999" -> "***99" */
export function maskPhone(phone: string): string {
  return `***${phone.slice(-2)}`;
}

const PERSONAL = /email|phone/i;

/** A value under an email- or phone-named key, masked whole as that kind of value. */
export function maskByKey(key: string, value: string | number): string {
  return /email/i.test(key) ? maskEmail(String(value)) : maskPhone(String(value));
}
/**
 * Something shaped like an email address inside free text (see above: only whitespace and '"' end
 * it). The lookbehind starts a match only where a run starts, so a long run without an '@' costs
 * one scan, not one per character (without it, a 20,000-character token took half a second).
 */
const EMAIL_IN_TEXT = /(?<![^\s@"])[^\s@"]+@[^\s@"]+/g;
/**
 * A frame line of a V8 stack, kept readable: "    at fn (file:line:col)", "    at file:line:col",
 * "    at fn (native)", "(<anonymous>)" or "(index N)". A line that merely starts with "at" (a
 * message can hold anything) is not a frame.
 */
const FRAME_LINE = /^\s+at (?:.*:\d+:\d+\)?|.*\((?:native|<anonymous>|index \d+)\))$/;
/** 4+ digits, any run of SPEC's phone separators (and other whitespace) allowed between two digits. */
const PHONE_IN_TEXT = /\d(?:[\s().-]*\d){3,}/g;

/** Masks every email- and phone-shaped run inside free text. */
export function maskText(text: string): string {
  return text
    .replace(EMAIL_IN_TEXT, (email) => maskEmail(email))
    .replace(PHONE_IN_TEXT, (digits) => maskPhone(digits.replace(/\D/g, '')));
}

/** How the frames of a masked stack are written: as they are, unless the caller maps them. */
export type StackFrames = (stack: string) => string;
const AS_THEY_ARE: StackFrames = (stack) => stack;

/**
 * An error as a plain object with its name, masked message, stack (the message inside it masked;
 * the frames are code locations and stay readable, passed through `frames` once masked), cause
 * and own fields, masked.
 */
function maskError(error: Error, depth: number, frames: StackFrames): Record<string, unknown> {
  const rawMessage = String(error.message ?? '');
  const message = maskText(rawMessage);
  // Every line but the frames: the message (even one changed after the stack was captured, as
  // the AWS SDK does when it appends to it) and whatever else a line says. The header's lines
  // (name and message) are masked whatever they look like.
  const headerLines = rawMessage.split('\n').length;
  const stack =
    typeof error.stack === 'string'
      ? frames(
          error.stack
            .split('\n')
            .map((line, i) => (i >= headerLines && FRAME_LINE.test(line) ? line : maskText(line)))
            .join('\n'),
        )
      : undefined;
  const out: Record<string, unknown> = { name: error.name, message };
  if (stack) out.stack = stack;
  if (error.cause !== undefined) out.cause = maskPersonalData(error.cause, 'cause', depth + 1, NO_KEYS, frames);
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    out[key] = maskPersonalData(value, key, depth + 1, NO_KEYS, frames);
  }
  return out;
}

/**
 * Returns a copy of `value` with every string or number under an email- or phone-named key
 * masked whole, and every email- or phone-shaped run inside any other string masked.
 * Keys listed in `verbatim` (values the service generates itself, such as request ids) are kept.
 * Errors' stacks, once masked, go through `frames` (the logger maps them to the sources).
 */
export function maskPersonalData(
  value: unknown,
  key = '',
  depth = 0,
  verbatim: ReadonlySet<string> = NO_KEYS,
  frames: StackFrames = AS_THEY_ARE,
): unknown {
  if (depth > 8) return '[depth]';
  if (verbatim.has(key) && typeof value === 'string') return value;
  if ((typeof value === 'string' || typeof value === 'number') && PERSONAL.test(key)) return maskByKey(key, value);
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'function') return undefined;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return '[binary]';
  if (!value || typeof value !== 'object') return value;
  const object = value;
  return onPath(object, () => {
    if (Array.isArray(object)) return object.map((v) => maskPersonalData(v, key, depth + 1, verbatim, frames));
    if (object instanceof Error) return maskError(object, depth, frames);
    // Under an email- or phone-named key, every nested value is that kind of value.
    const inherited = PERSONAL.test(key);
    return Object.fromEntries(
      Object.entries(object)
        .filter(([, v]) => typeof v !== 'function')
        .map(([k, v]) => [k, maskPersonalData(v, inherited && !PERSONAL.test(k) ? key : k, depth + 1, verbatim, frames)]),
    );
  });
}

/** The objects on the path being masked (masking is synchronous): a cycle is written "[circular]". */
const path = new Set<object>();

/** Masks `object` with `mask`, unless it is its own ancestor; a getter that throws makes "[unreadable]". */
function onPath(object: object, mask: () => unknown): unknown {
  if (path.has(object)) return '[circular]';
  path.add(object);
  try {
    return mask();
  } catch {
    return '[unreadable]';
  } finally {
    path.delete(object);
  }
}

const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * What a command prints when it fails: the error's stack (or name and message), masked as a log
 * line is; anything thrown that is not an Error, as text, masked.
 */
export function maskedErrorText(error: unknown): string {
  if (!(error instanceof Error)) return maskText(String(error));
  const masked = maskError(error, 0, AS_THEY_ARE);
  return typeof masked.stack === 'string' ? masked.stack : `${String(masked.name)}: ${String(masked.message)}`;
}
