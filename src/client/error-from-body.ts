import {
  AgentRunnerError,
  AuthenticationError,
  AuthorizationError,
  BatchNotFoundError,
  ERROR_HTTP_STATUS,
  ErrorCode,
  ErrorBody,
  InternalError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  QueueFullError,
  RateLimitError,
  StoreUnavailableError,
  TaskAlreadyExistsError,
  TaskNotCancellableError,
  TaskNotFoundError,
} from '../common/errors';

/** What the caller knew when the error came back (the body does not repeat ids). */
export interface ErrorContext {
  taskId?: string;
  batchId?: string;
  /** From the Retry-After header. */
  retryAfterSeconds?: number;
  /** The original error, kept for debugging (in-process). */
  cause?: unknown;
}

function detail(details: unknown, key: string): unknown {
  return details && typeof details === 'object' && !Array.isArray(details)
    ? (details as Record<string, unknown>)[key]
    : undefined;
}

/** What the body and the caller's context give a domain error's constructor. */
interface ErrorFacts {
  message: string;
  details: unknown;
  context: ErrorContext;
  /** Seconds from the Retry-After header, else from the details, else 1. */
  retryAfter: number;
}

/** The domain error class of each code the service sends, rebuilt from what the body says. */
const FROM_CODE: Partial<Record<ErrorCode, (facts: ErrorFacts) => AgentRunnerError>> = {
  INVALID_REQUEST: ({ message, details }) => new InvalidRequestError(message, details),
  AUTHENTICATION_ERROR: ({ message }) => new AuthenticationError(message),
  AUTHORIZATION_ERROR: ({ message }) => new AuthorizationError(message),
  NOT_FOUND: ({ message }) => new NotFoundError(message),
  TASK_NOT_FOUND: ({ context }) => new TaskNotFoundError(context.taskId ?? ''),
  BATCH_NOT_FOUND: ({ context }) => new BatchNotFoundError(context.batchId ?? ''),
  TASK_ALREADY_EXISTS: ({ context }) => new TaskAlreadyExistsError(context.taskId ?? ''),
  TASK_NOT_CANCELLABLE: ({ details, context }) =>
    new TaskNotCancellableError(
      context.taskId ?? '',
      String(detail(details, 'status') ?? 'finished'),
    ),
  PAYLOAD_TOO_LARGE: ({ details }) =>
    new PayloadTooLargeError(Number(detail(details, 'limit_bytes') ?? 0)),
  RATE_LIMIT_EXCEEDED: ({ retryAfter }) => new RateLimitError(retryAfter),
  QUEUE_FULL: ({ retryAfter }) => new QueueFullError(retryAfter, 0),
  STORE_UNAVAILABLE: ({ retryAfter, message }) => new StoreUnavailableError(retryAfter, message),
  INTERNAL_ERROR: ({ message }) => new InternalError(message),
};

/**
 * Turns an error body (docs/api.md, Errors) back into the domain error the service threw: same
 * class, same code, message and details. Unknown codes become a plain {@link AgentRunnerError}.
 */
export function errorFromBody(
  body: Partial<ErrorBody>,
  context: ErrorContext = {},
): AgentRunnerError {
  const message = typeof body.message === 'string' ? body.message : 'Request failed.';
  const details = body.details ?? null;
  const retryAfter =
    context.retryAfterSeconds ?? Number(detail(details, 'retry_after_seconds') ?? 1);
  const build =
    body.code !== undefined && Object.hasOwn(FROM_CODE, body.code)
      ? FROM_CODE[body.code as ErrorCode]
      : undefined;
  const error = build
    ? build({ message, details, context, retryAfter })
    : body.code && body.code in ERROR_HTTP_STATUS
      ? new AgentRunnerError(body.code as ErrorCode, message, details)
      : new AgentRunnerError('INTERNAL_ERROR', message, details);
  // The service's own wording and details win over the constructor's defaults.
  Object.assign(error, { message, details });
  if (context.cause !== undefined) Object.defineProperty(error, 'cause', { value: context.cause });
  return error;
}
