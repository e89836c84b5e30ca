import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ToolsResponseDto } from './dto/tools-response.dto';
import { SandboxProbe } from './sandbox/sandbox-probe.service';
import { ToolRegistry } from './tool-registry.service';

/** GET /api/v1/tools: what the model may call here (users and admins). */
@ApiTags('tools')
@ApiKeyAuth()
@ApiErrorResponses()
@Controller('api/v1/tools')
export class ToolsController {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly sandbox: SandboxProbe,
  ) {}

  /**
   * The tools the model may call here (those enabled by `tools.enable_*`) with their JSON-Schema
   * arguments, and the command sandbox in effect.
   */
  @Get()
  @ApiOperation({ summary: 'List the tools' })
  @ApiOkResponse({ type: ToolsResponseDto, description: 'The enabled tools and the sandbox.' })
  list(): ToolsResponseDto {
    return { tools: this.registry.definitions(), sandbox: this.sandbox.status() };
  }
}
