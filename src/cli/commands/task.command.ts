import { Command } from 'nest-commander';
import { CliConfigLoader } from '../cli-config.loader';
import { CliIo } from '../cli-io';
import { CliSignals } from '../cli-signals';
import { CliUsageError } from '../cli-usage.error';
import { EmbeddedServiceLauncher } from '../embedded-service.launcher';
import { exitCodeForTask } from '../exit-codes';
import { describeService } from '../output/service-header';
import { TaskOutputFormatter } from '../output/task-output.formatter';
import { ProgressMode, TaskProgressRenderer } from '../output/task-progress.renderer';
import { executeWithProgress } from '../task-execution';
import { TaskRunOptions, TaskRunOptionsCommand } from './task-run-options.command';

/** `agent-runner task "<text>"`: runs one task in process and exits with its outcome. */
@Command({
  name: 'task',
  arguments: '<text...>',
  description:
    'Run one task and print its result (exit 0 goal met, 1 failed or not met, 2 usage, 130 Ctrl-C)',
  argsDescription: { text: 'the task, in plain language (quote it)' },
})
export class TaskCommand extends TaskRunOptionsCommand {
  constructor(
    protected readonly io: CliIo,
    private readonly configs: CliConfigLoader,
    private readonly launcher: EmbeddedServiceLauncher,
    private readonly signals: CliSignals,
  ) {
    super();
  }

  async run(words: string[], options: TaskRunOptions): Promise<void> {
    await this.guarded(async () => {
      const text = words.join(' ').trim();
      if (!text) throw new CliUsageError('the task text is empty.');
      const config = this.configs.load(options, { memoryStoreByDefault: true });
      const { service, client } = await this.launcher.start(config, options.logLevel);
      try {
        const progress = new TaskProgressRenderer(this.io, progressMode(this.io, options));
        const output = new TaskOutputFormatter(this.io, options.output);
        const header = describeService(await client.getServiceStatus(), service.config);
        progress.header(header);
        output.header(header);
        const { task, interrupted } = await executeWithProgress(
          client,
          { task: text },
          {
            progress,
            output,
            onInterrupt: (handler) => this.signals.onInterrupt(handler),
            exitNow: (code) => this.signals.exitNow(code),
          },
        );
        output.result(task);
        this.io.exitCode = exitCodeForTask(task, interrupted);
      } finally {
        await service.close();
      }
    });
  }
}

/** Progress on stderr: live on a terminal, plain lines elsewhere; none when quiet or verbose (steps go to stdout). */
export function progressMode(
  io: CliIo,
  options: Pick<TaskRunOptions, 'quiet' | 'output'>,
): ProgressMode {
  if (options.quiet || options.output === 'verbose') return 'off';
  return io.stderrIsTerminal ? 'live' : 'plain';
}
