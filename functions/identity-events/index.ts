/**
 * DynamoDB Streams (Changes) -> EventBridge: derives the change event of every change record
 * (lib/events/stream.ts) and publishes it to the stack's bus (EVENT_BUS_NAME). Reports partial
 * batch failures (the first record not delivered), so Lambda retries from there; with
 * bisectBatchOnError, retryAttempts and the SQS on-failure destination (infra/events/) one bad
 * record cannot block the shard. No HTTP route. Logs and metrics through the same Powertools
 * instances as the HTTP functions (Lambda context on every line, EMF flushed per batch).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { getEventBridgeClient } from '../../lib/clients/eventbridge';
import { eventBridgePublisher } from '../../lib/events/eventbridge';
import { processStreamBatch } from '../../lib/events/stream';
import { METRIC } from '../../lib/powertools/constants';
import { getLogger } from '../../lib/powertools/logger';
import { getMetrics, recordMetric } from '../../lib/powertools/metrics';

export { recordHandler } from '../../lib/events/stream';

async function handleBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const busName = process.env.EVENT_BUS_NAME;
  if (!busName) throw new Error('EVENT_BUS_NAME is not set');
  const logger = getLogger();
  let published = 0;
  const publisher = eventBridgePublisher(getEventBridgeClient(), busName, (detail) =>
    logger.warn('PutEvents did not take every event; the stream retries', detail),
  );
  const counting = {
    publish: async (events: Parameters<typeof publisher.publish>[0]) => {
      const result = await publisher.publish(events);
      published += result.delivered;
      return result;
    },
  };
  const response = await processStreamBatch(event.Records, counting, (message, error, sequenceNumber) =>
    logger.error(message, { error: (error as Error).message, sequenceNumber }),
  );
  if (published > 0) recordMetric(METRIC.EventPublished, published);
  if (response.batchItemFailures.length > 0) recordMetric(METRIC.EventBatchFailed);
  logger.info('stream batch', { records: event.Records.length, published, failures: response.batchItemFailures.length });
  return response;
}

export const handler = middy(handleBatch)
  .use(injectLambdaContext(getLogger(), { resetKeys: true, logEvent: false }))
  .use(logMetrics(getMetrics()));
