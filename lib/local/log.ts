/**
 * Structured log lines of the local platform (`npm start`'s server, DynamoDB Local supervision,
 * shutdown, the change-event poller, the sign-in provider): one JSON object per line on stderr,
 * like the handlers' lines on stdout. What a Lambda platform would log about itself, never request
 * bodies; the message and every field go through the handlers' masking rules (lib/masking.ts), so
 * no email or phone number is written in clear here either.
 */
import { maskPersonalData, maskText } from '../masking';

export type LocalLogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LocalLog = (level: LocalLogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Fields the platform writes itself, kept as they are (an endpoint's address is not a phone number). */
const VERBATIM: ReadonlySet<string> = new Set(['endpoint']);

export function createLocalLog(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): LocalLog {
  return (level, message, fields = {}) => {
    const masked = maskPersonalData(fields, '', 0, VERBATIM) as Record<string, unknown>;
    write(JSON.stringify({ level, time: new Date().toISOString(), source: 'local', message: maskText(message), ...masked }));
  };
}

/** An error as log fields: name, code and message, masked; never the stack or a body. */
export function errorFields(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: string; message?: string } | undefined;
  return {
    error: {
      name: maskText(String(e?.name ?? typeof error)),
      code: e?.code === undefined ? undefined : maskText(String(e.code)),
      message: maskText(String(e?.message ?? error)),
    },
  };
}

export const localLog: LocalLog = createLocalLog();
