/**
 * Structured JSON logs, one object per line. Values of fields that can carry personal data
 * (email, phone) are masked wherever they appear in the logged object, so a log line never
 * holds a customer's email or phone number in clear.
 */
import { loadHttpSettings } from './config';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

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
/** Something shaped like an email address inside free text (an error message, say). */
const EMAIL_IN_TEXT = /[^\s@"'<>()[\],;:]+@[^\s@"'<>()[\],;:]+/g;

/**
 * Returns a copy of `value` with every string or number under an email- or phone-named key
 * masked, and every email-shaped substring of any other string masked.
 */
export function maskPersonalData(value: unknown, key = '', depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if ((typeof value === 'string' || typeof value === 'number') && PERSONAL.test(key)) {
    return /email/i.test(key) ? maskEmail(String(value)) : maskPhone(String(value));
  }
  if (typeof value === 'string') return value.replace(EMAIL_IN_TEXT, (email) => maskEmail(email));
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, key, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: maskPersonalData(value.message, 'message', depth + 1) };
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, maskPersonalData(v, k, depth + 1)]),
    );
  }
  return value;
}

export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const log = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[level]) return;
    const entry = { level: at, time: new Date().toISOString(), message, ...base, ...fields };
    write(JSON.stringify(maskPersonalData(entry)));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

let shared: Logger | undefined;

/**
 * The container's logger (level from LOG_LEVEL), created on first use. It lives here rather than
 * in lib/container.ts so that functions that touch no data (health, not-found) do not bundle the
 * AWS SDK through the container's imports.
 */
export function getLogger(): Logger {
  shared ??= createLogger(loadHttpSettings().logLevel, { service: 'fluxkart-identity' });
  return shared;
}
