/**
 * The port through which the domain (lib/identity-service.ts, lib/admin-service.ts,
 * lib/retry.ts) reports what happened: a counter per metric name. No Powertools, no Lambda types
 * here; lib/powertools/metrics.ts provides the implementation that publishes EMF, and tests or
 * tools that need none get `noTelemetry`.
 */
import type { MetricName } from './powertools/constants';

export type { MetricName };

export interface Telemetry {
  /** Adds `value` (default 1) to the metric's count for the current request. */
  count(metric: MetricName, value?: number): void;
}

export const noTelemetry: Telemetry = { count: () => undefined };
