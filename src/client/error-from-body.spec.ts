import {
  AgentRunnerError,
  AuthenticationError,
  AuthorizationError,
  BatchNotFoundError,
  ERROR_HTTP_STATUS,
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
import { mapError } from '../common/error-body';
import { errorFromBody } from './error-from-body';

describe('errorFromBody', () => {
  const thrown: AgentRunnerError[] = [
    new InvalidRequestError('Invalid request: x', [{ field: 'x', message: 'bad' }]),
    new AuthenticationError(),
    new AuthorizationError(),
    new NotFoundError(),
    new TaskNotFoundError('t-1'),
    new BatchNotFoundError('b-1'),
    new TaskAlreadyExistsError('t-1'),
    new TaskNotCancellableError('t-1', 'completed'),
    new PayloadTooLargeError(1024),
    new RateLimitError(7),
    new QueueFullError(3, 10),
    new StoreUnavailableError(5),
    new InternalError(),
    new AgentRunnerError('SERVICE_UNAVAILABLE', 'The service is shutting down.'),
  ];

  it.each(thrown.map((e) => [e.constructor.name, e]))(
    '%s survives the trip through the error body unchanged',
    (_name, original) => {
      const { body, headers } = mapError(original);
      const sut = errorFromBody(body, {
        taskId: 't-1',
        batchId: 'b-1',
        retryAfterSeconds: headers['retry-after'] ? Number(headers['retry-after']) : undefined,
      });
      expect(sut.constructor).toBe(original.constructor);
      expect(sut).toBeInstanceOf(AgentRunnerError);
      expect({
        code: sut.code,
        message: sut.message,
        details: sut.details,
        status: sut.statusCode,
      }).toEqual({
        code: original.code,
        message: original.message,
        details: original.details,
        status: original.statusCode,
      });
      for (const key of ['taskId', 'batchId', 'retryAfterSeconds', 'status'] as const) {
        if (key in original) expect((sut as never)[key]).toEqual((original as never)[key]);
      }
    },
  );

  it('covers every code the service can answer', () => {
    const covered = new Set(thrown.map((e) => e.code));
    const missing = Object.keys(ERROR_HTTP_STATUS).filter(
      (c) => !covered.has(c as never) && c !== 'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(missing).toEqual([]);
    expect(errorFromBody({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'json only' })).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      statusCode: 415,
    });
  });

  it('an unknown code from a newer service is still an AgentRunnerError with its message', () => {
    const sut = errorFromBody({ code: 'SOMETHING_NEW', message: 'new failure', details: { a: 1 } });
    expect(sut).toBeInstanceOf(AgentRunnerError);
    expect(sut).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'new failure',
      details: { a: 1 },
    });
  });

  it('keeps the original error as the cause when given', () => {
    const cause = new Error('disk on fire');
    expect(errorFromBody(mapError(cause).body, { cause })).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'Internal server error.',
      cause,
    });
  });
});
