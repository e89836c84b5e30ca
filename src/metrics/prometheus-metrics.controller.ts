import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NoThrottle } from '../throttling/api-throttler.guard';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { PublicUnless } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

/** GET /metrics: Prometheus text; open unless service.auth.protect_metrics; never throttled. */
@ApiExcludeController()
@PublicUnless('protect_metrics')
@NoThrottle()
@Controller()
export class PrometheusMetricsController extends PrometheusController {
  constructor(private readonly metrics: MetricsService) {
    super();
  }

  @Get()
  override async index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    this.metrics.sampleSystem();
    return super.index(response);
  }
}
