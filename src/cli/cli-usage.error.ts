/**
 * Bad command-line input (exit code 2). Carries commander's invalid-argument code, so when an
 * option parser throws it commander reports it as `error: option '…' argument '…' is invalid.`
 */
export class CliUsageError extends Error {
  readonly code = 'commander.invalidArgument';
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
