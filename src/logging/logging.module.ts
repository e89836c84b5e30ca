import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
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
          pinoHttp: {
            level: logging.level,
            redact: { paths: REDACTED_PATHS, censor: '****' },
            genReqId: (req: IncomingMessage) =>
              (req as IncomingMessage & { agentRunnerRequestId?: string }).agentRunnerRequestId ??
              randomUUID(),
            customAttributeKeys: { reqId: 'request_id' },
            quietReqLogger: true,
            autoLogging: {
              ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health'),
            },
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
export class LoggingModule {}
