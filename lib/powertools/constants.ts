/**
 * Names shared by the service's logs and metrics: the service name, the CloudWatch metrics
 * namespace, every metric the service publishes, and the request id header. Plain constants, no
 * Powertools import, so the domain can name a metric (lib/telemetry.ts) without loading anything.
 *
 * The metric names are a contract: CloudWatch alarms and dashboards (infra/monitoring/) use them
 * with the one dimension service=fluxkart-identity. Do not rename them.
 */

/** POWERTOOLS_SERVICE_NAME: the `service` of every log line and the one metric dimension. */
export const SERVICE_NAME = 'fluxkart-identity';

/** POWERTOOLS_METRICS_NAMESPACE */
export const METRICS_NAMESPACE = 'FluxKart/Identity';

/** The response header that carries the request id (also in every log line and error body). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The log key of the request id. */
export const REQUEST_ID_KEY = 'requestId';

/** Every metric of the namespace; all are published with unit Count. README: "Observability". */
export const METRIC = {
  /** A new primary contact, i.e. a new identity (/identify rule 1). */
  IdentityCreated: 'IdentityCreated',
  /** A secondary contact added to an identity (/identify rule 2). */
  SecondaryAdded: 'SecondaryAdded',
  /** Two identities merged (/identify rule 3, or POST /identities/merge). */
  Merge: 'Merge',
  /** Contacts moved by a merge: the absorbed identity's primary plus its secondaries. */
  MergeSize: 'MergeSize',
  /** A recorded re-link (a merge too large for one transaction) finished. */
  RelinkFinished: 'RelinkFinished',
  /** An identity erased (DELETE /identities/{contactId} that changed data). */
  Erasure: 'Erasure',
  /** A guarded write lost a race to a concurrent request: the attempt re-reads and runs again. */
  Conflict: 'Conflict',
  /** Retries after a transient storage failure, by cause. */
  RetryThrottled: 'RetryThrottled',
  RetryTransactionConflict: 'RetryTransactionConflict',
  RetryUnavailable: 'RetryUnavailable',
  /** 503 answers with code storage_unavailable (the early timeout included). */
  StorageUnavailable: 'StorageUnavailable',
  /** 503 answers with code contention. */
  Contention: 'Contention',
  /** 409 identity_too_large answers. */
  IdentityTooLarge: 'IdentityTooLarge',
  /** 500 internal_error answers. */
  InternalError: 'InternalError',
  /** A checkout order recorded (the checkout function calls recordMetric with it). */
  CheckoutOrder: 'CheckoutOrder',
  /** Change events published to EventBridge by the identity-events stream function. */
  EventPublished: 'EventPublished',
  /** Stream batches handed back to Lambda with a partial failure (retried from that record). */
  EventBatchFailed: 'EventBatchFailed',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
