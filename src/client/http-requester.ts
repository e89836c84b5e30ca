import type { ErrorBody } from '../common/errors';
import { packageVersion } from '../common/package-info';
import { ConnectionError } from './connection.error';
import { ErrorContext, errorFromBody } from './error-from-body';

/** Options of the HTTP transport. */
export interface HttpClientOptions {
  /** API key sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Per request (each attempt), in ms; default 30 000. Event streams use an idle timeout instead. */
  timeoutMs?: number;
  /** Retries of idempotent reads on connection errors, 429, 502, 503, 504; default 2. */
  retries?: number;
  /** Longest Retry-After honoured before giving up, in ms; default 10 000. */
  maxRetryDelayMs?: number;
  /** An event stream silent for this long (heartbeats count) is reopened; default 45 000. */
  streamIdleTimeoutMs?: number;
  /** Polling interval when a batch is awaited, or a stream is unavailable; default 1 000. */
  pollIntervalMs?: number;
  /** Extra headers on every request (e.g. `x-request-id` or a proxy's auth). */
  headers?: Record<string, string>;
  /** A fetch implementation (default: Node's global fetch). */
  fetch?: typeof fetch;
}

export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
  url: string;
}

interface RequestSpec {
  body?: unknown;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Safe to send again: only idempotent reads are retried. */
  retry?: boolean;
  signal?: AbortSignal;
  context?: ErrorContext;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const CODE_FOR_STATUS: Record<number, string> = {
  400: 'INVALID_REQUEST',
  401: 'AUTHENTICATION_ERROR',
  403: 'AUTHORIZATION_ERROR',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT_EXCEEDED',
};

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * fetch with the client's rules: base URL, auth header, JSON in and out, a timeout per attempt,
 * retries with backoff for idempotent reads only, and error bodies (docs/api.md, Errors) turned
 * back into the service's error classes.
 */
export class HttpRequester {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  readonly options: Required<Omit<HttpClientOptions, 'apiKey' | 'fetch' | 'headers'>>;

  constructor(
    baseUrl: string,
    private readonly settings: HttpClientOptions = {},
  ) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`Not a URL: ${JSON.stringify(baseUrl)}`);
    }
    if (!/^https?:$/.test(url.protocol)) throw new TypeError('The base URL must be http(s).');
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.fetchImpl = settings.fetch ?? fetch;
    this.options = {
      timeoutMs: settings.timeoutMs ?? 30_000,
      retries: settings.retries ?? 2,
      maxRetryDelayMs: settings.maxRetryDelayMs ?? 10_000,
      streamIdleTimeoutMs: settings.streamIdleTimeoutMs ?? 45_000,
      pollIntervalMs: settings.pollIntervalMs ?? 1_000,
    };
  }

  /** `/api/v1/…` under the base URL, or an absolute URL (a Location header) as it is. */
  url(target: string, query?: Record<string, unknown>): string {
    const url = new URL(/^https?:\/\//.test(target) ? target : this.baseUrl + target);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    return url.href;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/json',
      'user-agent': `agent-runner-client/${packageVersion()}`,
      ...(this.settings.apiKey ? { authorization: `Bearer ${this.settings.apiKey}` } : {}),
      ...this.settings.headers,
      ...extra,
    };
  }

  async json<T>(method: string, target: string, spec: RequestSpec = {}): Promise<HttpAnswer<T>> {
    const url = this.url(target, spec.query);
    const attempts = spec.retry ? 1 + this.options.retries : 1;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers: this.headers({
            ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...spec.headers,
          }),
          body: spec.body !== undefined ? JSON.stringify(spec.body) : undefined,
          signal: this.attemptSignal(spec.signal),
        });
        text = await response.text();
      } catch (e) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        const error = this.connectionError(e, method, url);
        if (last) throw error;
        await sleep(this.backoff(attempt), spec.signal);
        continue;
      }
      if (response.ok) {
        return {
          status: response.status,
          headers: response.headers,
          url,
          body: parseJson(text) as T,
        };
      }
      const wait = retryAfterMs(response.headers);
      if (
        !last &&
        RETRY_STATUSES.has(response.status) &&
        (wait ?? 0) <= this.options.maxRetryDelayMs
      ) {
        await sleep(wait ?? this.backoff(attempt), spec.signal);
        continue;
      }
      throw this.httpError(response, text, spec.context);
    }
  }

  /** Opens a stream (no retry here: the event stream reconnects itself). */
  async open(
    target: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Response> {
    const url = this.url(target);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'GET',
        headers: this.headers(headers),
        signal,
      });
    } catch (e) {
      if (signal.aborted && !(signal.reason instanceof ConnectionError)) throw signal.reason;
      throw this.connectionError(e, 'GET', url);
    }
    return response;
  }

  /** The error an unsuccessful answer stands for. */
  httpError(response: Response, text: string, context: ErrorContext = {}): Error {
    const parsed = safeJson(text) as Partial<ErrorBody> | undefined;
    const wait = retryAfterMs(response.headers);
    const retryAfterSeconds = wait !== undefined ? Math.ceil(wait / 1000) : undefined;
    if (parsed && typeof parsed === 'object' && typeof parsed.code === 'string') {
      return errorFromBody(parsed, { ...context, retryAfterSeconds });
    }
    const code = CODE_FOR_STATUS[response.status];
    if (!code) {
      return new ConnectionError(
        `Unexpected answer from ${response.url || this.baseUrl}: HTTP ${response.status}.`,
        'bad_response',
      );
    }
    return errorFromBody(
      { code, message: `HTTP ${response.status} ${response.statusText}`.trim(), details: null },
      { ...context, retryAfterSeconds },
    );
  }

  private attemptSignal(signal?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  }

  private connectionError(e: unknown, method: string, url: string): ConnectionError {
    const name = (e as { name?: string })?.name;
    if (name === 'TimeoutError') {
      return new ConnectionError(
        `${method} ${url} timed out after ${this.options.timeoutMs} ms.`,
        'timeout',
        { cause: e },
      );
    }
    const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
    return new ConnectionError(
      `Cannot reach agent-runner at ${this.baseUrl} (${why}).`,
      'unreachable',
      {
        cause: e,
      },
    );
  }

  private backoff(attempt: number): number {
    const base = Math.min(5_000, 200 * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}

function safeJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConnectionError(
      'The service answered with something that is not JSON.',
      'bad_response',
      {
        cause: e,
      },
    );
  }
}
