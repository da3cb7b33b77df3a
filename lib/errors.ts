/**
 * The service's errors. Each carries a stable machine-readable `code` and the HTTP status it
 * maps to; the HTTP layer (lib/http/errors.ts) is the only place that turns them into responses.
 * Messages are written for API callers: they never contain stack traces, table names or SDK text.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed or a value is invalid. */
export class ValidationError extends AppError {
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}

/** 404: an id, value or route that does not exist. */
export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'not_found') {
    super(404, code, message);
  }
}

/** 401: no valid credentials (the message never says why, nor echoes the token). */
export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication is required.') {
    super(401, 'unauthorized', message);
  }
}

/** 403: authenticated, but not allowed (not a member of the admins group). */
export class ForbiddenError extends AppError {
  constructor(message = 'This route is for administrators only.') {
    super(403, 'forbidden', message);
  }
}

/**
 * 409: the identity's primary item would pass DynamoDB's 400 KB item limit (several thousand
 * contacts). Nothing was written; retrying cannot help. See README, "Growth limits".
 */
export class IdentityTooLargeError extends AppError {
  constructor() {
    super(
      409,
      'identity_too_large',
      'This customer identity has reached the largest size the service can store; the contact was not added.',
    );
  }
}

/** 503: storage stayed unavailable, throttled or contended until the request's time budget ran out. */
export class UnavailableError extends AppError {
  constructor(code: 'storage_unavailable' | 'contention', message: string) {
    super(503, code, message, true);
  }
}

/**
 * Thrown by the storage adapter when a conditional write lost a race (a claim already exists,
 * a primary changed since it was read). Never reaches a caller: the service re-reads and retries.
 */
export class WriteConflict extends Error {
  constructor(readonly reason: string) {
    super(`write conflict: ${reason}`);
    this.name = 'WriteConflict';
  }
}

/**
 * Thrown by the storage adapter for failures worth retrying after a backoff: transaction
 * conflicts, throttling, lost connections, 5xx from DynamoDB.
 */
export class TransientStorageError extends Error {
  constructor(
    readonly kind: 'conflict' | 'throttled' | 'unavailable',
    options?: { cause?: unknown },
  ) {
    super(`transient storage error: ${kind}`, options);
    this.name = 'TransientStorageError';
  }
}
