import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { Logger as NestLogger } from '@nestjs/common';
import { UnsafeBindError } from '../auth/bind-safety';
import { sendError } from '../common/all-exceptions.filter';
import { ConfigLoadOptions, LoadedConfig } from '../config/config.loader';
import type { ServiceConfig } from '../config/config.schema';
import { ConfigValidationError } from '../config/config.validation';
import { checkServiceConfig } from '../config/service-config.check';
import { AppModule } from './app.module';
import { configureApp } from './configure-app';
import { FrameworkQuietLogger } from '../logging/framework-quiet.logger';

const frameworkLogger = new NestLogger('Http');

/** How often Node looks for connections past their header or request timeout. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * The HTTP server's timeouts from `[service]`: a whole request must arrive within
 * request_timeout_seconds and its headers within headers_timeout_seconds (else Node answers 408
 * and closes), an idle keep-alive connection is closed after keep_alive_timeout_seconds. There is
 * no socket inactivity timeout: a synchronous POST legitimately sends nothing for up to
 * service.sync_wait_seconds.
 */
export function httpServerTimeouts(service: ServiceConfig) {
  return {
    requestTimeout: service.request_timeout_seconds * 1000,
    keepAliveTimeout: service.keep_alive_timeout_seconds * 1000,
    http: {
      headersTimeout: service.headers_timeout_seconds * 1000,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
  };
}
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's x-request-id is echoed when it is a sane token; otherwise a fresh UUID is used. */
function requestIdFor(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * Creates the configured HTTP application (not yet listening). Runs the start-up checks on the
 * configuration (checkServiceConfig, the same as `agent-runner config validate`) before anything
 * binds: any error refuses to start, every warning is logged.
 */
export async function createHttpApp(
  source: ConfigLoadOptions | LoadedConfig = {},
): Promise<NestFastifyApplication> {
  const check = checkServiceConfig(source);
  if (!check.loaded) {
    throw check.unsafeBind
      ? new UnsafeBindError(check.errors, check.source)
      : new ConfigValidationError(check.errors, check.source, check.file);
  }
  const loaded = check.loaded;
  const adapter = new FastifyAdapter({
    bodyLimit: loaded.config.service.max_body_bytes,
    genReqId: requestIdFor,
    routerOptions: { maxParamLength: 512 },
    ...httpServerTimeouts(loaded.config.service),
    // Idle keep-alive connections are closed on close(); requests that still arrive while it
    // closes get the one error shape from configureApp, not Fastify's own 503 body.
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // Router-level errors (malformed URL, over-long path parameter) get the one error shape too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendError(reply, request, error, frameworkLogger),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(loaded), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Fastify's own JSON parser only (secure-json-parse, bodyLimit); no urlencoded bodies.
    bodyParser: false,
  });
  app.useLogger(new FrameworkQuietLogger(app.get(Logger)));
  app.flushLogs();
  for (const w of check.warnings) frameworkLogger.warn(`configuration: ${w.path}: ${w.message}`);
  await configureApp(app);
  return app;
}
