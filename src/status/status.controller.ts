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

  /** Name, version, health, uptime, task counts, model, tools, sandbox and system metrics. */
  @Get()
  @ApiOperation({ summary: 'Service status' })
  @ApiOkResponse({ type: ServiceStatusDto })
  status(): Promise<ServiceStatusDto> {
    return this.statusService.status();
  }
}
