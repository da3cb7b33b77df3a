/**
 * DynamoDB failures in the port's vocabulary (lib/errors.ts): WriteConflict, TransientStorageError,
 * IdentityTooLargeError, or the original error. No retries here (lib/store/dynamodb/send.ts, lib/retry.ts).
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { IdentityTooLargeError, TransientStorageError, WriteConflict } from '../../errors';

const THROTTLING = new Set([
  'ThrottlingError',
  'ThrottlingException',
  'ProvisionedThroughputExceeded',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);
/** DynamoDB's words for a write that would pass the 400 KB item limit. */
const ITEM_TOO_LARGE = /item size .*exceeded|exceeded the maximum allowed size/i;
const CONFLICTS = new Set([
  'TransactionConflict',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

/**
 * Runs one DynamoDB call and translates its failure into the port's vocabulary: WriteConflict
 * (a condition failed: nothing was written), TransientStorageError (retry after a backoff), or
 * the original error (a bug or a misconfiguration: the caller answers 500).
 */
export async function call<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translate(error);
  }
}

export function translate(error: unknown): unknown {
  if (error instanceof TransactionCanceledException) {
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    if (codes.includes('ConditionalCheckFailed')) return new WriteConflict('condition failed');
    if (error.CancellationReasons?.some((r) => r.Code === 'ValidationError' && ITEM_TOO_LARGE.test(r.Message ?? ''))) {
      return new IdentityTooLargeError();
    }
    if (codes.some((c) => CONFLICTS.has(c))) return new TransientStorageError('conflict', { cause: error });
    if (codes.some((c) => THROTTLING.has(c))) return new TransientStorageError('throttled', { cause: error });
    return error;
  }
  if (error instanceof ConditionalCheckFailedException) return new WriteConflict('condition failed');
  if (!(error instanceof Error)) return error;
  if (error.name === 'ValidationException' && ITEM_TOO_LARGE.test(error.message)) return new IdentityTooLargeError();
  if (THROTTLING.has(error.name)) return new TransientStorageError('throttled', { cause: error });
  if (CONFLICTS.has(error.name)) return new TransientStorageError('conflict', { cause: error });
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const networkCode = (error as { code?: string }).code;
  if (
    (status !== undefined && status >= 500) ||
    error.name === 'TimeoutError' ||
    error.name === 'LostResponseError' ||
    (networkCode !== undefined && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(networkCode))
  ) {
    return new TransientStorageError('unavailable', { cause: error });
  }
  return error;
}
