/**
 * What the command policy knows about programs: wrappers that run another program (with their
 * option syntax), shells, interpreters that take code on the command line, and builtins that
 * evaluate variable names.
 */

/** getopt-style description of a program that runs another program. */
export interface WrapperSpec {
  /** Short options without a value. */
  short?: string;
  /** Short options that take a value (attached or next word). */
  shortValue?: string;
  long?: string[];
  longValue?: string[];
  /** Operands before the program (timeout DURATION, chroot DIR, flock FILE …). */
  operands?: number;
  /** Options after which no program runs (command -v, taskset -p). */
  noRun?: string[];
  /** Options whose value is a shell command string. */
  shellValue?: string[];
  /** Options after which the program and its arguments are joined and run by a shell (sudo -s). */
  joinShell?: string[];
  /** NAME=VALUE words may precede the program. */
  assignments?: boolean;
  /** `-5`-style numeric options (nice). */
  numeric?: boolean;
  /** Program run when none is given. */
  defaultProgram?: string;
  /** The program gets more arguments at run time. */
  runtimeArgs?: boolean;
}

export const WRAPPERS: Record<string, WrapperSpec> = {
  command: { short: 'p', noRun: ['-v', '-V'] },
  builtin: {},
  exec: { short: 'cl', shortValue: 'a' },
  nohup: {},
  coproc: {},
  time: {
    short: 'pav',
    shortValue: 'fo',
    long: ['portability', 'append', 'verbose', 'quiet'],
    longValue: ['format', 'output'],
  },
  env: {
    short: 'i0v',
    shortValue: 'uC',
    long: [
      'ignore-environment',
      'null',
      'debug',
      'default-signal',
      'ignore-signal',
      'block-signal',
      'list-signal-handling',
    ],
    longValue: ['unset', 'chdir'],
    shellValue: ['-S', '--split-string'],
    assignments: true,
  },
  sudo: {
    short: 'AbEHKklnPSVv',
    shortValue: 'ugpCDrtTUR',
    long: [
      'askpass',
      'background',
      'preserve-env',
      'set-home',
      'remove-timestamp',
      'reset-timestamp',
      'list',
      'non-interactive',
      'preserve-groups',
      'stdin',
      'validate',
      'version',
    ],
    longValue: [
      'user',
      'group',
      'prompt',
      'close-from',
      'chdir',
      'chroot',
      'role',
      'type',
      'command-timeout',
      'other-user',
      'host',
    ],
    joinShell: ['-s', '-i', '--shell', '--login'],
    assignments: true,
  },
  doas: { short: 'nLs', shortValue: 'uC' },
  nice: { shortValue: 'n', longValue: ['adjustment'], numeric: true },
  timeout: {
    short: 'v',
    shortValue: 'sk',
    long: ['preserve-status', 'foreground', 'verbose'],
    longValue: ['signal', 'kill-after'],
    operands: 1,
  },
  stdbuf: { shortValue: 'ioe', longValue: ['input', 'output', 'error'] },
  setsid: { short: 'cfw', long: ['ctty', 'fork', 'wait'] },
  ionice: { short: 't', shortValue: 'cn', noRun: ['-p', '-P', '-u'] },
  taskset: { short: 'ac', noRun: ['-p', '--pid'], operands: 1 },
  chrt: { short: 'abdfiormRv', shortValue: 'TPD', noRun: ['-p', '--pid'], operands: 1 },
  flock: {
    short: 'sxenouF',
    shortValue: 'wE',
    long: ['shared', 'exclusive', 'nonblock', 'close', 'unlock', 'no-fork', 'verbose'],
    longValue: ['timeout', 'conflict-exit-code'],
    shellValue: ['-c', '--command'],
    operands: 1,
  },
  xargs: {
    short: '0ortpx',
    shortValue: 'adEILnPs',
    long: ['null', 'open-tty', 'no-run-if-empty', 'interactive', 'verbose', 'exit', 'show-limits'],
    longValue: [
      'arg-file',
      'delimiter',
      'eof',
      'replace',
      'max-lines',
      'max-args',
      'max-procs',
      'max-chars',
      'process-slot-var',
    ],
    defaultProgram: 'echo',
    runtimeArgs: true,
  },
  chroot: { long: ['skip-chdir'], longValue: ['userspec', 'groups'], operands: 1 },
  busybox: {},
  watch: {
    short: 'bcdegptx',
    shortValue: 'nq',
    long: ['beep', 'color', 'differences', 'errexit', 'chgexit', 'precise', 'no-title', 'exec'],
    longValue: ['interval'],
  },
  su: { short: 'lmpfP', shortValue: 'gGsw', shellValue: ['-c', '--command', '--session-command'] },
  runuser: {
    short: 'lmpfP',
    shortValue: 'gGsuw',
    shellValue: ['-c', '--command', '--session-command'],
  },
  strace: { short: 'cCdDfFhiknqrtTvVwxyYz', shortValue: 'abeEIoOpPsSuUX' },
  ltrace: { short: 'bcCfhiLrStTV', shortValue: 'aAeFlnopsuwx' },
  prlimit: { short: 'v', shortValue: 'p', noRun: ['-p', '--pid'] },
  script: { short: 'aefqT', shortValue: 'EIOBtm', shellValue: ['-c', '--command'], operands: 0 },
};

