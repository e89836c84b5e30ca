import { dirname } from 'node:path';

/** Variables passed through from the service's environment (never keys or config). */
const PASSED_THROUGH = ['LANG', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TZ'];

/** Names a task may not set: they change how the shell, the loader or runtimes start. */
const FORBIDDEN_NAME =
  /^(LD_|DYLD_|BASH_FUNC_|GCONV_|MALLOC_)|^(BASH_ENV|ENV|SHELLOPTS|BASHOPTS|IFS|PS4|PROMPT_COMMAND|GLOBIGNORE|CDPATH|NODE_OPTIONS|NODE_PATH|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|PERL5OPT|PERL5LIB|PERLLIB|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|HOME|TMPDIR|PATH|AGENT_RUNNER_.*)$/;

const VALID_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Why each of a task's environment variables is refused (empty when all are fine). */
export function environmentProblems(env: Record<string, unknown> | undefined): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!VALID_NAME.test(name)) problems.push(`${name}: names must match [A-Z_][A-Z0-9_]*`);
    else if (FORBIDDEN_NAME.test(name)) problems.push(`${name}: may not be set by a task`);
    else if (typeof value !== 'string') problems.push(`${name}: value must be a string`);
    else if (value.includes('\0')) problems.push(`${name}: value contains a NUL character`);
  }
  return problems;
}

export interface ChildEnvironmentOptions {
  /** HOME and TMPDIR of the command. */
  home: string;
  /** The task's `context.environment`. */
  task?: Record<string, string>;
  /** Marks every process of one command, so stray ones can be found. */
  marker: { name: string; value: string };
  /** Environment of the service (only a few locale variables are read). */
  serviceEnv?: NodeJS.ProcessEnv;
}

/**
 * A scrubbed environment: a short allowlist, a fixed PATH, HOME/TMPDIR pointing at a private
 * folder and the task's variables (minus names that could inject code). Nothing of the service
 * (keys, config variables) gets through.
 */
export function buildChildEnvironment(options: ChildEnvironmentOptions): Record<string, string> {
  const source = options.serviceEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const v = source[name];
    if (v !== undefined) env[name] = v;
  }
  env.LANG ??= 'C.UTF-8';
  const nodeDir = dirname(process.execPath);
  const system = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  env.PATH = [...new Set([...system, nodeDir])].join(':');
  for (const [name, value] of Object.entries(options.task ?? {})) {
    if (
      VALID_NAME.test(name) &&
      !FORBIDDEN_NAME.test(name) &&
      typeof value === 'string' &&
      !value.includes('\0')
    ) {
      env[name] = value;
    }
  }
  env.HOME = options.home;
  env.TMPDIR = options.home;
  env.TERM = 'dumb';
  env.NO_COLOR = '1';
  env[options.marker.name] = options.marker.value;
  return env;
}
