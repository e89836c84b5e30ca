import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
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

  /** The enabled tools with their JSON-Schema parameters, and the command sandbox in effect. */
  @Get()
  @ApiOkResponse({ type: ToolsResponseDto })
  list(): ToolsResponseDto {
    return { tools: this.registry.definitions(), sandbox: this.sandbox.status() };
  }
}
