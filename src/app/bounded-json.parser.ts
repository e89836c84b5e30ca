import type { FastifyInstance } from 'fastify';
import { jsonLimitError, jsonTextProblem } from '../common/json-limits';

/**
 * The one JSON body parser of every route: Fastify's own (secure-json-parse, prototype
 * poisoning refused, `service.max_body_bytes`), preceded by a scan of the text that refuses
 * too deep or too wide input with 400 INVALID_REQUEST before anything parses or walks it.
 */
export function useBoundedJsonParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const problem = jsonTextProblem(body as string);
    if (problem) return done(jsonLimitError(problem), undefined);
    parse(request, body as string, done);
  });
}
