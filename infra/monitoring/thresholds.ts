/**
 * Every alarm threshold of the stack, in one place (the README's runbook explains each alarm and
 * what to do). Periods are in minutes; an alarm fires when `datapointsToAlarm` of the last
 * `evaluationPeriods` periods breach. Nothing else in infra/ hard-codes a threshold.
 */
export interface AlarmThreshold {
  /** The value compared with the metric (`>=`). */
  threshold: number;
  periodMinutes: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** Rates only: periods with fewer requests count as 0 %. */
  minRequests?: number;
}

export const THRESHOLDS = {
  /**
   * API 5xx rate in percent of all requests (500s and the service's 503s alike). Evaluated only
   * when the period has at least `minRequests` requests, so one error at night is not a 100% rate.
   */
  api5xxRate: { threshold: 1, minRequests: 20, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 2 },
  /** API p99 latency in milliseconds (measured: p99 566 ms at 64 in flight on two cores locally). */
  apiLatencyP99: { threshold: 2500, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 3 },
  /** Lambda Errors per function (crashes, timeouts, out of memory: the handlers answer every error). */
  lambdaErrors: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /** Lambda Throttles per function (account or reserved concurrency exhausted: the caller got a 429/500). */
  lambdaThrottles: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /**
   * Lambda maximum Duration per function, as a fraction of that function's timeout. The service
   * answers 503 before its timeout when storage hangs, so getting this close means something is
   * slower than its time budget allows.
   */
  lambdaDurationOfTimeout: { threshold: 0.8, periodMinutes: 5, evaluationPeriods: 2, datapointsToAlarm: 2 },
  /** DynamoDB ThrottledRequests per table, summed over the operations the service uses. */
  dynamoThrottledRequests: { threshold: 10, periodMinutes: 5, evaluationPeriods: 2, datapointsToAlarm: 2 },
  /** DynamoDB SystemErrors (HTTP 500 from DynamoDB) per table, summed over the service's operations. */
  dynamoSystemErrors: { threshold: 5, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /** The service's own 503 storage_unavailable answers (custom metric StorageUnavailable). */
  storageUnavailable: { threshold: 5, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /** The service's own 503 contention answers (custom metric Contention). */
  contention: { threshold: 5, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /**
   * Messages visible in the change events' dead-letter queue (ApproximateNumberOfMessagesVisible,
   * Maximum): any message is a stream batch that failed every retry, i.e. events not published.
   */
  eventsDeadLetter: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /**
   * Age of the newest record the identity-events function read from the Changes stream, in
   * milliseconds (Lambda IteratorAge, Maximum). Normally about a second (batching window 1 s);
   * 5 minutes for two periods means events lag behind the changes (retries of a failing batch, or
   * the function throttled). Records older than a day are dropped to the dead-letter queue.
   */
  streamIteratorAge: { threshold: 300_000, periodMinutes: 5, evaluationPeriods: 2, datapointsToAlarm: 2 },
} as const satisfies Record<string, AlarmThreshold>;

export type ThresholdName = keyof typeof THRESHOLDS;
