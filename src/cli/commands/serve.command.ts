import { Command, CommandRunner, Option } from 'nest-commander';
import { CliIo } from '../cli-io';
import { exitCodeForError } from '../exit-codes';

/** `agent-runner serve`: the HTTP server, exactly what `npm start` runs. */
@Command({ name: 'serve', description: 'Run the HTTP service (what npm start runs)' })
export class ServeCommand extends CommandRunner {
  constructor(private readonly io: CliIo) {
    super();
  }

  @Option({ flags: '-c, --config <file>', description: 'config file (TOML or YAML)' })
  parseConfig(value: string): string {
    return value;
  }

  async run(_args: string[], options: { config?: string }): Promise<void> {
    try {
      // Loaded only here: the other commands never load the HTTP stack.
      const { serve } = await import('../../app/serve');
      await serve(options.config);
      this.io.keepAlive = true;
    } catch (e) {
      this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
      this.io.exitCode = exitCodeForError(e);
    }
  }
}
