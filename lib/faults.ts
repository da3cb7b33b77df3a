/**
 * Fault injection for the DynamoDB client, so that tests and the stress command exercise the
 * retry and repair paths that DynamoDB Local never triggers on its own (it serialises
 * transactions and never loses a response). Only the local server attaches it, when
 * FAULT_INJECTION is set (lib/local/server.ts): no function imports this module, so it is in no
 * Lambda bundle (test/infra/bundle.test.ts), and it refuses to start inside AWS Lambda anyway.
 *
 * It sits in the SDK's `initialize` step, above the SDK's own retries, so the application sees
 * the faults exactly as it would see a real conflict or a response lost for good.
 */
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError } from './config';

export interface FaultConfig {
  /** Probability that a write is refused with a synthetic TransactionConflict before it is sent. */
  conflictRate: number;
  /** Probability that a successful write's response is dropped (the write stays committed). */
  lostResponseRate: number;
}

/** FAULT_INJECTION="conflict=0.1,lost=0.05"; null when unset. A bad value is a ConfigError. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultConfig | null {
  const raw = env.FAULT_INJECTION;
  if (!raw) return null;
  const problems: string[] = [];
  if (env.AWS_LAMBDA_FUNCTION_NAME) problems.push('FAULT_INJECTION is refused inside AWS Lambda');
  const faults: FaultConfig = { conflictRate: 0, lostResponseRate: 0 };
  for (const part of raw.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1)) {
      problems.push(`FAULT_INJECTION: "${part}" needs a rate from 0 to 1`);
    } else if (key === 'conflict') {
      faults.conflictRate = rate;
    } else if (key === 'lost') {
      faults.lostResponseRate = rate;
    } else {
      problems.push(`FAULT_INJECTION: unknown fault "${key}" (known: conflict, lost)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return faults;
}

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

/** Attaches the faults to a client, or to a document client (it shares its client's middleware stack). */
export function addFaultInjection(
  target: DynamoDBClient | DynamoDBDocumentClient,
  faults: FaultConfig,
  random: () => number = Math.random,
): void {
  const client = target as DynamoDBClient;
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
