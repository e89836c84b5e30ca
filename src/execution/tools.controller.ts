import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({ summary: 'List the tools' })
  @ApiOkResponse({ type: ToolsResponseDto, description: 'The enabled tools and the sandbox.' })
  list(): ToolsResponseDto {
    return this.registry.overview();
  }
}
