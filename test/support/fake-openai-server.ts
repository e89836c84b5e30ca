/**
 * FakeOpenAIServer: an OpenAI-compatible chat completions server on real HTTP (node:http,
 * keep-alive), scripted per test. It is the only thing tests replace: the service talks to it
 * through the real `openai` SDK exactly as it would talk to a provider.
 *
 * ```ts
 * const fake = await FakeOpenAIServer.start();          // fake.url = http://127.0.0.1:<port>/v1
 * config: { model: { provider: 'openai', endpoint: fake.url, api_key: 'sk-test-…' } }
 * fake.enqueue(fakeReply.toolCall('read_file', { path: 'README.md' }), fakeReply.text('done'));
 * … run a task …
 * expect(fake.chatRequests[0].bearer).toBe('sk-test-…');
 * expect(fake.chatRequests[1].body.messages.at(-1).role).toBe('tool');
 * await fake.close();
 * ```
 *
 * Replies, taken in this order for each POST /v1/chat/completions:
 * 1. the `onRequest(handler)` function, when set and it returns a reply (dynamic scripts, many
 *    concurrent tasks: decide from `req.body.messages`);
 * 2. the queue filled by `enqueue(...)` / `script([...])`, first in first out;
 * 3. the default reply (`fakeReply.text('done')` unless `start({ defaultReply })` / `setDefault`).
 *
 * Reply kinds (build them with {@link fakeReply}): `text`, `tool_calls`, `error` (any status,
 * body and headers, e.g. 429 + Retry-After, 500), `malformed` (a 200 that is not a completion),
 * `hang` (never answers, or stalls after part of a body; ends when the client aborts, which is
 * counted in `aborted`), `drop`
 * (the server resets the connection). Every reply takes `delay_ms` (a slow answer). A request
 * with `stream: true` gets text and tool calls as server-sent event chunks ending in
 * `data: [DONE]` (with a usage chunk when `stream_options.include_usage` is set).
 *
 * Recorded for assertions: `requests` / `chatRequests` (method, path, headers incl.
 * authorization, `bearer`, parsed `body`, `aborted`, `reply_kind`), `aborted` (connections the
 * client closed before the answer was complete), `inFlight` and `maxInFlight` (concurrency
 * seen). `waitForRequests(n)` and `waitForAborted(n)` wait for them. For load benchmarks start
 * with `{ recordBodies: false }` and/or `maxRecorded` to keep memory flat. GET /v1/models lists
 * `models`. With `apiKey` set, a request without that Bearer key gets the provider's 401.
 */
import { EventEmitter, once } from 'node:events';
import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';

/** Token counts a reply reports (defaults: 10 prompt, 5 completion). */
export interface FakeUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

interface Timing {
  /** Wait this long before answering (a slow provider). */
  delay_ms?: number;
}

export interface FakeTextReply extends Timing {
  kind: 'text';
  content: string;
  finish_reason?: string;
  usage?: FakeUsage;
  /** Pause between stream chunks when the client streams. */
  chunk_delay_ms?: number;
}

export interface FakeToolCall {
  name: string;
  /** An object (sent as JSON text) or the raw arguments text (to test bad JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

export interface FakeToolCallsReply extends Timing {
  kind: 'tool_calls';
  calls: FakeToolCall[];
  /** Text sent beside the calls (null by default, as OpenAI does). */
  content?: string | null;
  usage?: FakeUsage;
  chunk_delay_ms?: number;
}

export interface FakeErrorReply extends Timing {
  kind: 'error';
  status: number;
  /** Response body; default `{error: {message, type, code}}` like OpenAI's. */
  body?: unknown;
  message?: string;
  headers?: Record<string, string>;
}

export interface FakeMalformedReply extends Timing {
  kind: 'malformed';
  /** Default: truncated JSON. */
  body?: string;
  /** Default: application/json. */
  content_type?: string;
  status?: number;
}

export interface FakeHangReply {
  kind: 'hang';
  /** Send a 200 with this start of a body first, then stall (a body that stops half way). */
  partial_body?: string;
}

export interface FakeDropReply extends Timing {
  kind: 'drop';
}

export type FakeReply =
  | FakeTextReply
  | FakeToolCallsReply
  | FakeErrorReply
  | FakeMalformedReply
  | FakeHangReply
  | FakeDropReply;

