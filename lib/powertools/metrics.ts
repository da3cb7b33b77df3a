/**
 * The service's one Powertools Metrics instance: CloudWatch Embedded Metric Format (EMF) lines on
 * stdout, namespace FluxKart/Identity (POWERTOOLS_METRICS_NAMESPACE), one dimension
 * service=fluxkart-identity (POWERTOOLS_SERVICE_NAME), flushed once per request by the logMetrics
 * middleware (lib/http/handler.ts). Every EMF line also carries the request's `requestId` as
 * metadata (a property of the log line, not a dimension), so a request's metrics are found with
 * its log lines. Powertools' own ColdStart metric adds the function_name dimension.
 *
 * `recordMetric(name, value?)` is the API for adapters (e.g. the checkout function:
 * `recordMetric(METRIC.CheckoutOrder)`); `telemetry` is the same, shaped as the domain's port
 * (lib/telemetry.ts). Created on first use; no AWS SDK here.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from '../telemetry';
import { METRICS_NAMESPACE, REQUEST_ID_KEY, SERVICE_NAME, type MetricName } from './constants';
import { getLogger } from './logger';

/** Metrics whose single-metric lines (ColdStart) carry the request id too. */
class ServiceMetrics extends Metrics {
  /** The id of the request being started: set right before logMetrics' `before` runs. */
  startingRequestId: string | undefined;

  override singleMetric(): Metrics {
    const single = super.singleMetric();
    if (this.startingRequestId) single.addMetadata(REQUEST_ID_KEY, this.startingRequestId);
    return single;
  }
}

let shared: ServiceMetrics | undefined;

/**
 * Powertools' warnings go to the service logger (JSON, masked, with the request id). The one it
 * gives on every request that recorded no metric (health, a plain lookup) is routine: debug.
 */
function metricsLogger() {
  const logger = getLogger();
  return {
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) => {
      const message = String(args[0]);
      if (message.startsWith('No application metrics to publish')) logger.debug(message);
      else logger.warn(message);
    },
    error: (...args: unknown[]) => logger.error(String(args[0])),
  };
}

export function getMetrics(): ServiceMetrics {
  shared ??= new ServiceMetrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
    logger: metricsLogger(),
  });
  return shared;
}

/** Ties the current request's EMF output to its request id (lib/http/request-id.ts calls it). */
export function tagMetricsWithRequest(requestId: string): void {
  const metrics = getMetrics();
  metrics.startingRequestId = requestId;
  metrics.addMetadata(REQUEST_ID_KEY, requestId);
}

/** Adds `value` (default 1) to a Count metric of the current request; published when it ends. */
export function recordMetric(name: MetricName, value = 1): void {
  getMetrics().addMetric(name, MetricUnit.Count, value);
}

/** The domain's telemetry port (lib/telemetry.ts), publishing through Powertools Metrics. */
export const telemetry: Telemetry = { count: recordMetric };
