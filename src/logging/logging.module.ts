import { Module, OnModuleDestroy, OnModuleInit, RequestMethod } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
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
 * Structured logs (pino) with the request id on every request line; `logging.format` picks JSON
 * or pretty, `logging.level` the level. Secrets in headers and config are censored.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const logging = config.get('logging');
        return {
          // Probes run every few seconds; logging each one would drown the useful lines.
          exclude: [
            { method: RequestMethod.ALL, path: 'health' },
            { method: RequestMethod.ALL, path: 'health/{*path}' },
          ],
          pinoHttp: {
            level: logging.level,
            redact: { paths: REDACTED_PATHS, censor: '****' },
            genReqId: (req: IncomingMessage) =>
              (req as IncomingMessage & { agentRunnerRequestId?: string }).agentRunnerRequestId ??
              randomUUID(),
            customAttributeKeys: { reqId: 'request_id' },
            quietReqLogger: true,
            serializers: {
              req: (req: { id?: string; method?: string; url?: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
              }),
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
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
