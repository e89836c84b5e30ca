import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { AgentRunnerError } from '../common/errors';
import { MetricsService } from '../metrics/metrics.service';
import type { ToolDefinition } from '../contracts/tool-definition';
import type { DisabledToolDto, ToolsResponseDto } from './dto/tools-response.dto';
import { ToolDeniedError, ToolInputError } from './execution.errors';
import type { ToolContext, ToolHandler, ToolOutcome } from './execution.types';
import { environmentProblems } from './process/child-environment';
import { SandboxProbe } from './sandbox/sandbox-probe.service';
import { WorkspaceService } from './sandbox/workspace.service';
import { EditFileTool } from './tools/edit-file.tool';
import { ListFilesTool } from './tools/list-files.tool';
import { ReadFileTool } from './tools/read-file.tool';
import { RunCommandTool } from './tools/run-command.tool';
import { SearchFilesTool } from './tools/search-files.tool';
import { validateArguments } from './tools/tool-arguments';
import { WriteFileTool } from './tools/write-file.tool';

/** Error codes of the file system, worded for the model. */
const FS_ERRORS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder',
  ENOTDIR: 'is not a folder',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'name too long',
  EEXIST: 'already exists',
};

/**
 * The six tools the model may call (docs/api.md, Tools; their limits: docs/security.md): their
 * definitions for the model, the per-task subset, and `execute`, which validates arguments,
 * confines paths and commands, records metrics, and turns every model-caused problem into a tool
 * result.
 */
@Injectable()
export class ToolRegistry {
  private readonly logger = new Logger(ToolRegistry.name);
  private readonly tools: ToolHandler[];

  constructor(
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
    private readonly workspace: WorkspaceService,
    private readonly sandbox: SandboxProbe,
    readFile: ReadFileTool,
    writeFile: WriteFileTool,
    editFile: EditFileTool,
    listFiles: ListFilesTool,
    searchFiles: SearchFilesTool,
    runCommand: RunCommandTool,
  ) {
    this.tools = [
      readFile,
      writeFile,
      editFile,
      listFiles,
      searchFiles,
      runCommand,
    ] as ToolHandler[];
  }

  /** Every tool name the service knows. */
  names(): string[] {
    return this.tools.map((t) => t.name);
  }

  /** Names in `names` that are not tools (report them as a validation error). */
  unknownTools(names: string[]): string[] {
    const known = new Set(this.names());
    return names.filter((n) => !known.has(n));
  }

  /**
   * The tools a task may use: enabled by `tools.enable_*`, usable here (run_command needs the OS
   * sandbox or the operator's opt-in) ∩ `context.tools` when given.
   */
  definitions(enabled?: string[]): ToolDefinition[] {
    const disabled = new Set(this.disabledTools().map((d) => d.name));
    return this.available(enabled)
      .filter((t) => !disabled.has(t.name))
      .map((t) => ({
        name: t.name,
        description: t.description,
        parameters: { ...t.parameters },
      }));
  }

  /** GET /api/v1/tools: the usable tools, the disabled ones with the reason, and the sandbox. */
  overview(): ToolsResponseDto {
    return {
      tools: this.definitions(),
      disabled_tools: this.disabledTools(),
      sandbox: this.sandbox.status(),
    };
  }

  /** Enabled tools that cannot be used here, with the reason (shown in /tools and /status). */
  disabledTools(): DisabledToolDto[] {
    if (!this.config.get('tools').enable_command_execution) return [];
    const status = this.sandbox.status();
    return status.commands_allowed
      ? []
      : [{ name: 'run_command', reason: status.disabled_reason ?? 'commands are refused' }];
  }

  /** Problems with a task's `context.environment` (names a task may not set, bad values). */
  environmentProblems(env: Record<string, unknown> | undefined): string[] {
    return environmentProblems(env);
  }

  /**
   * `context.working_directory` (docs/api.md, `POST /api/v1/tasks`) → absolute path; throws
   * InvalidRequestError.
   */
  resolveTaskWorkingDirectory(contextWorkingDirectory?: string): string {
    return this.workspace.resolveTaskWorkingDirectory(contextWorkingDirectory);
  }

  /** Checks a task's `constraints.allowed_paths` narrowing; throws InvalidRequestError. */
  validateAllowedPaths(workingDirectory: string, allowedPaths?: string[]): void {
    this.workspace.taskRoots(workingDirectory, allowedPaths);
  }

  /** Runs one tool call. Never throws for problems the model caused. */
  async execute(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolOutcome> {
    const started = process.hrtime.bigint();
    const tool = this.available(ctx.enabledTools).find((t) => t.name === name);
    const disabled = tool && this.disabledTools().find((d) => d.name === name);
    let outcome: ToolOutcome;
    if (disabled) {
      outcome = denied(`the tool ${name} is disabled: ${disabled.reason}`);
    } else if (!tool) {
      const known = this.tools.some((t) => t.name === name);
      outcome = denied(
        known
          ? `the tool ${name} is not enabled for this task`
          : `there is no tool named ${JSON.stringify(name)}`,
      );
    } else {
      outcome = await this.run(tool, rawArgs, ctx);
    }
    outcome.output = this.scrub(outcome.output);
    if (outcome.data)
      outcome.data = JSON.parse(this.scrub(JSON.stringify(outcome.data))) as Record<
        string,
        unknown
      >;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.toolCalled(tool ? name : 'unknown', outcome.status, seconds);
    return outcome;
  }

  private async run(tool: ToolHandler, rawArgs: unknown, ctx: ToolContext): Promise<ToolOutcome> {
    const args = validateArguments(tool.parameters, rawArgs);
    if (args.errors) return failed(`invalid arguments for ${tool.name}: ${args.errors.join('; ')}`);
    if (ctx.signal.aborted) return failed('the task was cancelled');
    try {
      const sandbox = this.workspace.sandboxFor(ctx.workingDirectory, ctx.allowedPaths);
      return await tool.run(args.value, { ctx, sandbox });
    } catch (e) {
      if (e instanceof ToolDeniedError) return denied(e.message);
      if (e instanceof ToolInputError) return failed(e.message);
      if (e instanceof AgentRunnerError) return denied(e.message);
      const code = (e as NodeJS.ErrnoException).code;
      if (code && FS_ERRORS[code]) return failed(`${tool.name} failed: ${FS_ERRORS[code]}`);
      this.logger.error(`tool ${tool.name} failed unexpectedly: ${(e as Error).message}`);
      return failed(`${tool.name} failed: ${(e as Error).message}`);
    }
  }

  private available(enabled?: string[]): ToolHandler[] {
    const tools = this.config.get('tools');
    return this.tools.filter(
      (t) =>
        (t.kind === 'file' ? tools.enable_file_operations : tools.enable_command_execution) &&
        (!enabled || enabled.includes(t.name)),
    );
  }

  /** Configured secrets never reach the model, whatever a file or command printed. */
  private scrub(text: string): string {
    let out = text;
    for (const secret of this.config.secrets()) {
      if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join('****');
    }
    return out;
  }
}

function denied(reason: string): ToolOutcome {
  return { status: 'denied', output: `Denied: ${reason}`, error: reason };
}

function failed(reason: string): ToolOutcome {
  return { status: 'error', output: `Error: ${reason}`, error: reason };
}
