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

/** An enabled tool that cannot be used here. */
export class DisabledToolDto {
  /** Tool name, e.g. run_command. */
  name!: string;
  /** Why, and what the operator can do about it. */
  reason!: string;
}

/** The network of sandboxed commands. */
export class CommandNetworkStatusDto {
  /** execution.network, in effect only inside bubblewrap. */
  enabled!: boolean;
  /** The user-mode stack that gives sandboxed commands their network (null when none is installed). */
  @ApiProperty({ enum: ['slirp4netns'], nullable: true, type: String })
  stack!: 'slirp4netns' | null;
  /** The stack is installed and worked in the start-up probe (or was not needed then). */
  available!: boolean;
  /** Why the stack cannot be used, when it cannot. */
  reason?: string;
}

/** Who commands run as. */
export class CommandUserStatusDto {
  /** execution.run_as_user as configured ("" = the service's own user). */
  user!: string;
  /** Commands really switch to that user (the service is root). */
  applied!: boolean;
  /** The user's numeric id (null when it does not resolve). */
  @ApiProperty({ type: Number, nullable: true })
  uid!: number | null;
  /** The user's numeric group id (null when it does not resolve). */
  @ApiProperty({ type: Number, nullable: true })
  gid!: number | null;
  /** Why the user does not apply, or why commands are refused because of it. */
  reason?: string;
  /** False when commands must not run: the service is root and the user cannot be used. */
  usable!: boolean;
}

/** The OS sandbox commands run in, and the conditions they run under. */
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
  /** Whether run_command can run now. */
  commands_allowed!: boolean;
  /** Why run_command is disabled, when it is. */
  disabled_reason?: string;
  /** execution.allow_unsandboxed_commands. */
  unsandboxed_commands_allowed!: boolean;
  /** The network sandboxed commands get. */
  network!: CommandNetworkStatusDto;
  /** The user commands run as. */
  run_as!: CommandUserStatusDto;
}

/** GET /api/v1/tools */
export class ToolsResponseDto {
  /** The tools the model may call here. */
  @ApiProperty({ type: [ToolDefinitionDto] })
  tools!: ToolDefinitionDto[];
  /** Enabled tools that cannot be used here (run_command without an OS sandbox), with the reason. */
  @ApiProperty({ type: [DisabledToolDto] })
  disabled_tools!: DisabledToolDto[];
  /** The command sandbox in effect. */
  sandbox!: SandboxStatusDto;
}
