import * as yaml from 'js-yaml';
import { createInterface, Interface } from 'node:readline';
import type { TaskRunnerClient } from '../client/task-runner.client';
import type { AgentRunnerConfig } from '../config/config.schema';
import { CliIo } from './cli-io';
import { CliSignals } from './cli-signals';
import { EXIT } from './exit-codes';
import { describeService } from './output/service-header';
import { oneLine } from './output/step-text';
import { OutputFormat, TaskOutputFormatter } from './output/task-output.formatter';
import { ProgressMode, TaskProgressRenderer } from './output/task-progress.renderer';
import { executeWithProgress } from './task-execution';

const HELP = `Type a task in plain language and press Enter; it runs in the working directory.
  help     this text
  tools    the tools the model may call
  config   the effective configuration (secrets redacted)
  exit     leave (also: quit, Ctrl-D)
Ctrl-C cancels the running task (and kills its processes); on an empty prompt, twice leaves.
`;

/** How long two Ctrl-C on an idle prompt may be apart to leave. */
const DOUBLE_INTERRUPT_MS = 2000;

export interface InteractiveSettings {
  format: OutputFormat;
  progress: ProgressMode;
  config: AgentRunnerConfig;
  /** -q: no banner and no progress, only results (and errors). */
  quiet: boolean;
}

/**
 * The `interactive` loop: readline with history; each line is a task (or help, tools, config,
 * exit). Ctrl-C cancels the running task, never the loop; two on an idle prompt leave (130).
 */
export class InteractiveSession {
  private taskInterrupt?: () => void;
  private lastIdleInterrupt = 0;
  private leaving = false;
  private exitCode: number = EXIT.OK;

  constructor(
    private readonly io: CliIo,
    private readonly client: TaskRunnerClient,
    private readonly signals: CliSignals,
    private readonly settings: InteractiveSettings,
  ) {}

  async run(): Promise<number> {
    const terminal = this.io.stdinIsTerminal;
    const rl = createInterface({
      input: this.io.streams.stdin,
      output: this.io.streams.stderr,
      terminal,
      historySize: 1000,
      prompt: 'agent-runner> ',
    });
    const prompt = () => terminal && !this.leaving && rl.prompt();
    const onInterrupt = () => this.interrupt(rl, prompt);
    // On a terminal readline turns Ctrl-C into its own SIGINT event; piped, the process gets it.
    rl.on('SIGINT', onInterrupt);
    const stopSignals = this.signals.onInterrupt(onInterrupt);
    try {
      if (!this.settings.quiet) {
        const status = await this.client.getServiceStatus();
        this.io.err(
          `${describeService(status, this.settings.config)}\nType help for commands, exit to leave.\n`,
        );
      }
      prompt();
      for await (const line of rl) {
        if (this.leaving) break;
        const input = line.trim();
        if (input === 'exit' || input === 'quit') break;
        if (input) await this.handle(input);
        prompt();
      }
    } finally {
      stopSignals();
      rl.close();
    }
    return this.exitCode;
  }

  private interrupt(rl: Interface, prompt: () => void): void {
    if (this.taskInterrupt) return this.taskInterrupt();
    const now = Date.now();
    if (now - this.lastIdleInterrupt < DOUBLE_INTERRUPT_MS) {
      this.leaving = true;
      this.exitCode = EXIT.INTERRUPTED;
      rl.close();
      return;
    }
    this.lastIdleInterrupt = now;
    this.io.err('\n(Ctrl-C again to leave, or type exit)\n');
    prompt();
  }

  private async handle(input: string): Promise<void> {
    try {
      switch (input) {
        case 'help':
          this.io.out(HELP);
          return;
        case 'tools':
          for (const tool of (await this.client.listTools()).tools) {
            this.io.out(`${tool.name.padEnd(14)} ${oneLine(tool.description, 100)}\n`);
          }
          return;
        case 'config':
          this.io.out(yaml.dump(await this.client.getConfig(), { lineWidth: 120 }));
          return;
        default:
          await this.runTask(input);
      }
    } catch (e) {
      this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
    }
  }

  private async runTask(text: string): Promise<void> {
    const output = new TaskOutputFormatter(this.io, this.settings.format, true);
    const { task } = await executeWithProgress(
      this.client,
      { task: text },
      {
        progress: new TaskProgressRenderer(this.io, this.settings.progress),
        output,
        onInterrupt: (handler) => {
          this.taskInterrupt = handler;
          return () => (this.taskInterrupt = undefined);
        },
        // A second Ctrl-C on the same task changes nothing: the loop stays.
        exitNow: () => undefined,
      },
    );
    output.result(task);
  }
}
