import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyService, presentedKey } from '../auth/api-key.service';
import { sendError } from '../common/all-exceptions.filter';
import { ModelConfigViewDto } from '../admin/dto/config-view.dto';
import { FieldProblemDto } from '../common/error-response.dto';
import { AgentRunnerError, AuthenticationError } from '../common/errors';
import { packageVersion } from '../common/package-info';
import { AppConfigService } from '../config/app-config.service';
import { logRequest } from '../logging/logging.module';
import { HttpMetricsService } from './http-metrics.service';
import { TaskEventStreamWriter } from '../agent/http/task-event-stream.writer';
import { TasksService } from '../agent/tasks/tasks.service';
import { serviceSecurityHeaders } from './security-headers';

import { ShutdownCoordinator } from './shutdown-coordinator';
import { useBoundedJsonParser } from './bounded-json.parser';

type SendDone = (err: Error | null, payload?: unknown) => void;
type CorsOptions = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

const SHUTTING_DOWN = new AgentRunnerError('SERVICE_UNAVAILABLE', 'The service is shutting down.');

const API_DESCRIPTION = `AI agent execution service: submit a task in plain language; the service plans it
with a language model and runs it through sandboxed tools.

Send an API key as \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\` (only the health
probes are open). Every error, from every layer, has the shape of \`ErrorResponseDto\`, and every
response carries an \`x-request-id\` header. Guide: docs/api.md of the project.`;

/**
 * Builds the OpenAPI document of every route: one error schema, both API-key header forms, a
 * server relative to wherever the document is served from.
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('agent-runner')
    .setDescription(API_DESCRIPTION)
    .setVersion(packageVersion())
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Relative: the API is where the document is, also behind a reverse proxy.
    .addServer('/', 'This service')
    .addTag('tasks', 'Submit, list, read, cancel and follow tasks.')
    .addTag('batches', 'Several tasks at once, in parallel or in order.')
    .addTag('tools', 'What the model may call here.')
    .addTag('observability', 'Service status and metrics.')
    .addTag('config', 'The live configuration (admin keys only).')
    .addTag('health', 'Probes for load balancers and orchestrators (open, never throttled).')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description:
          'An API key of service.auth.api_keys (or AGENT_RUNNER_AUTH_KEYS / AGENT_RUNNER_ADMIN_KEYS) as `Authorization: Bearer <key>`. Opaque, not a JWT.',
      },
      'bearer',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'The same API key, as `X-API-Key: <key>`.',
      },
      'api_key',
    )
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [FieldProblemDto, ModelConfigViewDto],
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey}_${methodKey}`,
  });
}

/**
 * The Fastify side of the pipeline, shared by main.ts and every e2e test: request ids, HTTP
 * metrics, security headers, CORS, docs (optionally behind a key) and shutdown hooks.
 */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // JSON is the only body format of the API; any other content type is a 415, not a string body.
  fastify.removeContentTypeParser('text/plain');
  useBoundedJsonParser(fastify);
  holdAnswersUntilDurable(app);
  recordResponses(app);
  guardRequests(app);
  app.enableCors(corsOptions(app.get(AppConfigService)));
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
  closeOnShutdown(app);
}

/**
 * A task's end is committed with the turn's other writes; no answer leaves before that commit
 * while one is pending, so nobody is shown an end a crash could take back (one promise per
 * answer only in turns that ended a task).
 */
function holdAnswersUntilDurable(app: NestFastifyApplication): void {
  const tasks = app.get(TasksService);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook(
      'onSend',
      (_request: FastifyRequest, _reply: FastifyReply, payload: unknown, done: SendDone) => {
        const durable = tasks.terminalsDurable();
        if (!durable) return done(null, payload);
        void durable.then(() => done(null, payload));
      },
    );
}

/** Every answer is counted in the HTTP metrics and logged. */
function recordResponses(app: NestFastifyApplication): void {
  const httpMetrics = app.get(HttpMetricsService);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      httpMetrics.record(
        request.method,
        request.routeOptions?.url,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      logRequest(request, reply);
      done();
    });
}

/**
 * Before any route: the security headers and the request id, the refusal while the service is
 * shutting down, then the key check of the docs when they are protected.
 */
function guardRequests(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const config = app.get(AppConfigService);
  const keys = app.get(ApiKeyService);
  const shutdown = app.get(ShutdownCoordinator);
  const logger = new Logger('Http');
  const headers = serviceSecurityHeaders(config.get('service').served_over_https);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.headers(headers).header('x-request-id', request.id);
    if (shutdown.draining) {
      // Stopping: the client must not reuse this connection; once the server closes, no new work.
      void reply.header('connection', 'close');
      if (shutdown.closing) {
        sendError(reply, request, SHUTTING_DOWN, logger);
        return;
      }
    }
    done();
  });

  // Behind the headers hook, so a refused docs request still carries them.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (
      !request.url.startsWith('/docs') ||
      !config.get('service').auth.protect_docs ||
      !keys.enabled
    )
      return done();
    const key = presentedKey(request.headers);
    if (key === undefined || !keys.identify(key)) {
      sendError(reply, request, new AuthenticationError(), logger);
      return;
    }
    done();
  });
}

/** service.cors; the allowed origins are read on every request, so a live update applies. */
function corsOptions(config: AppConfigService): CorsOptions {
  return {
    origin: (
      origin: string | undefined,
      cb: (err: Error | null, allow: boolean | string) => void,
    ) => {
      const allowed = config.get('service').cors.allowed_origins;
      if (!origin) return cb(null, false);
      if (allowed.includes('*'))
        return cb(null, config.get('service').cors.allow_credentials ? origin : '*');
      cb(null, allowed.includes(origin) ? origin : false);
    },
    methods: config.get('service').cors.allowed_methods,
    // "*" reflects the headers the browser asks for (the plugin's default when the key is absent).
    ...(config.get('service').cors.allowed_headers.includes('*')
      ? {}
      : { allowedHeaders: config.get('service').cors.allowed_headers }),
    exposedHeaders: ['x-request-id', 'retry-after', 'location'],
    credentials: config.get('service').cors.allow_credentials,
  };
}

/** Stopping within service.shutdown_grace_seconds + 5 s whatever clients do (ShutdownCoordinator). */
function closeOnShutdown(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const shutdown = app.get(ShutdownCoordinator);
  const streams = app.get(TaskEventStreamWriter);
  fastify.addHook('preClose', (done: () => void) => {
    shutdown.close(fastify.server);
    streams.closeAll();
    done();
  });
  shutdown.handleSignals(app, ['SIGTERM', 'SIGINT']);
}
