import { Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { AppConfigService } from '../config/app-config.service';

/** Request header values that never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'api_key',
  '*.api_key',
  '*.key',
  '*.apiKey',
];

/**
 * Structured logs (pino): `logging.format` picks JSON or pretty, `logging.level` the level.
 * Secrets in headers and config are censored.
 *
 * Request lines are written by {@link logRequest} from a Fastify `onResponse` hook, not by
 * nestjs-pino's pino-http middleware: that middleware builds a child logger for every request and
 * runs the rest of the request inside an `AsyncLocalStorage`, which turns on promise hooks for
 * the whole process (together ≈ 14% of the CPU of a GET /tasks/{id} under load, measured in
 * docs/performance.md). `forRoutes: []` keeps nestjs-pino as the application logger (its
 * `pinoHttp` options still build the root logger) without that middleware. Lines logged while a
 * request is handled do not carry its id automatically; those about a request (errors) add
 * `request_id` themselves.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const logging = config.get('logging');
        return {
          forRoutes: [],
          pinoHttp: {
            level: logging.level,
            redact: { paths: REDACTED_PATHS, censor: '****' },
            transport:
              logging.format === 'pretty'
                ? { target: 'pino-pretty', options: { destination: 2, singleLine: true } }
                : undefined,
          },
        };
      },
    }),
  ],
})
export class LoggingModule implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(private readonly config: AppConfigService) {}

  /** logging.level is live: PUT /api/v1/config {logging: {level}} applies at once. */
  onModuleInit(): void {
    this.unsubscribe = this.config.onChange('logging', ({ current }) => {
      PinoLogger.root.level = current.logging.level;
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}

/**
 * One line per answered request: `request completed` at info (`request errored` at error for a
 * 5xx) with `request_id`, `method`, `url`, `status_code` and `response_time_ms`. Flat fields:
 * the root logger is pino-http's, whose `req`/`res` serializers expect Node's own objects. Health probes run every
 * few seconds and are not logged. Nothing is built when the level is off.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const logger = PinoLogger.root;
  const status = reply.statusCode;
  const level = status >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  if (request.routeOptions?.url?.startsWith('/health')) return;
  logger[level](
    {
      request_id: request.id,
      method: request.method,
      url: request.url,
      status_code: status,
      response_time_ms: Math.round(reply.elapsedTime * 1000) / 1000,
    },
    status >= 500 ? 'request errored' : 'request completed',
  );
}
