import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectCommander } from 'nest-commander';
import { packageVersion } from '../common/package-info';
import { CliIo } from './cli-io';
import { EXIT } from './exit-codes';

/** The part of commander's Command this setup touches (nest-commander ships its own copy). */
interface CommanderCommand {
  readonly commands: readonly CommanderCommand[];
  name(name: string): unknown;
  description(text: string): unknown;
  version(version: string, flags?: string): unknown;
  exitOverride(handler: (error: CommanderLikeError) => never): unknown;
  configureOutput(output: { writeOut(text: string): void; writeErr(text: string): void }): unknown;
}

/** commander's CommanderError, recognised by shape. */
export interface CommanderLikeError extends Error {
  code: string;
  exitCode: number;
}

export function isCommanderError(e: unknown): e is CommanderLikeError {
  return (
    e instanceof Error &&
    typeof (e as CommanderLikeError).code === 'string' &&
    (e as CommanderLikeError).code.startsWith('commander.') &&
    typeof (e as CommanderLikeError).exitCode === 'number'
  );
}

/** Help and version exit 0; every other parse problem is bad usage (2), never commander's 1. */
export function exitCodeForCommanderError(e: CommanderLikeError): number {
  return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
    ? EXIT.OK
    : EXIT.USAGE;
}

/**
 * Names the program and routes every command's parse errors and help through the CLI's streams.
 * nest-commander builds subcommands with `new Command()`, which do not inherit these settings
 * from the root, so each one gets them here (otherwise commander calls process.exit(1) itself).
 */
@Injectable()
export class CommanderSetup implements OnApplicationBootstrap {
  constructor(
    @InjectCommander() private readonly root: CommanderCommand,
    private readonly io: CliIo,
  ) {}

  onApplicationBootstrap(): void {
    this.root.name('agent-runner');
    this.root.description(
      'AI agent execution service: run tasks, serve the HTTP API, inspect the configuration.',
    );
    this.root.version(packageVersion(), '-V, --version');
    const visit = (command: CommanderCommand) => {
      command.exitOverride((error) => {
        this.io.exitCode = exitCodeForCommanderError(error);
        throw error;
      });
      command.configureOutput({
        writeOut: (text) => this.io.out(text),
        writeErr: (text) => this.io.err(text),
      });
      command.commands.forEach(visit);
    };
    visit(this.root);
  }
}
