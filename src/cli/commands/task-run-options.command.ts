import { CommandRunner, Option } from 'nest-commander';
import { LOG_LEVELS, LogLevel, StorageDriver } from '../../config/config.schema';
import type { TaskRunFlags } from '../cli-config.loader';
import { CliIo } from '../cli-io';
import { exitCodeForError } from '../exit-codes';
import { OUTPUT_FORMATS, OutputFormat } from '../output/task-output.formatter';
import { choiceOption, integerOption } from './option-parsers';

/** What `--store` may pick (the order is the one its error message lists). */
const ONE_SHOT_STORES = ['sqlite', 'memory'] as const satisfies readonly StorageDriver[];

/** Every flag of `task` and `interactive` (docs/cli.md). */
export interface TaskRunOptions extends TaskRunFlags {
  output: OutputFormat;
  logLevel?: LogLevel;
  quiet?: boolean;
}

/**
 * The flags `task` and `interactive` share, declared once; and one place that turns a thrown
 * error into a message on stderr and an exit code (2 for usage and configuration, else 1).
 */
export abstract class TaskRunOptionsCommand extends CommandRunner {
  protected abstract readonly io: CliIo;

  @Option({ flags: '-c, --config <file>', description: 'config file (TOML or YAML)' })
  parseConfig(value: string): string {
    return value;
  }

  @Option({
    flags: '-o, --output <format>',
    description: 'text | verbose | json (json: only the TaskResponse on stdout)',
    defaultValue: 'text',
  })
  parseOutput(value: string): OutputFormat {
    return choiceOption(value, OUTPUT_FORMATS);
  }

  @Option({
    flags: '-w, --workdir <dir>',
    description: 'working directory of the task (tools.working_directory)',
  })
  parseWorkdir(value: string): string {
    return value;
  }

  @Option({
    flags: '--provider <provider>',
    description: 'model provider (openai, ollama, offline, …)',
  })
  parseProvider(value: string): string {
    return value;
  }

  @Option({ flags: '--model <model>', description: 'model name' })
  parseModel(value: string): string {
    return value;
  }

  @Option({ flags: '--max-steps <n>', description: 'model ↔ tool rounds (execution.max_steps)' })
  parseMaxSteps(value: string): number {
    return integerOption(value, 1, 1000);
  }

  @Option({ flags: '--timeout <seconds>', description: 'task time limit in seconds' })
  parseTimeout(value: string): number {
    return integerOption(value, 1, 86_400);
  }

  @Option({
    flags: '--store <driver>',
    description: 'memory | sqlite (default: memory unless [storage] is configured)',
  })
  parseStore(value: string): StorageDriver {
    // a one-shot command keeps its tasks locally; a shared PostgreSQL store is set in [storage]
    return choiceOption(value, ONE_SHOT_STORES);
  }

  @Option({ flags: '--log-level <level>', description: 'service logs on stderr (default warn)' })
  parseLogLevel(value: string): LogLevel {
    return choiceOption(value, LOG_LEVELS);
  }

  @Option({ flags: '-q, --quiet', description: 'no progress on stderr' })
  parseQuiet(): boolean {
    return true;
  }

  /** Runs `body`; a thrown error becomes its message on stderr and exit code 2 or 1. */
  protected async guarded(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
      this.io.exitCode = exitCodeForError(e);
    }
  }
}
