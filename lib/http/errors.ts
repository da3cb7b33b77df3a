/**
 * The one place where errors become HTTP responses (SPEC.md, "Errors"). Known errors keep their
 * status and stable code; anything else is a 500 with a generic message. Bodies never carry
 * stack traces, table names or SDK messages; the details go to the log, masked. Answers that
 * alarms watch are counted here (lib/powertools/constants.ts): 503 by code, 409, 500. The
 * request id is added to every error body by lib/http/request-id.ts.
 */
import { AppError } from '../errors';
import { METRIC, type MetricName } from '../powertools/constants';
import { recordMetric } from '../powertools/metrics';
import { errorBody, json, type HttpResult } from './response';

/** What the mapper logs through (the Powertools Logger). */
export interface ErrorLog {
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

const COUNTED: Record<string, MetricName> = {
  storage_unavailable: METRIC.StorageUnavailable,
  contention: METRIC.Contention,
  identity_too_large: METRIC.IdentityTooLarge,
};

/** Errors thrown by middy's own middlewares carry a statusCode and expose = true. */
interface MiddyHttpError extends Error {
  statusCode: number;
  expose?: boolean;
  cause?: { package?: string };
}

function isMiddyHttpError(error: unknown): error is MiddyHttpError {
  return error instanceof Error && typeof (error as MiddyHttpError).statusCode === 'number';
}

export function toErrorResponse(error: unknown, logger: ErrorLog): HttpResult {
  if (error instanceof AppError) {
    const metric = COUNTED[error.code];
    if (metric) recordMetric(metric);
    if (error.status >= 500) logger.warn('request failed', { code: error.code, status: error.status });
    const headers: Record<string, string> = error.retryable ? { 'retry-after': '1' } : {};
    return json(error.status, errorBody(error.code, error.message), headers);
  }
  if (isMiddyHttpError(error) && error.cause?.package === '@middy/http-json-body-parser') {
    if (error.statusCode === 415) {
      return json(
        415,
        errorBody('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.'),
      );
    }
    return json(400, errorBody('invalid_json', 'The request body is not valid JSON.'));
  }
  // The formatter masks personal data in the message and the stack (lib/masking.ts).
  logger.error('unhandled error', { error: error instanceof Error ? error : { value: String(error) } });
  recordMetric(METRIC.InternalError);
  return json(500, errorBody('internal_error', 'Internal server error.'));
}

/** middy middleware: maps any error of the handler or of an earlier middleware to a response. */
export function errorHandler(logger: () => ErrorLog) {
  return {
    onError: (request: { error?: unknown; response?: unknown }) => {
      request.response = toErrorResponse(request.error, logger());
    },
  };
}
