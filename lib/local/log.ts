/**
 * Structured log lines of the local platform (`npm start`'s server, DynamoDB Local supervision,
 * shutdown): one JSON object per line on stderr, like the handlers' lines on stdout. What a Lambda
 * platform would log about itself, never request bodies; emails and long digit runs inside free
 * text (an error message) are masked. Not the handlers' logger (lib/logger.ts).
 */
export type LocalLogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LocalLog = (level: LocalLogLevel, message: string, fields?: Record<string, unknown>) => void;

const EMAIL = /[^\s@"'<>()[\],;:]+@[^\s@"'<>()[\],;:]+/g;
const DIGITS = /\d{6,}/g;

/** Masks what could be a customer's email or phone inside free text. */
export function maskText(text: string): string {
  return text.replace(EMAIL, '***@***').replace(DIGITS, (d) => `***${d.slice(-2)}`);
}

export function createLocalLog(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): LocalLog {
  return (level, message, fields = {}) => {
    write(JSON.stringify({ level, time: new Date().toISOString(), source: 'local', message, ...fields }));
  };
}

/** An error as log fields: name, code and masked message; never the stack or a body. */
export function errorFields(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: string; message?: string } | undefined;
  return { error: { name: e?.name ?? typeof error, code: e?.code, message: maskText(String(e?.message ?? error)) } };
}

export const localLog: LocalLog = createLocalLog();
