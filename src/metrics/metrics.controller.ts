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

  /**
   * The counters of `/metrics` since the process started, as JSON, with averages, tool calls by
   * tool (`tool_usage`) and ended tasks by error code (`error_counts`).
   */
  @Get()
  @ApiOperation({ summary: 'Metrics snapshot (JSON)' })
  @ApiOkResponse({ type: MetricsSnapshotDto, description: 'The counters now.' })
  snapshot(): Promise<MetricsSnapshotDto> {
    return this.metrics.snapshot();
  }
}
