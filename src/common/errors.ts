/**
 * Domain errors: thrown by services, shared by the HTTP edge, the CLI and the library clients.
 * Each carries its code (docs/api.md, Errors); the HTTP status is chosen at the edge from the code.
 */

export const ERROR_HTTP_STATUS = {
  INVALID_REQUEST: 400,
  AUTHENTICATION_ERROR: 401,
  AUTHORIZATION_ERROR: 403,
  NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  BATCH_NOT_FOUND: 404,
  TASK_ALREADY_EXISTS: 409,
  TASK_NOT_CANCELLABLE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  QUEUE_FULL: 503,
  SERVICE_UNAVAILABLE: 503,
  /** The task store cannot be read or written right now. */
  STORE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

/** Codes recorded inside a task's `error` (not HTTP errors). */
export const TASK_ERROR_CODES = [
  'MODEL_ERROR',
  'MODEL_NOT_CONFIGURED',
  'TASK_TIMEOUT',
  'TASK_CANCELLED',
  'TASK_INTERRUPTED',
  'MAX_STEPS_EXCEEDED',
  'REPEATED_TOOL_CALL',
  'BATCH_ABORTED',
  'INTERNAL_ERROR',
] as const;
export type TaskErrorCode = (typeof TASK_ERROR_CODES)[number];

export class AgentRunnerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get statusCode(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}

export class InvalidRequestError extends AgentRunnerError {
  constructor(message: string, details: unknown = null) {
    super('INVALID_REQUEST', message, details);
  }
}

export class AuthenticationError extends AgentRunnerError {
  constructor(message = 'A valid API key is required (Authorization: Bearer <key> or X-API-Key).') {
    super('AUTHENTICATION_ERROR', message);
  }
}

export class AuthorizationError extends AgentRunnerError {
  constructor(message = 'This API key may not do that.') {
    super('AUTHORIZATION_ERROR', message);
  }
}

export class NotFoundError extends AgentRunnerError {
  constructor(message = 'Not found.') {
    super('NOT_FOUND', message);
  }
}

export class TaskNotFoundError extends AgentRunnerError {
  constructor(readonly taskId: string) {
    super('TASK_NOT_FOUND', `Task ${JSON.stringify(taskId)} not found.`);
  }
}

export class BatchNotFoundError extends AgentRunnerError {
  constructor(readonly batchId: string) {
    super('BATCH_NOT_FOUND', `Batch ${JSON.stringify(batchId)} not found.`);
  }
}

export class TaskAlreadyExistsError extends AgentRunnerError {
  constructor(readonly taskId: string) {
    super(
      'TASK_ALREADY_EXISTS',
      `Task ${JSON.stringify(taskId)} already exists with a different request or owner.`,
    );
  }
}

export class TaskNotCancellableError extends AgentRunnerError {
  constructor(
    readonly taskId: string,
    readonly status: string,
  ) {
    super('TASK_NOT_CANCELLABLE', `Task ${JSON.stringify(taskId)} is already ${status}.`, {
      status,
    });
  }
}

export class PayloadTooLargeError extends AgentRunnerError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `Request body is larger than ${limitBytes} bytes.`, {
      limit_bytes: limitBytes,
    });
  }
}

/** Errors that tell the client when to come back. */
export class RateLimitError extends AgentRunnerError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMIT_EXCEEDED', `Too many requests; retry after ${retryAfterSeconds} s.`, {
      retry_after_seconds: retryAfterSeconds,
    });
  }
}

export class QueueFullError extends AgentRunnerError {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
  ) {
    super('QUEUE_FULL', `The task queue is full (${limit} waiting); retry later.`, {
      retry_after_seconds: retryAfterSeconds,
    });
  }
}

/**
 * The task store cannot take a write (a full disk, an I/O error): nothing was accepted; the
 * client may send the same request again later.
 */
export class StoreUnavailableError extends AgentRunnerError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'The task store cannot take a write right now; nothing was accepted. Retry later.',
  ) {
    super('STORE_UNAVAILABLE', message, { retry_after_seconds: retryAfterSeconds });
  }
}

export class InternalError extends AgentRunnerError {
  constructor(message = 'Internal server error.') {
    super('INTERNAL_ERROR', message);
  }
}

/** The error body (docs/api.md, Errors). */
export interface ErrorBody {
  status_code: number;
  code: string;
  message: string;
  details: unknown[] | Record<string, unknown> | null;
  request_id: string;
  timestamp: string;
}
