import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OpenApiResponseValidator } from './openapi-response-validator';
import { publishedDocument } from './published-openapi';

let validator: OpenApiResponseValidator | undefined;
const violations: string[] = [];

/**
 * Checks every answer `fastify` sends against the published OpenAPI document (see
 * OpenApiResponseValidator). Drifts are collected and fail the test that caused them
 * (response-validation.setup.ts). Streams (SSE, Swagger UI files) are not bodies it can read.
 */
export function validateResponsesAgainstDocument(fastify: FastifyInstance): void {
  validator ??= new OpenApiResponseValidator(publishedDocument());
  const check = validator;
  fastify.addHook(
    'onSend',
    (
      request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
      done: (err: Error | null, payload?: unknown) => void,
    ) => {
      const body =
        typeof payload === 'string'
          ? payload
          : Buffer.isBuffer(payload)
            ? payload.toString('utf8')
            : payload === null || payload === undefined
              ? ''
              : undefined;
      if (body !== undefined) {
        const contentType = reply.getHeader('content-type');
        violations.push(
          ...check.check({
            method: request.method,
            route: request.routeOptions?.url,
            status: reply.statusCode,
            contentType: typeof contentType === 'string' ? contentType : undefined,
            body,
          }),
        );
      }
      done(null, payload);
    },
  );
}

/** The drifts seen since the last call. */
export function takeViolations(): string[] {
  return violations.splice(0);
}
