import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ServiceStatusDto } from './service-status.dto';
import { StatusService } from './status.service';

@ApiTags('observability')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/status')
export class StatusController {
  constructor(private readonly statusService: StatusService) {}

  /**
   * Name, version, health (`degraded` when a readiness check is down), uptime, task counts, the
   * model new tasks get, the enabled tools, the command sandbox and system metrics.
   */
  @Get()
  @ApiOperation({ summary: 'Service status' })
  @ApiOkResponse({ type: ServiceStatusDto, description: 'The service as it is now.' })
  status(): Promise<ServiceStatusDto> {
    return this.statusService.status();
  }
}
