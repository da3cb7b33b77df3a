/**
 * Retrying a whole read-decide-write attempt. Both kinds of retryable failure back off
 * exponentially with full jitter (delay = random(0, min(cap, base * 2^(n-1)))):
 * - a lost race (WriteConflict: ConditionalCheckFailed) starts from a tiny base, so the first
 *   retry is almost immediate (the next read sees the winner's write) while many requests
 *   contending for one hot identity spread out instead of livelocking;
 * - a transient failure (TransactionConflict, throttling, a lost connection or response, 5xx)
 *   starts from a larger base.
 * Both stop when the request's time budget (the Lambda's remaining time) would run out,
 * answering 503 with a retryable error. Nothing half-done is left behind: every write is one
 * guarded transaction or an idempotent step of a recorded re-link that the next request finishes.
 * Every retry is counted through the optional telemetry port: Conflict for a lost race,
 * Retry<Cause> for a transient failure (the give-ups are counted as 503s by the HTTP layer).
 */
import { TransientStorageError, UnavailableError, WriteConflict } from './errors';
import type { MetricName, Telemetry } from './telemetry';

const RETRY_METRIC: Record<TransientStorageError['kind'], MetricName> = {
  conflict: 'RetryTransactionConflict',
  throttled: 'RetryThrottled',
  unavailable: 'RetryUnavailable',
};

/** The time a request has left; built by the handler from the platform's own deadline. */
export interface Deadline {
  remainingMs(): number;
}

export function deadlineIn(ms: number, now: () => number = Date.now): Deadline {
  const end = now() + ms;
  return { remainingMs: () => end - now() };
}

export interface RetryOptions {
  /** Backoff base and cap for transient failures, in ms. */
  baseMs?: number;
  capMs?: number;
  /** Backoff base and cap for lost races (WriteConflict), in ms. */
  conflictBaseMs?: number;
  conflictCapMs?: number;
  /** Time kept back for answering after the last attempt, in ms. */
  reserveMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Where retries are counted (lib/telemetry.ts); none by default. */
  telemetry?: Telemetry;
}

export async function withRetries<T>(
  deadline: Deadline,
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    baseMs = 20,
    capMs = 1_000,
    conflictBaseMs = 4,
    conflictCapMs = 250,
    reserveMs = 200,
    random = Math.random,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    telemetry,
  } = options;
  let transientFailures = 0;
  let conflicts = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      let delay: number;
      if (error instanceof WriteConflict) {
        conflicts++;
        // Someone else's write won; re-read soon, spreading contenders exponentially.
        delay = random() * Math.min(conflictCapMs, conflictBaseMs * 2 ** (conflicts - 1));
      } else if (error instanceof TransientStorageError) {
        transientFailures++;
        delay = random() * Math.min(capMs, baseMs * 2 ** (transientFailures - 1));
      } else {
        throw error;
      }
      if (deadline.remainingMs() - delay < reserveMs) {
        throw error instanceof WriteConflict ||
          (error instanceof TransientStorageError && error.kind === 'conflict')
          ? new UnavailableError('contention', 'Too many concurrent changes to this customer; retry shortly.')
          : new UnavailableError('storage_unavailable', 'Storage is temporarily unavailable; retry shortly.');
      }
      telemetry?.count(error instanceof WriteConflict ? 'Conflict' : RETRY_METRIC[(error as TransientStorageError).kind]);
      await sleep(delay);
    }
  }
}
