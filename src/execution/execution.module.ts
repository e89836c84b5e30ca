import { Module } from '@nestjs/common';
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
export class ExecutionModule {}
