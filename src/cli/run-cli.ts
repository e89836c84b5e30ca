import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { CliIo } from './cli-io';
import { CliModule } from './cli.module';
import { exitCodeForCommanderError, isCommanderError } from './commander-setup';
import { EXIT } from './exit-codes';

/**
 * What to do with an error that escaped a command: commander's own (already printed) keep the
 * code CommanderSetup chose; anything else is printed and fails the run.
 */
export function handleCliError(io: CliIo): (error: Error) => void {
  return (error) => {
    if (isCommanderError(error)) {
      io.exitCode = exitCodeForCommanderError(error);
      return;
    }
    io.err(`agent-runner: ${error?.stack ?? String(error)}\n`);
    io.exitCode = EXIT.FAILED;
  };
}

/** Runs the CLI on `argv` (as process.argv: node, script, args…); resolves to how to exit. */
export async function runCli(argv: string[]): Promise<{ exitCode: number; keepAlive: boolean }> {
  // The handler is needed before the module (and its CliIo) exists; it is looked up on use.
  const context: { io?: CliIo } = {};
  const app = await CommandFactory.createWithoutRunning(CliModule, {
    logger: false,
    serviceErrorHandler: (error) => handleCliError(context.io!)(error),
  });
  const cliIo = app.get(CliIo);
  context.io = cliIo;
  try {
    await app.get(CommandRunnerService).run(argv);
  } finally {
    await app.close();
  }
  return { exitCode: cliIo.exitCode, keepAlive: cliIo.keepAlive };
}
