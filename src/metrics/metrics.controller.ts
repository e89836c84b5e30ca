import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { MetricsSnapshotDto } from './dto/metrics-snapshot.dto';
import { MetricsService } from './metrics.service';

/** GET /api/v1/metrics: the JSON snapshot of the same counters /metrics exports. */
@ApiTags('observability')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Metrics snapshot (JSON): counts, averages, tool usage, error counts' })
  @ApiOkResponse({ type: MetricsSnapshotDto })
  snapshot(): Promise<MetricsSnapshotDto> {
    return this.metrics.snapshot();
  }
}
