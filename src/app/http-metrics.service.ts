import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { MetricsService } from '../metrics/metrics.service';

/** Records one HTTP request into the metrics, labelled by route template. */
@Injectable()
export class HttpMetricsService {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfigService,
  ) {}

  record(
    method: string,
    routeTemplate: string | undefined,
    statusCode: number,
    seconds: number,
  ): void {
    if (!this.config.get('service').enable_metrics) return;
    this.metrics.httpRequest(method, routeTemplate ?? 'unmatched', statusCode, seconds);
  }
}
