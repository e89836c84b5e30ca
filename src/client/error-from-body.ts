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

/**
 * Turns a SPEC 2.1 error body back into the domain error the service threw: same class, same
 * code, message and details. Unknown codes become a plain {@link AgentRunnerError}.
 */
export function errorFromBody(
  body: Partial<ErrorBody>,
  context: ErrorContext = {},
): AgentRunnerError {
  const message = typeof body.message === 'string' ? body.message : 'Request failed.';
  const details = body.details ?? null;
  const retryAfter =
    context.retryAfterSeconds ?? Number(detail(details, 'retry_after_seconds') ?? 1);
  let error: AgentRunnerError;
  switch (body.code) {
    case 'INVALID_REQUEST':
      error = new InvalidRequestError(message, details);
      break;
    case 'AUTHENTICATION_ERROR':
      error = new AuthenticationError(message);
      break;
    case 'AUTHORIZATION_ERROR':
      error = new AuthorizationError(message);
      break;
    case 'NOT_FOUND':
      error = new NotFoundError(message);
      break;
    case 'TASK_NOT_FOUND':
      error = new TaskNotFoundError(context.taskId ?? '');
      break;
    case 'BATCH_NOT_FOUND':
      error = new BatchNotFoundError(context.batchId ?? '');
      break;
    case 'TASK_ALREADY_EXISTS':
      error = new TaskAlreadyExistsError(context.taskId ?? '');
      break;
    case 'TASK_NOT_CANCELLABLE':
      error = new TaskNotCancellableError(
        context.taskId ?? '',
        String(detail(details, 'status') ?? 'finished'),
      );
      break;
    case 'PAYLOAD_TOO_LARGE':
      error = new PayloadTooLargeError(Number(detail(details, 'limit_bytes') ?? 0));
      break;
    case 'RATE_LIMIT_EXCEEDED':
      error = new RateLimitError(retryAfter);
      break;
    case 'QUEUE_FULL':
      error = new QueueFullError(retryAfter, 0);
      break;
    case 'STORE_UNAVAILABLE':
      error = new StoreUnavailableError(retryAfter, message);
      break;
    case 'INTERNAL_ERROR':
      error = new InternalError(message);
      break;
    default:
      error =
        body.code && body.code in ERROR_HTTP_STATUS
          ? new AgentRunnerError(body.code as ErrorCode, message, details)
          : new AgentRunnerError('INTERNAL_ERROR', message, details);
  }
  // The service's own wording and details win over the constructor's defaults.
  Object.assign(error, { message, details });
  if (context.cause !== undefined) Object.defineProperty(error, 'cause', { value: context.cause });
  return error;
}