/** Builders for every reply kind. */
export const fakeReply = {
  text: (
    content: string,
    extra: Partial<Omit<FakeTextReply, 'kind' | 'content'>> = {},
  ): FakeTextReply => ({
    kind: 'text',
    content,
    ...extra,
  }),
  toolCall: (
    name: string,
    args: Record<string, unknown> | string,
    extra: Partial<Omit<FakeToolCallsReply, 'kind' | 'calls'>> & { id?: string } = {},
  ): FakeToolCallsReply => {
    const { id, ...rest } = extra;
    return {
      kind: 'tool_calls',
      calls: [{ name, arguments: args, ...(id ? { id } : {}) }],
      ...rest,
    };
  },
  toolCalls: (
    calls: FakeToolCall[],
    extra: Partial<Omit<FakeToolCallsReply, 'kind' | 'calls'>> = {},
  ): FakeToolCallsReply => ({
    kind: 'tool_calls',
    calls,
    ...extra,
  }),
  error: (
    status: number,
    message?: string,
    extra: Partial<Omit<FakeErrorReply, 'kind' | 'status'>> = {},
  ): FakeErrorReply => ({
    kind: 'error',
    status,
    ...(message ? { message } : {}),
    ...extra,
  }),
  /** 429 with `Retry-After: <seconds>` (fractions allowed; omit for no header). */
  rateLimited: (
    retryAfterSeconds?: number,
    extra: Partial<Omit<FakeErrorReply, 'kind' | 'status'>> = {},
  ): FakeErrorReply => ({
    kind: 'error',
    status: 429,
    message: 'Rate limit reached for requests',
    ...extra,
    headers: {
      ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
      ...extra.headers,
    },
  }),
  serverError: (
    status = 500,
    message = 'The server had an error while processing your request.',
  ): FakeErrorReply => ({
    kind: 'error',
    status,
    message,
  }),
  malformed: (
    body?: string,
    extra: Partial<Omit<FakeMalformedReply, 'kind' | 'body'>> = {},
  ): FakeMalformedReply => ({
    kind: 'malformed',
    ...(body !== undefined ? { body } : {}),
    ...extra,
  }),
  hang: (partialBody?: string): FakeHangReply => ({
    kind: 'hang',
    ...(partialBody !== undefined ? { partial_body: partialBody } : {}),
  }),
  drop: (extra: Timing = {}): FakeDropReply => ({ kind: 'drop', ...extra }),
  /** Any reply, answered after `ms`. */
  slow: <R extends Exclude<FakeReply, FakeHangReply>>(ms: number, reply: R): R => ({
    ...reply,
    delay_ms: ms,
  }),
};

/** One request the fake received. */
export interface FakeRequest {
  /** 1-based arrival order. */
  seq: number;
  method: string;
  /** Path without the query string, e.g. /v1/chat/completions. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The Bearer token sent, if any. */
  bearer?: string;
  /** Parsed JSON body (undefined when recordBodies is false or the body was not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  received_at: number;
  replied_at?: number;
  /** The kind of reply chosen. */
  reply_kind?: FakeReply['kind'] | 'models' | 'unauthorized' | 'not_found';
  /** The client closed the connection before the answer was complete. */
  aborted: boolean;
}

/** Decides a reply from the request; return undefined to fall back to the queue and default. */
export type FakeRequestHandler = (
  req: FakeRequest,
) => FakeReply | undefined | Promise<FakeReply | undefined>;

export interface FakeOpenAIServerOptions {
  /** Reply when the queue is empty and no handler answers (default: text "done"). */
  defaultReply?: FakeReply;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
  /** Model ids GET /v1/models lists (default ['fake-model']). */
  models?: string[];
  /** Keep parsed bodies of requests (default true). */
  recordBodies?: boolean;
  /** Keep at most this many requests (oldest dropped; default unbounded). */
  maxRecorded?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

const DEFAULT_USAGE = { prompt_tokens: 10, completion_tokens: 5 };

export class FakeOpenAIServer {
  /** Base URL for the SDK / `model.endpoint`, ending in /v1. */
  readonly url: string;
  /** Emits 'request' (FakeRequest), 'aborted' (FakeRequest) and 'replied' (FakeRequest). */
  readonly events = new EventEmitter();
  private queue: FakeReply[] = [];
  private handler?: FakeRequestHandler;
  private defaultReply: FakeReply;
  private readonly recorded: FakeRequest[] = [];
  private seq = 0;
  private abortedCount = 0;
  private open = 0;
  private peak = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: FakeOpenAIServerOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://${options.host ?? '127.0.0.1'}:${port}/v1`;
    this.defaultReply = options.defaultReply ?? fakeReply.text('done');
    this.events.setMaxListeners(0);
  }

