import { Controller, Get } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Module } from '@nestjs/common';
import { AppModule } from '../../src/app/app.module';
import { configureApp } from '../../src/app/configure-app';
import { Public } from '../../src/auth/auth.decorators';
import {
  ADMIN_KEY,
  bearer,
  createTestApp,
  expectErrorShape,
  TEST_DEFAULTS,
  TEST_KEYS,
  TestApp,
} from '../support/test-app';
import { deepMerge } from '../../src/config/deep-merge';

describe('one error shape from every layer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      ...TEST_KEYS,
      service: { ...TEST_KEYS.service, max_body_bytes: 2048 },
    });
  });
  afterAll(() => t.close());

  const admin = { ...bearer(ADMIN_KEY), 'content-type': 'application/json' };

  it('unknown route → 404 NOT_FOUND', async () => {
    expectErrorShape(
      await t.inject({ method: 'GET', url: '/api/v1/nope', headers: admin }),
      404,
      'NOT_FOUND',
    );
  });

  it('unknown body field → 400 naming it', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/config/validate',
      headers: admin,
      payload: { config: {}, surprise: 1 },
    });
    const body = expectErrorShape(res, 400, 'INVALID_REQUEST');
    expect(JSON.stringify(body.details)).toContain('surprise');
    expect(body.message).toContain('surprise');
  });

  it('malformed JSON → 400', async () => {
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin,
      payload: '{"model": ',
    });
    expectErrorShape(res, 400, 'INVALID_REQUEST');
  });

  it('wrong content type → 415 in the error shape', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.inject({
        method: 'PUT',
        url: '/api/v1/config',
        headers: { ...bearer(ADMIN_KEY), 'content-type': type },
        payload: 'a=1',
      });
      expectErrorShape(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('body over service.max_body_bytes → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin,
      payload: JSON.stringify({ model: { model_name: 'x'.repeat(5000) } }),
    });
    expectErrorShape(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a JSON body that is not an object → 400', async () => {
    for (const payload of ['[]', '"text"', '42', 'null', 'true']) {
      const res = await t.inject({ method: 'PUT', url: '/api/v1/config', headers: admin, payload });
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expectErrorShape(res, 400, 'INVALID_REQUEST');
    }
  });

  it('echoes a sane x-request-id and replaces an unsafe one', async () => {
    const mine = await t.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'client-req-42' },
    });
    expect(mine.headers['x-request-id']).toBe('client-req-42');
    const evil = await t.inject({
      method: 'GET',
      url: '/api/v1/nope',
      headers: { 'x-request-id': 'a b<script>' },
    });
    expect(evil.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(evil.json().request_id).toBe(evil.headers['x-request-id']);
  });

  it('sets standard security headers, and no HTTPS-only ones over plain HTTP', async () => {
    const res = await t.inject({ method: 'GET', url: '/health/live' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('sends HSTS and upgrade-insecure-requests when told it is served over HTTPS', async () => {
    const https = await createTestApp({ service: { served_over_https: true } });
    try {
      const res = await https.inject({ method: 'GET', url: '/api/v1/nope' });
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await https.close();
    }
  });
});

@Controller('crash')
class CrashController {
  @Public()
  @Get()
  crash(): never {
    throw new Error('secret internal detail: db password hunter2');
  }
}

@Module({ controllers: [CrashController] })
class CrashModule {}

describe('crashes', () => {
  it('become 500 INTERNAL_ERROR without internals', async () => {
    const overrides = deepMerge({}, TEST_DEFAULTS as Record<string, unknown>);
    const app = await NestFactory.create<NestFastifyApplication>(
      {
        module: class CrashApp {},
        imports: [AppModule.forRoot({ env: {}, dotenv: false, overrides }), CrashModule],
      },
      new FastifyAdapter(),
      { logger: false, bodyParser: false },
    );
    await configureApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/crash' });
      const body = expectErrorShape(res, 500, 'INTERNAL_ERROR');
      expect(JSON.stringify(body)).not.toContain('hunter2');
      expect(JSON.stringify(body)).not.toContain('stack');
    } finally {
      await app.close();
    }
  });
});

describe('CORS', () => {
  it('allows listed origins only', async () => {
    const t = await createTestApp({
      service: { cors: { allowed_origins: ['https://app.example.com'] } },
    });
    try {
      const ok = await t.inject({
        method: 'OPTIONS',
        url: '/api/v1/metrics',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
      });
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
      const no = await t.inject({
        method: 'OPTIONS',
        url: '/api/v1/metrics',
        headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
      });
      expect(no.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
