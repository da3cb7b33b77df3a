/**
 * DynamoDB Streams (Changes) -> EventBridge: derives the change event of every change record
 * (lib/events/stream.ts) and publishes it to the stack's bus (EVENT_BUS_NAME). Reports partial
 * batch failures (the first record not delivered), so Lambda retries from there; with
 * bisectBatchOnError, retryAttempts and the SQS on-failure destination (infra/events/) one bad
 * record cannot block the shard. No HTTP route.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { getEventBridgeClient } from '../../lib/clients/eventbridge';
import { eventBridgePublisher } from '../../lib/events/eventbridge';
import { processStreamBatch } from '../../lib/events/stream';
import { getLogger } from '../../lib/logger';

export { recordHandler } from '../../lib/events/stream';

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const busName = process.env.EVENT_BUS_NAME;
  if (!busName) throw new Error('EVENT_BUS_NAME is not set');
  const logger = getLogger();
  const publisher = eventBridgePublisher(getEventBridgeClient(), busName, (detail) =>
    logger.warn('PutEvents did not take every event; the stream retries', detail),
  );
  const response = await processStreamBatch(event.Records, publisher, (message, error, sequenceNumber) =>
    logger.error(message, { error: (error as Error).message, sequenceNumber }),
  );
  logger.info('stream batch', { records: event.Records.length, failures: response.batchItemFailures.length });
  return response;
};
