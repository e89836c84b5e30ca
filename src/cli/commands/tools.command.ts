import { Command, CommandRunner, Option } from 'nest-commander';
import { CliConfigLoader } from '../cli-config.loader';
import { CliIo } from '../cli-io';
import { exitCodeForError } from '../exit-codes';
import { EmbeddedServiceLauncher } from '../embedded-service.launcher';
import { oneLine } from '../output/step-text';
import { choiceOption } from './option-parsers';

interface ToolsOptions {
  config?: string;
  output: 'text' | 'json';
}

/** `agent-runner tools`: the tools the model may call here, and the command sandbox. */
@Command({
  name: 'tools',
  description: 'List the tools the model may call, and the command sandbox in use',
})
export class ToolsCommand extends CommandRunner {
  constructor(
    private readonly io: CliIo,
    private readonly configs: CliConfigLoader,
    private readonly launcher: EmbeddedServiceLauncher,
  ) {
    super();
  }

  @Option({ flags: '-c, --config <file>', description: 'config file (TOML or YAML)' })
  parseConfig(value: string): string {
    return value;
  }

  @Option({ flags: '-o, --output <format>', description: 'text | json', defaultValue: 'text' })
  parseOutput(value: string): 'text' | 'json' {
    return choiceOption(value, ['text', 'json'] as const);
  }

  async run(_args: string[], options: ToolsOptions): Promise<void> {
    try {
      const config = this.configs.load(options, { memoryStoreByDefault: true });
      const { service, client } = await this.launcher.start(config);
      try {
        const tools = await client.listTools();
        if (options.output === 'json') {
          this.io.out(`${JSON.stringify(tools, null, 2)}\n`);
          return;
        }
        for (const tool of tools.tools) {
          this.io.out(`${tool.name.padEnd(14)} ${oneLine(tool.description, 100)}\n`);
        }
        const sandbox = tools.sandbox;
        this.io.out(
          `\ncommands run ${sandbox.mode === 'bwrap' ? 'in the bubblewrap sandbox' : 'without an OS sandbox'}` +
            `${sandbox.reason ? ` (${sandbox.reason})` : ''}${sandbox.commands_allowed ? '' : '; commands are refused'}\n`,
        );
      } finally {
        await service.close();
      }
    } catch (e) {
      this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
      this.io.exitCode = exitCodeForError(e);
    }
  }
}
