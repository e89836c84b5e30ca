import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createHttpApp } from '../../src/app/create-http-app';
import { PartialConfig } from '../../src/config/config.schema';
import { deepMerge } from '../../src/config/deep-merge';
import { validateResponsesAgainstDocument } from './response-validation';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const USER_KEY = 'test-user-key-0123456789abcdef00';
export const OTHER_USER_KEY = 'test-other-key-0123456789abcdef0';

/** Keys for tests that need auth on: one admin, two users. */
export const TEST_KEYS: PartialConfig = {
  service: {
    auth: {
      api_keys: [
        { name: 'admin', key: ADMIN_KEY, role: 'admin' },
        { name: 'alice', key: USER_KEY, role: 'user' },
        { name: 'bob', key: OTHER_USER_KEY, role: 'user' },
      ],
    },
  },
};

/** Quiet, isolated defaults for e2e tests: no files or environment read, no throttling, no logs. */
export const TEST_DEFAULTS: PartialConfig = {
  logging: { level: 'silent' },
  service: { rate_limiting: { enabled: false }, shutdown_grace_seconds: 1 },
  storage: { driver: 'memory' },
};

export interface TestApp {
  app: NestFastifyApplication;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Boots the whole HTTP app as `npm start` does (same pipeline), in-process, with the given config
 * on top of the test defaults. Requests go through `inject` (real Fastify routing, no socket).
 * Every answer, injected or over a socket, is checked against the published OpenAPI document.
 */
export async function createTestApp(
  overrides: PartialConfig = {},
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<TestApp> {
  const app = await createHttpApp({
    env: options.env ?? {},
    dotenv: false,
    cwd: options.cwd,
    overrides: deepMerge(
      {},
      TEST_DEFAULTS as Record<string, unknown>,
      overrides as Record<string, unknown>,
    ),
  });
  validateResponsesAgainstDocument(app.getHttpAdapter().getInstance());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const fastify = app.getHttpAdapter().getInstance();
  return {
    app,
    inject: (opts) => fastify.inject(opts),
    close: () => app.close(),
  };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** Asserts the error shape of docs/api.md, Errors, and returns the body. */
export function expectErrorShape(
  res: LightMyRequestResponse,
  status: number,
  code?: string,
): Record<string, unknown> {
  expect(res.statusCode).toBe(status);
  const body = res.json() as Record<string, unknown>;
  expect(body).toEqual(
    expect.objectContaining({
      status_code: status,
      code: code ?? expect.any(String),
      message: expect.any(String),
      request_id: expect.any(String),
      timestamp: expect.any(String),
    }),
  );
  expect('details' in body).toBe(true);
  expect(body.request_id).toBe(res.headers['x-request-id']);
  return body;
}
