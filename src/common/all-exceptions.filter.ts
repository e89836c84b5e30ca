import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from './error-body';

/**
 * The one place errors become HTTP responses (the shape of docs/api.md, Errors; internals hidden on
 * 500).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    sendError(reply, request, exception, this.logger);
  }
}

/** Writes the error response; shared with Fastify's own error and not-found handlers. */
export function sendError(
  reply: FastifyReply,
  request: FastifyRequest | undefined,
  exception: unknown,
  logger: Logger,
): void {
  const mapped = mapError(exception);
  const requestId = String(request?.id ?? reply.request?.id ?? '');
  if (mapped.unexpected) {
    const e = exception as Error;
    logger.error(
      { err: { name: e?.name, message: e?.message, stack: e?.stack }, request_id: requestId },
      'unhandled error',
    );
  }
  if (reply.sent) return;
  for (const [k, v] of Object.entries(mapped.headers)) void reply.header(k, v);
  // Errors raised before the request hooks ran (router errors) still carry the request id.
  if (requestId) void reply.header('x-request-id', requestId);
  void reply
    .status(mapped.body.status_code)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ ...mapped.body, request_id: requestId, timestamp: new Date().toISOString() });
}
