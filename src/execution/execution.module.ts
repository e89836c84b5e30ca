import { Module, OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessRegistry } from '../contracts/readiness.registry';
import { PidsCgroups } from './process/pids-cgroups.service';
import { ProcessRunner } from './process/process-runner';
import { SandboxProbe } from './sandbox/sandbox-probe.service';
import { WorkspaceOwnership } from './sandbox/workspace-ownership.service';
import { WorkspaceService } from './sandbox/workspace.service';
import { CommandPolicy } from './shell/command-policy';
import { ToolRegistry } from './tool-registry.service';
import { ToolsController } from './tools.controller';
import { EditFileTool } from './tools/edit-file.tool';
import { ListFilesTool } from './tools/list-files.tool';
import { ReadFileTool } from './tools/read-file.tool';
import { RunCommandTool } from './tools/run-command.tool';
import { SearchFilesTool } from './tools/search-files.tool';
import { WriteFileTool } from './tools/write-file.tool';

/**
 * Tools, path sandbox, command policy, process execution and the bubblewrap probe. Relies on the
 * global AppConfigModule and MetricsModule. SandboxProbe and CommandPolicy do their start-up
 * work in onModuleInit (the probe throws when execution.sandbox = bwrap and bubblewrap fails).
 */
@Module({
  controllers: [ToolsController],
  providers: [
    WorkspaceService,
    WorkspaceOwnership,
    SandboxProbe,
    CommandPolicy,
    PidsCgroups,
    ProcessRunner,
    ReadFileTool,
    WriteFileTool,
    EditFileTool,
    ListFilesTool,
    SearchFilesTool,
    RunCommandTool,
    ToolRegistry,
  ],
  exports: [ToolRegistry, SandboxProbe, WorkspaceService],
})
export class ExecutionModule implements OnModuleInit {
  constructor(
    private readonly sandbox: SandboxProbe,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  /** Readiness: down only when bubblewrap is required and broken; a disabled run_command is reported, not down. */
  onModuleInit(): void {
    this.readiness?.register({ name: 'sandbox', check: () => this.sandbox.readiness() });
  }
}
