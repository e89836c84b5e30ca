import { HttpException } from '@nestjs/common';
import { ConfigValidationError } from '../config/config.validation';
import {
  AgentRunnerError,
  ERROR_HTTP_STATUS,
  ErrorBody,
  RateLimitError,
  QueueFullError,
  StoreUnavailableError,
} from './errors';

const CODE_FOR_STATUS: Record<number, string> = {
  400: 'INVALID_REQUEST',
  401: 'AUTHENTICATION_ERROR',
  403: 'AUTHORIZATION_ERROR',
  404: 'NOT_FOUND',
  405: 'INVALID_REQUEST',
  406: 'INVALID_REQUEST',
  409: 'INVALID_REQUEST',
  411: 'INVALID_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'INVALID_REQUEST',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT_EXCEEDED',
  431: 'INVALID_REQUEST',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own request errors (body parsing, content type, limits), by code. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'Request body is too large.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Unsupported Content-Type; send application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'INVALID_REQUEST',
    message: 'The JSON body is empty.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'INVALID_REQUEST',
    message: 'Content-Length does not match the body.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'INVALID_REQUEST',
    message: 'Malformed JSON body.',
  },
  FST_ERR_BAD_URL: { status: 400, code: 'INVALID_REQUEST', message: 'Malformed URL.' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'INVALID_REQUEST',
    message: 'A path parameter is too long.',
  },
};

export interface MappedError {
  body: Omit<ErrorBody, 'request_id' | 'timestamp'>;
  headers: Record<string, string>;
  /** True for errors we did not expect: logged with their stack, shown without internals. */
  unexpected: boolean;
}

/** Maps anything thrown anywhere to the error body of docs/api.md, Errors (without request id and time). */
export function mapError(err: unknown): MappedError {
  if (err instanceof AgentRunnerError) return mapDomainError(err);
  if (err instanceof ConfigValidationError) {
    // The key's dotted path is the field of a configuration problem (one details shape).
    const details = err.issues.map((i) => ({ field: i.path, message: i.message }));
    return expected(400, 'INVALID_REQUEST', 'Invalid configuration.', details);
  }
  const mapped = mapRequestError(err);
  if (mapped) return mapped;
  return {
    body: {
      status_code: ERROR_HTTP_STATUS.INTERNAL_ERROR,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error.',
      details: null,
    },
    headers: {},
    unexpected: true,
  };
}

/** The project's own errors: their status, code, message and details; Retry-After when they have one. */
function mapDomainError(err: AgentRunnerError): MappedError {
  const headers: Record<string, string> = {};
  if (
    err instanceof RateLimitError ||
    err instanceof QueueFullError ||
    err instanceof StoreUnavailableError
  ) {
    headers['retry-after'] = String(err.retryAfterSeconds);
  }
  return {
    body: {
      status_code: err.statusCode,
      code: err.code,
      message: err.message,
      details: asDetails(err.details),
    },
    headers,
    unexpected: err.statusCode >= 500 && err.code === 'INTERNAL_ERROR',
  };
}

/** Errors of the HTTP layer (Fastify, body parsing, Nest's HttpException) for a bad request. */
function mapRequestError(err: unknown): MappedError | undefined {
  const fastifyCode = (err as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_ERRORS[fastifyCode]) {
    const f = FASTIFY_ERRORS[fastifyCode];
    return expected(f.status, f.code, f.message);
  }
  if (err instanceof SyntaxError || (err as { type?: string })?.type === 'entity.parse.failed') {
    return expected(400, 'INVALID_REQUEST', 'Malformed JSON body.');
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status < 500 && CODE_FOR_STATUS[status]) {
      const response = err.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? err.message);
      return expected(
        status,
        CODE_FOR_STATUS[status],
        status === 404 ? 'Route not found.' : message,
      );
    }
  }
  const status = (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && CODE_FOR_STATUS[status]) {
    return expected(status, CODE_FOR_STATUS[status], 'Invalid request.');
  }
  return undefined;
}

/** An error the service expects (a client's mistake): no extra headers, not logged as a fault. */
function expected(
  status: number,
  code: string,
  message: string,
  details: ErrorBody['details'] = null,
): MappedError {
  return {
    body: { status_code: status, code, message, details },
    headers: {},
    unexpected: false,
  };
}

/** Details as the error schema allows them: a list, an object of facts, or null. */
function asDetails(details: unknown): ErrorBody['details'] {
  if (Array.isArray(details)) return details;
  if (details !== null && typeof details === 'object') return details as Record<string, unknown>;
  return details === null || details === undefined ? null : { value: details };
}
