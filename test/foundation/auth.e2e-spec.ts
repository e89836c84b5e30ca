import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../src/app/configure-app';
import { createHttpApp } from '../../src/app/create-http-app';
import { Caller, IS_PUBLIC, PUBLIC_UNLESS } from '../../src/auth/auth.decorators';
import type { CallerIdentity } from '../../src/contracts/caller-identity';
import { UnsafeBindError } from '../../src/auth/bind-safety';
import {
  ADMIN_KEY,
  bearer,
  createTestApp,
  expectErrorShape,
  TEST_KEYS,
  TestApp,
  USER_KEY,
} from '../support/test-app';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

/** Every operation of the generated OpenAPI document, path parameters filled in. */
function operations(doc: OpenAPIObject): { method: Method; url: string; path: string }[] {
  const out: { method: Method; url: string; path: string }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      if ((item as Record<string, unknown>)[method.toLowerCase()]) {
        out.push({ method, path, url: path.replace(/\{[^}]+\}/g, 'some-id') });
      }
    }
  }
  return out;
}

const OPEN_PATHS = ['/health', '/health/live', '/health/ready'];

type ArgMetadata = Record<string, { factory?: unknown }>;

/** The function behind @Caller(), as Nest stores it in a handler's route-argument metadata. */
function callerFactory(): unknown {
  class Probe {
    handler(@Caller() _caller: CallerIdentity): void {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler') as ArgMetadata;
  return Object.values(args)[0].factory;
}

/** `Controller.method` of every route handler of the app with a @Caller() parameter. */
function handlersReadingCaller(
  t: TestApp,
): { name: string; controller: object; handler: object }[] {
  const factory = callerFactory();
  const out: { name: string; controller: object; handler: object }[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as unknown as { prototype: Record<string, unknown> };
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) as
          ArgMetadata | undefined;
        if (Object.values(args ?? {}).some((a) => a.factory === factory))
          out.push({
            name: `${wrapper.name}.${method}`,
            controller,
            handler: controller.prototype[method] as object,
          });
      }
    }
  }
  return out;
}

