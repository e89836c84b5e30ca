import { applyDecorators, Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { NoThrottle } from '../throttling/api-throttler.guard';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { ApiErrorResponse } from '../common/api-error-responses.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { HealthCheckResultDto } from './dto/health-check-result.dto';
import { ReadinessRegistry } from '../contracts/readiness.registry';

/** The probes' other answers: the health body on 503 (the API error shape while shutting down). */
const ApiHealthErrorResponses = () =>
  applyDecorators(
    ApiResponse({
      status: 503,
      description:
        'A check is down (the health body), or the service is shutting down (SERVICE_UNAVAILABLE, the API error shape).',
      schema: {
        anyOf: [
          { $ref: getSchemaPath(HealthCheckResultDto) },
          { $ref: getSchemaPath(ErrorResponseDto) },
        ],
      },
    }),
    ApiErrorResponse(500),
  );

/** Kubernetes-style probes; open and never throttled. */
@ApiTags('health')
@Public()
@NoThrottle()
@ApiHealthErrorResponses()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** Every readiness check, like `/health/ready`: 200 when all are up, else 503. Open to all. */
  @Get()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Overall health' })
  @ApiOkResponse({ type: HealthCheckResultDto, description: 'Every check is up.' })
  overall(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.ready(reply);
  }

  /** Liveness: the process is up and serving; no dependencies are checked. Open to all. */
  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness probe' })
  @ApiOkResponse({ type: HealthCheckResultDto, description: 'Every check is up.' })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.run(reply, [
      () => this.indicators.check('process').up({ uptime_seconds: Math.round(process.uptime()) }),
    ]);
  }

  /**
   * Readiness: the configuration, store, queue, model and command sandbox are usable (no paid
   * model call is made). 200 when all are up, else 503. Open to all.
   */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness probe' })
  @ApiOkResponse({ type: HealthCheckResultDto, description: 'Every check is up.' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.run(
      reply,
      this.readiness.list().map((c) => async () => {
        const { ok, ...details } = await this.readiness.run(c);
        const indicator = this.indicators.check(c.name);
        return ok ? indicator.up(details) : indicator.down(details);
      }),
    );
  }

  /** Terminus answers 503 by throwing; send its body as is rather than as an API error. */
  private async run(
    reply: FastifyReply,
    checks: Parameters<HealthCheckService['check']>[0],
  ): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (e) {
      if (e instanceof ServiceUnavailableException) {
        void reply.status(503);
        return e.getResponse() as HealthCheckResult;
      }
      throw e;
    }
  }
}
