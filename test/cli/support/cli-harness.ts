import { PassThrough } from 'node:stream';
import { CliEnvironment } from '../../../src/cli/cli-environment';
import { CliIo } from '../../../src/cli/cli-io';
import { CliSignals } from '../../../src/cli/cli-signals';
import { CliModule } from '../../../src/cli/cli.module';
import { handleCliError } from '../../../src/cli/run-cli';
import { CommandTestFactory } from './command-test.factory';

/** A writable that remembers what was written; `isTTY` as asked. */
export class CapturedStream extends PassThrough {
  text = '';
  columns = 80;
  constructor(readonly isTTY = false) {
    super();
    this.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
  }
}

/** Ctrl-C on demand, and a hard exit that is recorded instead of ending the test runner. */
export class FakeSignals extends CliSignals {
  private handlers = new Set<() => void>();
  exits: number[] = [];

  override onInterrupt(handler: () => void): () => void {
    this.handlers.add(handler);
    return () => void this.handlers.delete(handler);
  }

  override exitNow(code: number): never {
    this.exits.push(code);
    return undefined as never;
  }

  get listening(): number {
    return this.handlers.size;
  }

  interrupt(): void {
    for (const h of [...this.handlers]) h();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliTestOptions {
  /** The environment the config is loaded from (never the test runner's). */
  env?: NodeJS.ProcessEnv;
  cwd: string;
  stdin?: PassThrough;
  terminal?: boolean;
  signals?: FakeSignals;
  /** Called once the command is running (e.g. to press Ctrl-C). */
  during?: (io: CliIo) => Promise<void> | void;
}

/** Runs the CLI in process through CommandTestFactory, with captured streams and a fake environment. */
export async function runCommand(args: string[], options: CliTestOptions): Promise<CliRun> {
  const stdout = new CapturedStream(options.terminal);
  const stderr = new CapturedStream(options.terminal);
  const stdin = options.stdin ?? new PassThrough();
  if (options.terminal) Object.assign(stdin, { isTTY: true });
  if (!options.stdin) stdin.end();
  const io = new CliIo({ stdin, stdout, stderr });
  const app = await CommandTestFactory.createTestingCommand(
    { imports: [CliModule] },
    { serviceErrorHandler: handleCliError(io) },
  )
    .overrideProvider(CliIo)
    .useValue(io)
    .overrideProvider(CliEnvironment)
    .useValue(new CliEnvironment(options.env ?? {}, options.cwd, false))
    .overrideProvider(CliSignals)
    .useValue(options.signals ?? new FakeSignals())
    .compile();
  const running = CommandTestFactory.run(app, args);
  await options.during?.(io);
  await running;
  return { code: io.exitCode, stdout: stdout.text, stderr: stderr.text };
}