describe('API-key auth (deny by default)', () => {
  let t: TestApp;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await createTestApp(TEST_KEYS);
    doc = buildOpenApiDocument(t.app);
  });
  afterAll(() => t.close());

  it('documents at least the foundation routes', () => {
    const paths = operations(doc).map((o) => `${o.method} ${o.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /api/v1/config',
        'PUT /api/v1/config',
        'PUT /api/v1/config/model',
        'POST /api/v1/config/validate',
        'GET /api/v1/metrics',
      ]),
    );
  });

  it('answers 401 without a key on every non-public operation of the OpenAPI document', async () => {
    const ops = operations(doc).filter((o) => !OPEN_PATHS.includes(o.path));
    expect(ops.length).toBeGreaterThan(4);
    for (const op of ops) {
      const res = await t.inject({
        method: op.method,
        url: op.url,
        payload: op.method === 'GET' || op.method === 'DELETE' ? undefined : {},
      });
      expect({ op: `${op.method} ${op.path}`, status: res.statusCode }).toEqual({
        op: `${op.method} ${op.path}`,
        status: 401,
      });
      expectErrorShape(res, 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('puts every route that reads @Caller() behind the key check (none is open)', () => {
    const routes = handlersReadingCaller(t);
    expect(routes.map((r) => r.name)).toEqual(
      expect.arrayContaining(['TasksController.submit', 'BatchesController.get']),
    );
    for (const { name, controller, handler } of routes) {
      const open = [IS_PUBLIC, PUBLIC_UNLESS].filter(
        (key) =>
          Reflect.getMetadata(key, handler) !== undefined ||
          Reflect.getMetadata(key, controller) !== undefined,
      );
      expect({ name, open }).toEqual({ name, open: [] });
    }
  });

  it('answers 401 for a wrong key, in both header forms, and for near-miss keys', async () => {
    for (const headers of [
      bearer('nope-nope-nope-nope'),
      { 'x-api-key': 'nope-nope-nope-nope' },
      bearer(ADMIN_KEY.slice(0, -1)),
      bearer(`${ADMIN_KEY}x`),
      bearer(ADMIN_KEY.toUpperCase()),
      { authorization: `Basic ${ADMIN_KEY}` },
      { authorization: ADMIN_KEY },
    ]) {
      const res = await t.inject({ method: 'GET', url: '/api/v1/metrics', headers });
      expectErrorShape(res, 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('accepts a valid key as Bearer or X-API-Key', async () => {
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/metrics', headers: bearer(USER_KEY) }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await t.inject({
          method: 'GET',
          url: '/api/v1/metrics',
          headers: { 'x-api-key': USER_KEY },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('gives a user key 403 on every config route and lets the admin key through', async () => {
    const configOps = operations(doc).filter((o) => o.path.startsWith('/api/v1/config'));
    expect(configOps.length).toBe(4);
    for (const op of configOps) {
      const res = await t.inject({
        method: op.method,
        url: op.url,
        headers: bearer(USER_KEY),
        payload: op.method === 'GET' ? undefined : { config: {} },
      });
      expectErrorShape(res, 403, 'AUTHORIZATION_ERROR');
    }
    const res = await t.inject({
      method: 'GET',
      url: '/api/v1/config',
      headers: bearer(ADMIN_KEY),
    });
    expect(res.statusCode).toBe(200);
  });

  it('keeps health open and metrics open unless protected', async () => {
    for (const url of OPEN_PATHS)
      expect((await t.inject({ method: 'GET', url })).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/docs-json' })).statusCode).toBe(200);
  });

  it('never shows a key in the config answer', async () => {
    const res = await t.inject({
      method: 'GET',
      url: '/api/v1/config',
      headers: bearer(ADMIN_KEY),
    });
    expect(res.body).not.toContain(ADMIN_KEY);
    expect(res.body).not.toContain(USER_KEY);
    const keys = (
      res.json() as { service: { auth: { api_keys: { key: string; key_set: boolean }[] } } }
    ).service.auth.api_keys;
    expect(keys[0]).toEqual(
      expect.objectContaining({ key: `****${ADMIN_KEY.slice(-4)}`, key_set: true }),
    );
  });
});

describe('protect_metrics / protect_docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      ...TEST_KEYS,
      service: {
        ...TEST_KEYS.service,
        auth: { ...TEST_KEYS.service!.auth, protect_metrics: true, protect_docs: true },
      },
    });
  });
  afterAll(() => t.close());

  it('requires a key for /metrics and /docs when asked to', async () => {
    expectErrorShape(
      await t.inject({ method: 'GET', url: '/metrics' }),
      401,
      'AUTHENTICATION_ERROR',
    );
    expectErrorShape(
      await t.inject({ method: 'GET', url: '/docs-json' }),
      401,
      'AUTHENTICATION_ERROR',
    );
    expectErrorShape(await t.inject({ method: 'GET', url: '/docs' }), 401, 'AUTHENTICATION_ERROR');
    expect(
      (await t.inject({ method: 'GET', url: '/metrics', headers: bearer(USER_KEY) })).statusCode,
    ).toBe(200);
    expect(
      (await t.inject({ method: 'GET', url: '/docs-json', headers: bearer(USER_KEY) })).statusCode,
    ).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});

describe('auth off', () => {
  it('is off for the task routes with no keys on a loopback bind', async () => {
    const t = await createTestApp({});
    try {
      for (const url of ['/api/v1/status', '/api/v1/tools', '/api/v1/tasks', '/api/v1/metrics'])
        expect({ url, status: (await t.inject({ method: 'GET', url })).statusCode }).toEqual({
          url,
          status: 200,
        });
    } finally {
      await t.close();
    }
  });

  it('never opens the admin routes: with no keys they answer 403 saying how to configure one', async () => {
    const t = await createTestApp({});
    try {
      const doc = buildOpenApiDocument(t.app);
      const adminOps = operations(doc).filter((o) => o.path.startsWith('/api/v1/config'));
      expect(adminOps.length).toBe(4);
      for (const op of adminOps) {
        for (const headers of [{}, bearer('test-made-up-key-0123456789'), bearer(ADMIN_KEY)]) {
          const res = await t.inject({
            method: op.method,
            url: op.url,
            headers,
            payload: op.method === 'GET' ? undefined : { config: {} },
          });
          const body = expectErrorShape(res, 403, 'AUTHORIZATION_ERROR');
          expect(body.message).toContain('AGENT_RUNNER_ADMIN_KEYS');
          expect(body.message).toContain('agent-runner config');
        }
      }
    } finally {
      await t.close();
    }
  });

  it.each(['0.0.0.0:8080', '[::]:8080', '10.1.2.3:80', 'example.com:8080'])(
    'refuses to start on %s with no keys',
    async (bind) => {
      await expect(
        createHttpApp({ env: {}, dotenv: false, overrides: { service: { bind_address: bind } } }),
      ).rejects.toThrow(UnsafeBindError);
    },
  );

  it('starts on a public bind with no keys only when explicitly allowed', async () => {
    const app = await createHttpApp({
      env: { AGENT_RUNNER_ALLOW_UNAUTHENTICATED: 'true' },
      dotenv: false,
      overrides: { service: { bind_address: '0.0.0.0:8080' }, logging: { level: 'silent' } },
    });
    await app.close();
  });
});
