/**
 * An orderly stop of `npm start`: on SIGTERM or Ctrl-C the server stops accepting connections,
 * finishes the requests in flight (bounded by the request timeout, plus a little), and only then
 * is Java stopped, so no in-flight request loses its answer or its storage. A second signal stops
 * at once. Also: when the process that started this one dies (`npm start` runs this file under
 * tsx, a parent process), this one stops the same way instead of living on as an orphan.
 */
import type { Server, ServerResponse } from 'node:http';
import { localLog as defaultLog, type LocalLog } from './log';

export interface RequestTracker {
  inFlight(): number;
  /** Marks every response not yet started, and every later one, `Connection: close`. */
  closeAfterResponses(): void;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
}

/** Counts the requests a server is answering (registered first, so it sees each request). */
export function trackRequests(server: Server): RequestTracker {
  const open = new Set<ServerResponse>();
  let closing = false;
  let waiters: Array<() => void> = [];
  server.prependListener('request', (_req, res: ServerResponse) => {
    open.add(res);
    if (closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      open.delete(res);
      if (open.size === 0) {
        waiters.forEach((w) => w());
        waiters = [];
      }
    });
  });
  return {
    inFlight: () => open.size,
    closeAfterResponses: () => {
      closing = true;
      for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
    },
    idle: () => (open.size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  };
}

/**
 * Stops accepting, lets the requests in flight finish (at most `graceMs`), then closes every
 * connection. Resolves with the number of requests that were cut off (0 when all finished).
 */
export async function drain(server: Server, tracker: RequestTracker, graceMs: number, log: LocalLog = defaultLog): Promise<number> {
  tracker.closeAfterResponses();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const waiting = tracker.inFlight();
  if (waiting > 0) log('info', 'finishing requests in flight', { inFlight: waiting, graceMs });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    tracker.idle().then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
  ]);
  clearTimeout(timer);
  const cut = timedOut ? tracker.inFlight() : 0;
  if (cut > 0) log('warn', 'requests still in flight after the grace period were cut off', { inFlight: cut });
  server.closeAllConnections();
  await closed;
  return cut;
}

/**
 * Calls `stop(reason)` once on the first SIGINT or SIGTERM; a second signal calls `force`.
 */
export function onStopSignals(stop: (reason: string) => void, force: (reason: string) => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return force(`${signal} again`);
    stopping = true;
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/**
 * Calls `orphaned()` once if this process's parent dies (it gets re-parented: ppid changes), as
 * when the tsx process of `npm start` is killed with `kill -9`. Polls; does not keep the process alive.
 */
export function watchParent(orphaned: () => void, everyMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      orphaned();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
