import { CommandRunner, Option, SubCommand } from 'nest-commander';
import type { ConfigIssue } from '../../config/config.validation';
import { checkServiceConfig, ServiceConfigCheck } from '../../config/service-config.check';
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
 * `agent-runner config validate [file]`: the checks the server runs at start-up
 * (checkServiceConfig) on the file (else the usual lookup) with the environment; exit 0 valid,
 * 2 invalid, each problem listed once, warnings too.
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
    let check: ServiceConfigCheck;
    try {
      check = checkServiceConfig({
        configFile: file,
        cwd: this.environment.cwd,
        ...(options.env === false
          ? { env: {}, dotenv: false }
          : { env: this.environment.env, dotenv: this.environment.dotenv }),
      });
    } catch (e) {
      this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
      this.io.exitCode = exitCodeForError(e);
      return;
    }
    const report: ValidationReport = {
      valid: check.errors.length === 0,
      file: check.file ?? null,
      errors: check.errors,
      warnings: check.warnings,
    };
    this.io.exitCode = report.valid ? EXIT.OK : EXIT.USAGE;
    if (options.output === 'json') {
      this.io.out(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const source = report.file ?? file ?? 'built-in defaults (no config file found)';
    const line = (i: ConfigIssue) => `  - ${i.path || '(root)'}: ${i.message}\n`;
    this.io.out(
      report.valid
        ? `valid: ${source}${options.env === false ? '' : ' (with the environment)'}\n`
        : `invalid: ${source}\n${report.errors.map(line).join('')}`,
    );
    if (report.warnings.length) this.io.out(`warnings:\n${report.warnings.map(line).join('')}`);
  }
}
