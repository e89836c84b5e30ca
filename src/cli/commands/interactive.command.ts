import { Command } from 'nest-commander';
import { CliConfigLoader } from '../cli-config.loader';
import { CliIo } from '../cli-io';
import { CliSignals } from '../cli-signals';
import { EmbeddedServiceLauncher } from '../embedded-service.launcher';
import { InteractiveSession } from '../interactive-session';
import { progressMode } from './task.command';
import { TaskRunOptions, TaskRunOptionsCommand } from './task-run-options.command';

/** `agent-runner interactive`: a prompt loop over one embedded service. */
@Command({
  name: 'interactive',
  description:
    'Prompt loop: each line is a task; help, tools, config, exit; Ctrl-C cancels the running task',
})
export class InteractiveCommand extends TaskRunOptionsCommand {
  constructor(
    protected readonly io: CliIo,
    private readonly configs: CliConfigLoader,
    private readonly launcher: EmbeddedServiceLauncher,
    private readonly signals: CliSignals,
  ) {
    super();
  }

  async run(_args: string[], options: TaskRunOptions): Promise<void> {
    await this.guarded(async () => {
      const config = this.configs.load(options, { memoryStoreByDefault: true });
      const { service, client } = await this.launcher.start(config, options.logLevel);
      try {
        const session = new InteractiveSession(this.io, client, this.signals, {
          format: options.output,
          progress: progressMode(this.io, options),
          config: service.config,
          quiet: options.quiet === true,
        });
        this.io.exitCode = await session.run();
      } finally {
        await service.close();
      }
    });
  }
}
