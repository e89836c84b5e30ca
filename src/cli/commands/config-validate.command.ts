import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { ConfigIssue, ConfigValidationError } from '../../config/config.validation';
import { AgentConfig } from '../../library/agent-config';
import { CliEnvironment } from '../cli-environment';
import { CliIo } from '../cli-io';
import { EXIT, exitCodeForError } from '../exit-codes';
import { choiceOption } from './option-parsers';

interface ValidateOptions {
  env: boolean;
  output: 'text' | 'json';
}

interface ValidationReport {
  valid: boolean;
  file: string | null;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/**
 * `agent-runner config validate [file]`: loads the file (else the usual lookup) with the
 * environment, as the server would at start-up; exit 0 valid, 2 invalid, every problem listed.
 */
@SubCommand({
  name: 'validate',
  arguments: '[file]',
  description: 'Check a config file (with the environment, as start-up would); exit 2 when invalid',
})
export class ConfigValidateCommand extends CommandRunner {
  constructor(
    private readonly io: CliIo,
    private readonly environment: CliEnvironment,
  ) {
    super();
  }

  @Option({
    flags: '--no-env',
    description: 'ignore the environment and .env; check the file alone',
  })
  parseEnv(): boolean {
    return false;
  }

  @Option({ flags: '-o, --output <format>', description: 'text | json', defaultValue: 'text' })
  parseOutput(value: string): 'text' | 'json' {
    return choiceOption(value, ['text', 'json'] as const);
  }

  async run([file]: string[], options: ValidateOptions): Promise<void> {
    let report: ValidationReport;
    try {
      const config = AgentConfig.load({
        configFile: file,
        cwd: this.environment.cwd,
        ...(options.env === false
          ? { env: {}, dotenv: false }
          : { env: this.environment.env, dotenv: this.environment.dotenv }),
      });
      report = { valid: true, file: config.file ?? null, errors: [], warnings: config.warnings };
    } catch (e) {
      if (!(e instanceof ConfigValidationError)) {
        this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
        this.io.exitCode = exitCodeForError(e);
        return;
      }
      report = { valid: false, file: file ?? null, errors: e.issues, warnings: [] };
    }
    this.io.exitCode = report.valid ? EXIT.OK : EXIT.USAGE;
    if (options.output === 'json') {
      this.io.out(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const source = report.file ?? 'built-in defaults (no config file found)';
    const line = (i: ConfigIssue) => `  - ${i.path || '(root)'}: ${i.message}\n`;
    if (report.valid) {
      this.io.out(`valid: ${source}${options.env === false ? '' : ' (with the environment)'}\n`);
      if (report.warnings.length) this.io.out(`warnings:\n${report.warnings.map(line).join('')}`);
    } else {
      this.io.out(`invalid: ${source}\n${report.errors.map(line).join('')}`);
    }
  }
}
