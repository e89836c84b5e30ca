import { ApiProperty } from '@nestjs/swagger';

/** One tool the model can call. */
export class ToolDefinitionDto {
  /** Tool name, e.g. read_file. */
  name!: string;
  /** What the tool does, as told to the model. */
  description!: string;
  /** JSON Schema of the arguments. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  parameters!: Record<string, unknown>;
}

/** The OS sandbox commands run in. */
export class SandboxStatusDto {
  /** What commands run in now. */
  @ApiProperty({ enum: ['bwrap', 'none'] })
  mode!: 'bwrap' | 'none';
  /** execution.sandbox as configured. */
  @ApiProperty({ enum: ['auto', 'bwrap', 'none'] })
  requested!: 'auto' | 'bwrap' | 'none';
  /** Whether bubblewrap works on this host. */
  bwrap_available!: boolean;
  /** Why bubblewrap is not in use, if it is not. */
  reason?: string;
  /** False when bubblewrap is required but unusable: every command is refused. */
  commands_allowed!: boolean;
}

/** GET /api/v1/tools */
export class ToolsResponseDto {
  /** The tools enabled here (tools.enable_*), each with its JSON-Schema arguments. */
  @ApiProperty({ type: [ToolDefinitionDto] })
  tools!: ToolDefinitionDto[];
  /** The command sandbox in effect. */
  sandbox!: SandboxStatusDto;
}
