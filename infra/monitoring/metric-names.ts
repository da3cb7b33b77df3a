/**
 * The service's own CloudWatch metrics, as the functions emit them (Powertools Metrics, EMF): one
 * namespace, one `service` dimension, the metric names below. Alarms and the dashboard read them
 * from here only, so aligning with the code that emits them is a change to this one list.
 */
export const METRICS_NAMESPACE = 'FluxKart/Identity';
export const SERVICE_DIMENSION = { service: 'fluxkart-identity' } as const;

/** Count of 503 answers, by code: storage_unavailable, contention. Alarmed on. */
export const UNAVAILABLE_METRICS = {
  storageUnavailable: 'StorageUnavailable',
  contention: 'Contention',
} as const;

/** Business counters, shown on the dashboard (Sum per period). */
export const BUSINESS_COUNT_METRICS = [
  'IdentityCreated',
  'SecondaryAdded',
  'Merge',
  'RelinkFinished',
  'Erasure',
  'Conflict',
  'CheckoutOrder',
] as const;

/** Contacts absorbed by one merge, shown as average and maximum. */
export const MERGE_SIZE_METRIC = 'MergeSize';

/** Change events of the identity-events stream function (Sum per period), shown on the dashboard. */
export const EVENT_METRICS = ['EventPublished', 'EventBatchFailed'] as const;

/** Every custom metric name the stack reads. */
export const CUSTOM_METRIC_NAMES: readonly string[] = [
  ...Object.values(UNAVAILABLE_METRICS),
  ...BUSINESS_COUNT_METRICS,
  MERGE_SIZE_METRIC,
  ...EVENT_METRICS,
];
