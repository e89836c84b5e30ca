/** The streams a CLI run reads and writes (process streams, or buffers in tests). */
export interface CliStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/**
 * Where commands write (results on stdout, progress, prompts and logs on stderr) and the exit
 * code they leave behind. Injected, so tests capture output and codes without a subprocess.
 */
export class CliIo {
  /** 0 completed, 1 failed or timed out, 2 bad usage or configuration, 130 interrupted. */
  exitCode = 0;
  /** Set by `serve`: the process must stay up after the command returns. */
  keepAlive = false;

  constructor(readonly streams: CliStreams) {}

  static forProcess(): CliIo {
    return new CliIo({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  }

  out(text: string): void {
    this.streams.stdout.write(text);
  }

  err(text: string): void {
    this.streams.stderr.write(text);
  }

  /** Live progress (cursor moves, one line redrawn) only makes sense on a terminal. */
  get stderrIsTerminal(): boolean {
    return this.streams.stderr.isTTY === true;
  }

  get stdinIsTerminal(): boolean {
    return this.streams.stdin.isTTY === true;
  }

  get columns(): number {
    return this.streams.stderr.columns || 100;
  }
}
