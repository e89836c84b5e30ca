import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { WaitAbortedError } from './abortable-sleep';
import { classifyFailure, scrubSecrets } from './model-failure';
import { MalformedResponseError } from './openai-wire.mapper';

const ctx = { provider: 'deepseek', aborted: false, timedOut: false, timeoutMs: 120_000 };

describe('classifyFailure', () => {
  it('an aborted signal wins over whatever was thrown', () => {
    expect(classifyFailure(new APIUserAbortError(), { ...ctx, aborted: true })).toMatchObject({
      kind: 'aborted',
      retryable: false,
    });
    expect(classifyFailure(new WaitAbortedError(), ctx).kind).toBe('aborted');
  });

  it('our timeout is a retryable timeout with the limit in the message', () => {
    expect(classifyFailure(new APIUserAbortError(), { ...ctx, timedOut: true })).toMatchObject({
      kind: 'timeout',
      retryable: true,
      message: 'deepseek did not answer within 120 s',
    });
    expect(classifyFailure(new APIConnectionTimeoutError(), ctx).kind).toBe('timeout');
  });

  it('connection errors are retried and name the cause', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(classifyFailure(new APIConnectionError({ cause }), ctx)).toMatchObject({
      kind: 'connection',
      retryable: true,
      message: 'could not reach deepseek: fetch failed (ECONNREFUSED)',
    });
  });

  it('HTTP errors carry status, provider message and Retry-After', () => {
    const headers = new Headers({ 'retry-after': '7' });
    const error = APIError.generate(429, { error: { message: 'slow down' } }, undefined, headers);
    expect(classifyFailure(error, ctx)).toEqual({
      kind: 'http',
      status: 429,
      message: 'deepseek answered HTTP 429: slow down',
      retryable: true,
      retryAfterMs: 7000,
    });
  });

  it('x-should-retry overrides the status rule', () => {
    const no = APIError.generate(
      503,
      { error: { message: 'x' } },
      undefined,
      new Headers({ 'x-should-retry': 'false' }),
    );
    const yes = APIError.generate(
      400,
      { error: { message: 'x' } },
      undefined,
      new Headers({ 'x-should-retry': 'true' }),
    );
    expect(classifyFailure(no, ctx).retryable).toBe(false);
    expect(classifyFailure(yes, ctx).retryable).toBe(true);
  });

  it('malformed answers are retried; unknown errors are not', () => {
    expect(classifyFailure(new MalformedResponseError('no choices'), ctx)).toMatchObject({
      kind: 'malformed',
      retryable: true,
    });
    expect(classifyFailure(new SyntaxError('Unexpected end of JSON input'), ctx).kind).toBe(
      'malformed',
    );
    expect(classifyFailure(new Error('weird'), ctx)).toMatchObject({
      kind: 'other',
      retryable: false,
    });
  });

  it('long provider messages are cut to one line', () => {
    const error = APIError.generate(
      500,
      { error: { message: 'x\n'.repeat(2000) } },
      undefined,
      new Headers(),
    );
    expect(classifyFailure(error, ctx).message.length).toBeLessThan(600);
  });
});

describe('scrubSecrets', () => {
  it('removes the configured key wherever it appears', () => {
    expect(scrubSecrets('bad key abc123secret! (abc123secret)', ['abc123secret'])).toBe(
      'bad key ****! (****)',
    );
  });

  it('removes key-like tokens providers echo back, masked or not', () => {
    expect(scrubSecrets('Incorrect API key provided: sk-proj-AbCd************wxyz.', [])).toBe(
      'Incorrect API key provided: ****.',
    );
    expect(scrubSecrets('token sk-ant-api03-test-abcdefghij used', [undefined])).toBe(
      'token **** used',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(scrubSecrets('deepseek answered HTTP 500: upstream error', ['k'])).toBe(
      'deepseek answered HTTP 500: upstream error',
    );
  });
});