/** Wrappers whose options are too many to describe: the program is found, but other readings are checked too. */
export const LOOSE_WRAPPERS = new Set([
  'unshare',
  'nsenter',
  'valgrind',
  'perf',
  'firejail',
  'bwrap',
  'systemd-run',
  'sg',
  'catchsegv',
  'unbuffer',
  'faketime',
  'proot',
  'fakeroot',
  'torsocks',
  'proxychains',
  'proxychains4',
  'nocache',
  'eatmydata',
  'cgexec',
  'numactl',
  'ssh-agent',
  'dbus-launch',
  'xvfb-run',
  'pkexec',
  'tini',
  'dumb-init',
  'chpst',
  'setpriv',
  'capsh',
  'runcon',
  'parallel',
  'gdb',
]);

export const SHELLS = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'mksh',
  'ash',
  'yash',
  'posh',
  'rbash',
  'lksh',
  'oksh',
  'pdksh',
  'fish',
  'csh',
  'tcsh',
]);

/** Interpreters and the options that hand them code on the command line. */
export const INTERPRETERS: { pattern: RegExp; inline: string[] }[] = [
  { pattern: /^(python|pypy)[0-9.]*$/, inline: ['-c'] },
  { pattern: /^perl[0-9.]*$/, inline: ['-e', '-E'] },
  { pattern: /^ruby[0-9.]*$/, inline: ['-e'] },
  { pattern: /^(node|nodejs)$/, inline: ['-e', '-p', '--eval', '--print'] },
  { pattern: /^(bun|deno)$/, inline: ['-e', '--eval', 'eval'] },
  { pattern: /^php[0-9.]*$/, inline: ['-r'] },
  { pattern: /^(lua|luajit)[0-9.]*$/, inline: ['-e'] },
  { pattern: /^Rscript$/, inline: ['-e'] },
  { pattern: /^(pwsh|powershell)$/, inline: ['-c', '-command', '-encodedcommand', '-e', '-ec'] },
  { pattern: /^osascript$/, inline: ['-e'] },
  { pattern: /^(tclsh|wish)[0-9.]*$/, inline: [] },
];

/** Builtins that take variable names, where a subscript is evaluated as arithmetic (and may run code). */
export const NAME_TAKING = new Set([
  'printf',
  'read',
  'declare',
  'typeset',
  'local',
  'export',
  'readonly',
  'unset',
  'mapfile',
  'readarray',
  'test',
  '[',
  'getopts',
  'wait',
  'let',
]);
