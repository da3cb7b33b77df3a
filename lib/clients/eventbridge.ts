/**
 * The EventBridge client of the identity-events function, created once per container (lazily, so
 * importing the module costs nothing). Next to lib/dynamo-client.ts; no publishing logic here
 * (lib/events/eventbridge.ts).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

let client: EventBridgeClient | undefined;

export function getEventBridgeClient(): EventBridgeClient {
  // Standard retries (throttling included), a few attempts: the stream retries the batch anyway.
  client ??= new EventBridgeClient({ maxAttempts: 4 });
  return client;
}
