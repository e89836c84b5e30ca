import { Injectable } from '@nestjs/common';

/** Ctrl-C and hard exits, behind a seam so tests can press Ctrl-C without a terminal. */
@Injectable()
export class CliSignals {
  /** Calls `handler` on each SIGINT while registered (the default exit is suppressed). */
  onInterrupt(handler: () => void): () => void {
    process.on('SIGINT', handler);
    return () => void process.off('SIGINT', handler);
  }

  /** Leaves at once (a second Ctrl-C while a cancel is still in progress). */
  exitNow(code: number): never {
    process.exit(code);
  }
}
