import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { PartialConfig } from '../../src/config/config.schema';
import { deepMerge } from '../../src/config/deep-merge';
import { eventually } from './eventually';
import { FakeOpenAIServer } from './fake-openai-server';
import { createTestApp, TestApp } from './test-app';

export const FAKE_MODEL_KEY = 'sk-test-fake-model-key-0001';

/** A task's end states (docs/api.md, Lifecycle and guarantees). */
const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled', 'timeout'];

export interface TaskTestApp extends TestApp {
  /** The workspace root (tools.working_directory), a fresh temp folder. */
  dir: string;
  post(
    url: string,
    payload: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Reads GET /tasks/{id} until the task is terminal (see eventually()); returns the task. */
  waitTerminal(
    id: string,
    headers?: Record<string, string>,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * The whole app wired to a fake OpenAI-compatible model (when given), a temp workspace and the
 * memory store unless `overrides` say otherwise. Planning is off unless asked, so scripts only
 * need the tool-loop replies.
 */
export async function createTaskApp(
  options: {
    fake?: FakeOpenAIServer;
    overrides?: PartialConfig;
    dir?: string;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<TaskTestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'agent-runner-ws-'));
  const base: PartialConfig = {
    tools: { working_directory: dir },
    execution: { planning: false },
    service: { sync_wait_seconds: 10 },
    ...(options.fake
      ? {
          model: {
            provider: 'openai',
            endpoint: options.fake.url,
            api_key: FAKE_MODEL_KEY,
            max_retries: 0,
          },
        }
      : {}),
  };
  const overrides = deepMerge(
    {},
    base as Record<string, unknown>,
    (options.overrides ?? {}) as Record<string, unknown>,
  );
  const t = await createTestApp(overrides as PartialConfig, { env: options.env ?? {} });
  const app: TaskTestApp = {
    ...t,
    dir,
    post: (url, payload, headers = {}) =>
      t.inject({ method: 'POST', url, payload: payload as object, headers }),
    get: (url, headers = {}) => t.inject({ method: 'GET', url, headers }),
    waitTerminal: (id, headers = {}, timeoutMs = 15_000) =>
      eventually(
        async () => {
          const res = await t.inject({ method: 'GET', url: `/api/v1/tasks/${id}`, headers });
          const body = res.json() as Record<string, unknown>;
          if (!TERMINAL_STATUSES.includes(String(body.status)))
            throw new Error(`task ${id} not terminal: ${res.body}`);
          return body;
        },
        { timeoutMs, what: `task ${id} to end` },
      ),
    close: async () => {
      await t.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return app;
}
