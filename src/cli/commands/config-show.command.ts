import * as yaml from 'js-yaml';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { AppConfigService } from '../../config/app-config.service';
import { CliConfigLoader } from '../cli-config.loader';
import { CliIo } from '../cli-io';
import { exitCodeForError } from '../exit-codes';
import { choiceOption } from './option-parsers';

/** `agent-runner config show`: the effective configuration, secrets redacted (as GET /api/v1/config). */
@SubCommand({ name: 'show', description: 'Print the effective configuration, secrets redacted' })
export class ConfigShowCommand extends CommandRunner {
  constructor(
    private readonly io: CliIo,
    private readonly configs: CliConfigLoader,
  ) {
    super();
  }

  @Option({ flags: '-c, --config <file>', description: 'config file (TOML or YAML)' })
  parseConfig(value: string): string {
    return value;
  }

  @Option({
    flags: '-o, --output <format>',
    description: 'text (YAML) | json',
    defaultValue: 'text',
  })
  parseOutput(value: string): 'text' | 'json' {
    return choiceOption(value, ['text', 'json'] as const);
  }

  async run(_args: string[], options: { config?: string; output: 'text' | 'json' }): Promise<void> {
    try {
      const config = this.configs.load(options, { memoryStoreByDefault: false });
      // The same redaction the HTTP route uses, without starting the service.
      const shown = new AppConfigService(config.loaded).redacted();
      if (options.output === 'json') {
        this.io.out(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      this.io.out(
        `# ${config.file ? `file ${config.file}` : 'no config file'}, plus environment; secrets redacted\n`,
      );
      this.io.out(yaml.dump(shown, { lineWidth: 120 }));
    } catch (e) {
      this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
      this.io.exitCode = exitCodeForError(e);
    }
  }
}