  /** Starts a fake on a free port. */
  static async start(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
    const server = createServer();
    server.keepAliveTimeout = 30_000;
    server.listen(0, options.host ?? '127.0.0.1');
    await once(server, 'listening');
    const fake = new FakeOpenAIServer(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    return fake;
  }

  /** Adds replies to the end of the queue. */
  enqueue(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Replaces the queue with these replies. */
  script(replies: FakeReply[]): this {
    this.queue = [...replies];
    return this;
  }

  /** The reply used when the queue is empty and no handler answers. */
  setDefault(reply: FakeReply): this {
    this.defaultReply = reply;
    return this;
  }

  /** Sets (or, without an argument, removes) the per-request handler. */
  onRequest(handler?: FakeRequestHandler): this {
    this.handler = handler;
    return this;
  }

  /** Every recorded request, oldest first. */
  get requests(): FakeRequest[] {
    return [...this.recorded];
  }

  /** Recorded POST /v1/chat/completions requests. */
  get chatRequests(): FakeRequest[] {
    return this.recorded.filter((r) => r.path.endsWith('/chat/completions'));
  }

  /** Chat requests received so far (not capped by maxRecorded). */
  get requestCount(): number {
    return this.seq;
  }

  /** Connections the client closed before the answer was complete. */
  get aborted(): number {
    return this.abortedCount;
  }

  /** Requests being answered right now. */
  get inFlight(): number {
    return this.open;
  }

  /** The most requests ever in flight at once. */
  get maxInFlight(): number {
    return this.peak;
  }

  /** Replies still queued. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once at least `n` requests arrived (all recorded ones returned). */
  async waitForRequests(n: number, timeoutMs = 5000): Promise<FakeRequest[]> {
    await this.waitFor(() => this.seq >= n, 'request', timeoutMs, `${n} request(s)`);
    return this.requests;
  }

  /** Resolves once at least `n` connections were aborted by the client. */
  async waitForAborted(n = 1, timeoutMs = 5000): Promise<void> {
    await this.waitFor(
      () => this.abortedCount >= n,
      'aborted',
      timeoutMs,
      `${n} aborted request(s)`,
    );
  }

  /** Clears queue, handler, records and counters; restores the start-up default reply. */
  reset(): this {
    this.queue = [];
    this.handler = undefined;
    this.defaultReply = this.options.defaultReply ?? fakeReply.text('done');
    this.recorded.length = 0;
    this.seq = 0;
    this.abortedCount = 0;
    this.peak = this.open;
    return this;
  }

  /** Stops the server, cutting open (hanging) connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async waitFor(
    done: () => boolean,
    event: string,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off(event, check);
        reject(new Error(`FakeOpenAIServer: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.events.off(event, check);
        resolve();
      };
      this.events.on(event, check);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const raw = await readBody(req);
    const isChat = req.method === 'POST' && path.endsWith('/chat/completions');
    const auth = req.headers.authorization;
    const body = parseJson(raw) as
      | { model?: unknown; stream?: unknown; stream_options?: { include_usage?: boolean } }
      | undefined;
    const model = typeof body?.model === 'string' ? body.model : 'fake-model';
    const record: FakeRequest = {
      seq: isChat ? ++this.seq : 0,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      ...(auth?.startsWith('Bearer ') ? { bearer: auth.slice('Bearer '.length) } : {}),
      body,
      received_at: Date.now(),
      aborted: false,
    };
    const stream = isChat && body?.stream === true;
    this.recorded.push(record);
    if (this.options.maxRecorded !== undefined && this.recorded.length > this.options.maxRecorded)
      this.recorded.shift();
    this.open++;
    this.peak = Math.max(this.peak, this.open);
    res.on('close', () => {
      this.open--;
      if (!res.writableFinished && record.reply_kind !== 'drop') {
        record.aborted = true;
        this.abortedCount++;
        this.events.emit('aborted', record);
      }
    });
    this.events.emit('request', record);

    if (this.options.apiKey !== undefined && record.bearer !== this.options.apiKey) {
      record.reply_kind = 'unauthorized';
      return this.sendError(res, record, {
        kind: 'error',
        status: 401,
        body: {
          error: {
            message: 'Incorrect API key provided.',
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      });
    }
    if (req.method === 'GET' && path.endsWith('/models')) {
      record.reply_kind = 'models';
      const data = (this.options.models ?? ['fake-model']).map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'fake',
      }));
      return this.finish(res, record, 200, { object: 'list', data });
    }
    if (!isChat) {
      record.reply_kind = 'not_found';
      return this.finish(res, record, 404, {
        error: { message: `Unknown path ${path}`, type: 'invalid_request_error' },
      });
    }
    let reply: FakeReply | undefined;
    try {
      reply = (await this.handler?.(record)) ?? this.queue.shift() ?? this.defaultReply;
    } catch (e) {
      reply = fakeReply.serverError(500, `fake handler threw: ${(e as Error).message}`);
    }
    record.reply_kind = reply.kind;
    // the handler saw the body; drop it now when bodies are not kept (load benchmarks)
    if (this.options.recordBodies === false) record.body = undefined;
    if (reply.kind === 'hang') {
      // answered only by the client giving up (or close())
      if (reply.partial_body !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(reply.partial_body);
      }
      return;
    }
    if (reply.delay_ms) {
      await new Promise((r) => setTimeout(r, reply.delay_ms));
      if (res.destroyed) return;
    }
    switch (reply.kind) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'error':
        return this.sendError(res, record, reply);
      case 'malformed':
        res.writeHead(reply.status ?? 200, {
          'content-type': reply.content_type ?? 'application/json',
        });
        res.end(reply.body ?? '{"id": "chatcmpl-broken", "choices": [');
        return this.replied(record);
      default:
        if (stream)
          return this.stream(
            res,
            record,
            reply,
            model,
            Boolean(body?.stream_options?.include_usage),
          );
        return this.finish(res, record, 200, completion(record, reply, model));
    }
  }

  private sendError(res: ServerResponse, record: FakeRequest, reply: FakeErrorReply): void {
    const body = reply.body ?? {
      error: {
        message: reply.message ?? `HTTP ${reply.status}`,
        type:
          reply.status === 429
            ? 'rate_limit_exceeded'
            : reply.status >= 500
              ? 'server_error'
              : 'invalid_request_error',
        code: null,
      },
    };
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
    this.replied(record);
  }

  private finish(res: ServerResponse, record: FakeRequest, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    this.replied(record);
  }

  private async stream(
    res: ServerResponse,
    record: FakeRequest,
    reply: FakeTextReply | FakeToolCallsReply,
    model: string,
    includeUsage: boolean,
  ): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const full = completion(record, reply, model);
    const base = {
      id: full.id,
      object: 'chat.completion.chunk',
      created: full.created,
      model: full.model,
    };
    const chunks: unknown[] = [];
    const push = (delta: Record<string, unknown>, finish: string | null = null): void => {
      chunks.push({
        ...base,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      });
    };
    push({ role: 'assistant', content: '' });
    if (reply.kind === 'text') {
      for (const piece of reply.content.match(/[\s\S]{1,16}/g) ?? []) push({ content: piece });
    } else {
      if (reply.content) push({ content: reply.content });
      full.choices[0].message.tool_calls?.forEach((c, index) => {
        push({
          tool_calls: [
            {
              index,
              id: c.id,
              type: 'function',
              function: { name: c.function.name, arguments: '' },
            },
          ],
        });
        push({ tool_calls: [{ index, function: { arguments: c.function.arguments } }] });
      });
    }
    push({}, full.choices[0].finish_reason);
    if (includeUsage) chunks.push({ ...base, choices: [], usage: full.usage });
    for (const chunk of chunks) {
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (reply.chunk_delay_ms) await new Promise((r) => setTimeout(r, reply.chunk_delay_ms));
    }
    res.end('data: [DONE]\n\n');
    this.replied(record);
  }

  private replied(record: FakeRequest): void {
    record.replied_at = Date.now();
    this.events.emit('replied', record);
  }
}

function completion(record: FakeRequest, reply: FakeTextReply | FakeToolCallsReply, model: string) {
  const usage = { ...DEFAULT_USAGE, ...reply.usage };
  const toolCalls =
    reply.kind === 'tool_calls'
      ? reply.calls.map((c, i) => ({
          id: c.id ?? `call_${record.seq}_${i + 1}`,
          type: 'function' as const,
          function: {
            name: c.name,
            arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
          },
        }))
      : undefined;
  return {
    id: `chatcmpl-fake-${record.seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: reply.kind === 'text' ? reply.content : (reply.content ?? null),
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
          refusal: null,
        },
        finish_reason: reply.kind === 'text' ? (reply.finish_reason ?? 'stop') : 'tool_calls',
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
