/**
 * The service's one Powertools Logger: structured JSON lines with the Lambda context (function
 * name, cold start, function_request_id, X-Ray trace id), the request id of the invocation
 * (`requestId`, appended per request by lib/http/request-id.ts and reset after it), log level and
 * debug sampling from POWERTOOLS_LOG_LEVEL / LOG_LEVEL and POWERTOOLS_LOGGER_SAMPLE_RATE. Child
 * loggers (`getLogger().createChild(...)`) share the formatter.
 *
 * The formatter masks personal data (lib/masking.ts) in the message and in every extra field, so
 * no line holds an email or phone number in clear. The Lambda context fields come from the
 * platform and are written as they are. Logged errors' stacks (and their causes') point at the
 * TypeScript sources: the formatter maps them through the bundle's source map, read on the first
 * logged error only (./source-mapped-stack.ts), instead of Node doing it at every cold start. Nothing here loads the AWS SDK (health and not-found use
 * it too); the Logger is created on first use.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { httpSettings } from '../config';
import { maskPersonalData, maskText } from '../masking';
import { REQUEST_ID_KEY, SERVICE_NAME } from './constants';
import { sourceMappedStack } from './source-mapped-stack';

/** Values the service generates itself: kept verbatim (a request id must stay searchable). */
const VERBATIM_KEYS: ReadonlySet<string> = new Set([REQUEST_ID_KEY]);

/**
 * Powertools' standard keys, with the message and every extra attribute masked. Errors become
 * plain objects here (name, message, stack, cause, own fields; lib/masking.ts), so Powertools'
 * own formatError never sees one; their stacks are source-mapped once masked.
 */
export class MaskingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const message = attributes.message;
    const base = {
      level: attributes.logLevel,
      message:
        typeof message === 'string' ? maskText(message) : maskPersonalData(message, 'message', 0, undefined, sourceMappedStack),
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    const extra = maskPersonalData(additional, '', 0, VERBATIM_KEYS, sourceMappedStack) as LogAttributes;
    return new LogItem({ attributes: base as LogAttributes }).addAttributes(extra);
  }
}

let shared: Logger | undefined;

/** The container's logger, created on first use (a bad log level fails it with a ConfigError). */
export function getLogger(): Logger {
  if (!shared) {
    const { logLevel, logSampleRate } = httpSettings();
    shared = new Logger({
      serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
      logLevel: logLevel.toUpperCase() as 'INFO',
      sampleRateValue: logSampleRate,
      logFormatter: new MaskingLogFormatter(),
    });
  }
  return shared;
}

export type { Logger };
