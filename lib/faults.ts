/**
 * Fault injection for the DynamoDB client, so that tests and the stress command exercise the
 * retry and repair paths that DynamoDB Local never triggers on its own (it serialises
 * transactions and never loses a response). Attached only when FAULT_INJECTION is set, which
 * lib/config.ts refuses inside AWS Lambda.
 *
 * It sits in the SDK's `initialize` step, above the SDK's own retries, so the application sees
 * the faults exactly as it would see a real conflict or a response lost for good.
 */
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FaultConfig } from './config';

const WRITE_COMMANDS = new Set([
  'TransactWriteItemsCommand',
  'UpdateItemCommand',
  'PutItemCommand',
  'DeleteItemCommand',
]);

export class LostResponseError extends Error {
  constructor() {
    super('injected fault: the response of a committed write was lost');
    this.name = 'LostResponseError';
  }
}

export function syntheticConflict(actions: number): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled (injected fault)',
    $metadata: {},
    CancellationReasons: [
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      ...Array.from({ length: Math.max(0, actions - 1) }, () => ({ Code: 'None' })),
    ],
  });
}

export function addFaultInjection(
  client: DynamoDBClient,
  faults: FaultConfig,
  random: () => number = Math.random,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (!WRITE_COMMANDS.has(command)) return next(args);
      if (command === 'TransactWriteItemsCommand' && random() < faults.conflictRate) {
        const input = args.input as { TransactItems?: unknown[] };
        throw syntheticConflict(input.TransactItems?.length ?? 1);
      }
      const result = await next(args);
      if (random() < faults.lostResponseRate) throw new LostResponseError();
      return result;
    },
    { step: 'initialize', priority: 'high', name: 'faultInjection' },
  );
}
