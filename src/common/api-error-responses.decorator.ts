import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type HeadersObject } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

/** The error statuses an operation can declare. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 429 | 500 | 503;

const RETRY_AFTER: HeadersObject = {
  'retry-after': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
};

const DESCRIPTIONS: Record<ErrorStatus, string> = {
  400:
    'INVALID_REQUEST: the request failed a check; `details` lists the problems `{field, message}` ' +
    'found by that check (malformed JSON or URL: `details` is null).',
  401: 'AUTHENTICATION_ERROR: no API key, or an unknown one.',
  403:
    'AUTHORIZATION_ERROR: this key may not do this (a user key on an admin route), or no keys ' +
    'are configured, so admin routes are closed.',
  404: 'TASK_NOT_FOUND or BATCH_NOT_FOUND: no such task or batch, or it belongs to another owner.',
  409:
    'TASK_ALREADY_EXISTS (the task_id or Idempotency-Key is taken by another request or owner) ' +
    'or TASK_NOT_CANCELLABLE (the task already ended; `details.status` says how).',
  413:
    'PAYLOAD_TOO_LARGE: the body is larger than service.max_body_bytes (`details.limit_bytes` ' +
    'when known).',
  414: 'INVALID_REQUEST: a path parameter is longer than 512 characters.',
  415: 'UNSUPPORTED_MEDIA_TYPE: a body was sent with a Content-Type other than application/json.',
  429: 'RATE_LIMIT_EXCEEDED: too many requests for this key (`retry-after` header).',
  500: 'INTERNAL_ERROR: an unexpected failure; the body holds no internals (see the logs).',
  503:
    'QUEUE_FULL (service.max_queued_tasks reached; `retry-after` header), STORE_UNAVAILABLE (the ' +
    'task store cannot be used right now) or SERVICE_UNAVAILABLE (the service is shutting down).',
};

/** Every operation that needs a key can answer these, whatever it does. */
const PROTECTED_DEFAULTS: ErrorStatus[] = [401, 429, 500, 503];

/** One error response of the shared shape, with its headers. */
export function ApiErrorResponse(status: ErrorStatus, description = DESCRIPTIONS[status]) {
  return ApiResponse({
    status,
    description,
    type: ErrorResponseDto,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
  });
}

/**
 * Documents the error responses of an operation that needs an API key: 401, 429, 500 and 503
 * always, plus the statuses given (one shared error schema; the codes of each status in its
 * description).
 */
export function ApiErrorResponses(...statuses: ErrorStatus[]) {
  const all = [...new Set([...PROTECTED_DEFAULTS, ...statuses])].sort((a, b) => a - b);
  return applyDecorators(...all.map((status) => ApiErrorResponse(status)));
}

/** What every operation taking a JSON body can answer about it: 400, 413 and 415. */
export const BODY_ERRORS: ErrorStatus[] = [400, 413, 415];
/** What every operation with an id in its path can answer about it: 400, 404 and 414. */
export const ID_ERRORS: ErrorStatus[] = [400, 404, 414];
