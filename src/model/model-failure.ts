import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { WaitAbortedError } from './abortable-sleep';
import { MalformedResponseError } from './openai-wire.mapper';
import { isRetryableStatus, parseRetryAfterMs } from './retry-policy';

/** One failed attempt, classified for the retry loop. */
export interface AttemptFailure {
  kind: 'http' | 'timeout' | 'connection' | 'malformed' | 'aborted' | 'other';
  /** The provider's HTTP status, when it answered. */
  status?: number;
  /** What went wrong, in words fit for a task's error (secrets still to be scrubbed). */
  message: string;
  retryable: boolean;
  /** The wait the provider asked for, if it did. */
  retryAfterMs?: number;
}

/** What the retry loop knows about an attempt besides the thrown value. */
export interface AttemptContext {
  provider: string;
  /** The caller's signal aborted (task cancel or timeout). */
  aborted: boolean;
  /** Our per-call timeout fired. */
  timedOut: boolean;
  timeoutMs: number;
}

const MAX_MESSAGE = 500;

/** Classifies what an attempt threw: retry on 429, 5xx, timeouts, connection errors and garbage. */
export function classifyFailure(error: unknown, ctx: AttemptContext): AttemptFailure {
  if (ctx.aborted || error instanceof WaitAbortedError) {
    return { kind: 'aborted', message: 'the model request was aborted', retryable: false };
  }
  if (ctx.timedOut || error instanceof APIConnectionTimeoutError) {
    return {
      kind: 'timeout',
      message: `${ctx.provider} did not answer within ${Number((ctx.timeoutMs / 1000).toFixed(3))} s`,
      retryable: true,
    };
  }
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = describeCause(cause) ?? error.message;
    return {
      kind: 'connection',
      message: `could not reach ${ctx.provider}: ${detail}`,
      retryable: true,
    };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const shouldRetry = error.headers?.get?.('x-should-retry');
    const retryable =
      shouldRetry === 'true'
        ? true
        : shouldRetry === 'false'
          ? false
          : isRetryableStatus(error.status);
    return {
      kind: 'http',
      status: error.status,
      message: `${ctx.provider} answered HTTP ${error.status}: ${providerMessage(error)}`,
      retryable,
      retryAfterMs: parseRetryAfterMs(error.headers),
    };
  }
  // by name: a body parse error comes from another realm under test runners
  if (
    error instanceof MalformedResponseError ||
    (error as Error | undefined)?.name === 'SyntaxError'
  ) {
    return {
      kind: 'malformed',
      message: `${ctx.provider} sent a malformed answer: ${truncate((error as Error).message)}`,
      retryable: true,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'other', message: `model call failed: ${truncate(message)}`, retryable: false };
}

/** The provider's own error text (body `error.message`), else the SDK's message. */
function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | string | undefined;
  if (body && typeof body === 'object' && typeof body.message === 'string' && body.message) {
    return truncate(body.message);
  }
  if (typeof body === 'string' && body) return truncate(body);
  const sdk = error.message.replace(/^\d{3}\s*/, '').trim();
  return truncate(sdk || 'no error message');
}

function describeCause(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const inner = (cause as { cause?: unknown }).cause;
  const code = inner && typeof inner === 'object' ? (inner as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${cause.message} (${code})` : cause.message;
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE ? `${oneLine.slice(0, MAX_MESSAGE)}…` : oneLine;
}

/** Key-like tokens providers echo back in error messages ("Incorrect API key provided: sk-…"). */
const KEY_LIKE = /\b(?:sk|pk|rk|ak|key)[-_][A-Za-z0-9*._-]{5,}[A-Za-z0-9*]/gi;

/** Removes every given secret and anything that looks like an API key from `text`. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('****');
  }
  return out.replace(KEY_LIKE, '****');
}
