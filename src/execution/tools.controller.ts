import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ToolsResponseDto } from './dto/tools-response.dto';
import { ToolRegistry } from './tool-registry.service';

/** GET /api/v1/tools: what the model may call here (users and admins). */
@ApiTags('tools')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/tools')
export class ToolsController {
  constructor(private readonly registry: ToolRegistry) {}

  /** The usable tools with their JSON-Schema parameters, disabled ones with the reason, and the command sandbox. */
  @Get()
  @ApiOkResponse({ type: ToolsResponseDto })
  list(): ToolsResponseDto {
    return this.registry.overview();
  }
}
