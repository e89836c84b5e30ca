import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'INVALID_REQUEST: the input failed validation (details list every problem)',
  401: 'AUTHENTICATION_ERROR: missing or unknown API key',
  403: 'AUTHORIZATION_ERROR: the key may not do this',
  404: 'TASK_NOT_FOUND / BATCH_NOT_FOUND / NOT_FOUND',
  409: 'TASK_ALREADY_EXISTS or TASK_NOT_CANCELLABLE',
  413: 'PAYLOAD_TOO_LARGE: body over service.max_body_bytes',
  429: 'RATE_LIMIT_EXCEEDED (Retry-After header)',
  500: 'INTERNAL_ERROR (no internals leaked)',
  503: 'QUEUE_FULL or STORE_UNAVAILABLE (Retry-After header), or SERVICE_UNAVAILABLE while shutting down',
};

/**
 * Documents the SPEC 2.1 error responses of an operation. Every protected operation gets 401,
 * 429 and 500; pass the others it can answer.
 */
export function ApiErrorResponses(...statuses: number[]) {
  const all = [...new Set([401, 429, 500, ...statuses])].sort();
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto }),
    ),
  );
}
