import { Module } from '@nestjs/common';
import { CliConfigLoader } from './cli-config.loader';
import { CliEnvironment } from './cli-environment';
import { CliIo } from './cli-io';
import { CliSignals } from './cli-signals';
import { CommanderSetup } from './commander-setup';
import { ConfigCommand } from './commands/config.command';
import { ConfigShowCommand } from './commands/config-show.command';
import { ConfigValidateCommand } from './commands/config-validate.command';
import { InteractiveCommand } from './commands/interactive.command';
import { MigrateCommand } from './commands/migrate.command';
import { ServeCommand } from './commands/serve.command';
import { TaskCommand } from './commands/task.command';
import { ToolsCommand } from './commands/tools.command';
import { EmbeddedServiceLauncher } from './embedded-service.launcher';

/**
 * The `agent-runner` CLI (docs/cli.md). Commands are thin: they read flags, start the core
 * providers in process (never the HTTP app, except `serve`) through the library, and write through
 * `CliIo`. Tests replace `CliIo`, `CliEnvironment` and `CliSignals` with `overrideProvider`.
 */
@Module({
  providers: [
    { provide: CliIo, useFactory: () => CliIo.forProcess() },
    { provide: CliEnvironment, useFactory: () => new CliEnvironment() },
    CliSignals,
    CliConfigLoader,
    EmbeddedServiceLauncher,
    CommanderSetup,
    TaskCommand,
    InteractiveCommand,
    ServeCommand,
    ToolsCommand,
    ConfigCommand,
    ConfigShowCommand,
    ConfigValidateCommand,
    MigrateCommand,
  ],
})
export class CliModule {}
