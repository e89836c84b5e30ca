import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { NoThrottle } from '../throttling/api-throttler.guard';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { ReadinessRegistry } from './readiness.registry';

/** Kubernetes-style probes; open and never throttled. */
@ApiTags('health')
@Public()
@NoThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** Overall health: every readiness check (200 when all are up, else 503). */
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Overall health (all readiness checks)' })
  overall(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.ready(reply);
  }

  /** Liveness: the process is up and serving; no dependencies are checked. */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness probe (no dependencies)' })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.run(reply, [
      () => this.indicators.check('process').up({ uptime_seconds: Math.round(process.uptime()) }),
    ]);
  }

  /** Readiness: configuration, store, queue, model and sandbox usable. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness probe (config, store, queue, model, sandbox)' })
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
