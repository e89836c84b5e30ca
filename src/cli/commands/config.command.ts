import { Command, CommandRunner } from 'nest-commander';
import { CliIo } from '../cli-io';
import { EXIT } from '../exit-codes';
import { ConfigShowCommand } from './config-show.command';
import { ConfigValidateCommand } from './config-validate.command';

/** `agent-runner config show|validate`. */
@Command({
  name: 'config',
  description: 'Show or validate the configuration',
  subCommands: [ConfigShowCommand, ConfigValidateCommand],
})
export class ConfigCommand extends CommandRunner {
  constructor(private readonly io: CliIo) {
    super();
  }

  async run(): Promise<void> {
    this.io.err(this.command.helpInformation());
    this.io.exitCode = EXIT.USAGE;
  }
}
