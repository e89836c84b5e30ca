import { LoggerService } from '@nestjs/common';
import type { LogLevel } from '../config/config.schema';

const RANK: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 100,
};

/**
 * A Nest logger for embedded use (library, CLI): one plain line per message on stderr, so stdout
 * stays free for results, filtered by level (default `warn`: start-up chatter is not shown).
 */
export class StderrLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel = 'warn',
    private readonly write: (line: string) => void = (line) => void process.stderr.write(line),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.print('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.print('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.print('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.print('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.print('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.print('fatal', message, rest);
  }

  private print(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (RANK[level] < RANK[this.level]) return;
    // Nest's Logger appends the context (class name) as the last argument.
    const context =
      rest.length && typeof rest[rest.length - 1] === 'string'
        ? (rest[rest.length - 1] as string)
        : undefined;
    const stack =
      level === 'error' && rest.length > 1 && typeof rest[0] === 'string' ? `\n${rest[0]}` : '';
    const text =
      message instanceof Error
        ? (message.stack ?? message.message)
        : typeof message === 'string'
          ? message
          : JSON.stringify(message);
    this.write(
      `[agent-runner] ${level.toUpperCase()}${context ? ` ${context}:` : ''} ${text}${stack}\n`,
    );
  }
}
