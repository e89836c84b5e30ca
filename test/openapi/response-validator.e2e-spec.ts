import { FastifyAdapter } from '@nestjs/platform-fastify';
import { OpenApiResponseValidator, ObservedResponse } from '../support/openapi-response-validator';
import { publishedDocument } from '../support/published-openapi';
import { takeViolations, validateResponsesAgainstDocument } from '../support/response-validation';

const error = (status: number, code: string, details: unknown = null) =>
  JSON.stringify({
    status_code: status,
    code,
    message: 'm',
    details,
    request_id: 'r',
    timestamp: '2026-12-03T00:00:00.000Z',
  });

const json = 'application/json; charset=utf-8';

/** The checker every e2e answer goes through: a drift must fail, a faithful answer must pass. */
describe('OpenApiResponseValidator', () => {
  const sut = new OpenApiResponseValidator(publishedDocument());
  const answer = (over: Partial<ObservedResponse>): ObservedResponse => ({
    method: 'GET',
    route: '/api/v1/tasks/:id',
    status: 404,
    contentType: json,
    body: error(404, 'TASK_NOT_FOUND'),
    ...over,
  });

  it('accepts answers the document describes', () => {
    expect(sut.check(answer({}))).toEqual([]);
    expect(
      sut.check(
        answer({
          status: 400,
          body: error(400, 'INVALID_REQUEST', [{ field: 'id', message: 'bad' }]),
        }),
      ),
    ).toEqual([]);
    expect(
      sut.check(answer({ route: undefined, method: 'PATCH', body: error(404, 'NOT_FOUND') })),
    ).toEqual([]);
    expect(
      sut.check(answer({ route: '/metrics', contentType: 'text/plain', body: '# metrics' })),
    ).toEqual([]);
  });

  it('reports a status the operation does not declare', () => {
    expect(sut.check(answer({ route: '/api/v1/status', status: 404 }))).toEqual([
      'GET /api/v1/status → 404: status 404 is not declared',
    ]);
  });

  it('reports a content type the status does not declare (an SSE error sent as a stream)', () => {
    expect(
      sut.check(
        answer({
          route: '/api/v1/tasks/:id/events',
          status: 401,
          contentType: 'text/event-stream',
        }),
      ),
    ).toEqual([expect.stringContaining('content type text/event-stream is not declared')]);
  });

  it('reports undeclared fields, missing fields, wrong types and values outside an enum', () => {
    const body = JSON.parse(error(404, 'TASK_NOT_FOUND')) as Record<string, unknown>;
    const problems = sut
      .check(
        answer({
          body: JSON.stringify({
            ...body,
            extra: 1,
            code: 'NOPE',
            details: [{ field: 'x' }],
            request_id: 7,
            message: undefined,
          }),
        }),
      )
      .join('\n');
    expect(problems).toContain('must NOT have additional properties (extra)');
    expect(problems).toContain("must have required property 'message'");
    expect(problems).toContain('body/request_id must be string');
    expect(problems).toContain('body/code must be equal to one of the allowed values');
    expect(problems).toContain("body/details/0 must have required property 'message'");
  });

  it('requires the error shape from routes that do not exist', () => {
    expect(sut.check(answer({ route: undefined, body: '{"error":"nope"}' }))).not.toEqual([]);
  });

  it('fails the test through the hook when a live app sends a drift', async () => {
    const fastify = new FastifyAdapter().getInstance();
    validateResponsesAgainstDocument(fastify);
    fastify.get('/api/v1/status', async () => ({ name: 'agent-runner' }));
    await fastify.ready();
    await fastify.inject({ method: 'GET', url: '/api/v1/status' });
    const seen = takeViolations();
    await fastify.close();
    expect(seen.length).toBeGreaterThan(5);
    expect(seen).toContainEqual(
      "GET /api/v1/status → 200: body must have required property 'version'",
    );
  });
});
