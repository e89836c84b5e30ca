import { Command, CommandRunner, Option } from 'nest-commander';
import { isConnectFailure } from '../../agent/store/postgres/postgres-errors';
import { MigrateReport, migrateStore } from '../../agent/store/store-migrate';
import { CliConfigLoader } from '../cli-config.loader';
import { CliIo } from '../cli-io';
import { EXIT, exitCodeForError } from '../exit-codes';

/**
 * `agent-runner migrate [-c file]`: creates or upgrades the schema of the configured task store,
 * then exits; 0 done (or nothing to do), 2 bad configuration or a database that cannot be
 * connected to (unreachable, credentials refused, no such database), 1 anything else (a schema newer than this build, a failed migration). The server does
 * the same at start; this runs it alone, e.g. as a deployment step before the new version starts.
 */
@Command({
  name: 'migrate',
  description:
    'Create or upgrade the task store schema, then exit (0 done, 2 bad config or cannot connect)',
})
export class MigrateCommand extends CommandRunner {
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

  async run(_args: string[], options: { config?: string }): Promise<void> {
    let report: MigrateReport;
    try {
      const { storage } = this.configs.load(options, { memoryStoreByDefault: false }).config;
      report = await migrateStore(storage, this.configs.cwd);
    } catch (e) {
      this.io.err(`agent-runner: ${(e as Error)?.message ?? String(e)}\n`);
      this.io.exitCode = isConnectFailure(e) ? EXIT.USAGE : exitCodeForError(e);
      return;
    }
    this.io.out(`${describe(report)}\n`);
  }
}

function describe(r: MigrateReport): string {
  if (r.driver === 'memory') return 'storage.driver is "memory": nothing to migrate';
  const store = r.driver === 'sqlite' ? `SQLite ${r.target}` : `PostgreSQL at ${r.target}`;
  if (!r.applied.length) return `${store}: schema up to date (version ${r.version})`;
  const versions = r.applied.join(', ');
  return `${store}: applied migration${r.applied.length > 1 ? 's' : ''} ${versions}; schema at version ${r.version}`;
}
