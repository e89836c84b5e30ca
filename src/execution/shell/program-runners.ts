/**
 * Programs that run other programs through their own features (not as a wrapper whose next word
 * is the program, see program-catalog's WRAPPERS): awk's system(), sed's `e`, tar's checkpoint
 * actions, find -exec, xargs, git hooks and aliases, make recipes, npm scripts … One entry per
 * program family, each with the reason it is listed.
 *
 * What the policy does with a finding: the commands written literally in the arguments (an awk
 * `system("…")` string, `tar --to-command=…`, `sed '1e …'`, `git -c alias.x='!…'`) are checked
 * like `sh -c` strings in every mode, so a forbidden command is refused inside bubblewrap too;
 * and the finding is a run-time construct, so without the OS sandbox the command is refused.
 */
import type { ShellWord } from './shell-words';
import type { Stdin } from './command-invocations';
import { awkCommands, sedCommands } from './runner-scripts';

/** What one invocation of a listed program may run. */
export interface RunnerFinding {
  /** Why the program may run other programs, worded for the model. */
  reason: string;
  /** Shell code found literally in its arguments (checked like `sh -c` strings). */
  scripts?: string[];
}

/** One catalogue entry: the programs it covers, why they are listed, and when a call is one. */
export interface ProgramRunner {
  programs: RegExp;
  /** Why these programs are listed (docs/security.md shows these). */
  reason: string;
  /** The finding for one call, or undefined when this call runs nothing. Default: every call. */
  detect?: (args: ShellWord[], program: string, stdin: Stdin) => RunnerFinding | undefined;
}

type Args = ShellWord[];

const lit = (w: ShellWord | undefined): string | undefined =>
  w && !w.dynamic ? w.value : undefined;

/** The value of `--name=v`, `--name v`, `-x v` or `-xv` options among `args` (undefined when dynamic). */
function optionValues(args: Args, long: string[], short = ''): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = lit(args[i]);
    if (v === undefined) continue;
    if (v === '--') break;
    for (const name of long) {
      if (v === `--${name}`) out.push(lit(args[++i]));
      else if (v.startsWith(`--${name}=`)) out.push(v.slice(name.length + 3));
    }
    if (short && /^-[A-Za-z]/.test(v) && !v.startsWith('--')) {
      const k = [...v.slice(1)].findIndex((c) => short.includes(c));
      if (k >= 0) out.push(k + 2 < v.length ? v.slice(k + 2) : lit(args[++i]));
    }
  }
  return out;
}

/** The first word that is not an option (skipping the values of `valued` short options). */
function firstOperand(args: Args, valued = ''): ShellWord | undefined {
  for (let i = 0; i < args.length; i++) {
    const v = lit(args[i]);
    if (v === undefined || v === '-' || !v.startsWith('-')) return args[i];
    if (v === '--') return args[i + 1];
    if (!v.startsWith('--') && valued.includes(v[v.length - 1]) && v.length === 2) i++;
  }
  return undefined;
}

function finding(reason: string, scripts: (string | undefined)[] = []): RunnerFinding {
  const known = scripts.filter((s): s is string => s !== undefined && s.trim() !== '');
  return known.length ? { reason, scripts: known } : { reason };
}

function awk(args: Args): RunnerFinding | undefined {
  const reason = 'awk runs commands through system() and pipes';
  if (optionValues(args, ['file', 'exec', 'include', 'load'], 'fEil').length)
    return finding('awk running a program file or extension (it may call system() or pipes)');
  const sources = optionValues(args, ['source'], 'e');
  const program = sources.length ? undefined : firstOperand(args, 'vF');
  const texts = program ? [program.dynamic ? undefined : program.value] : sources;
  if (texts.some((t) => t === undefined)) return finding('an awk program computed at run time');
  const found = texts.map((t) => awkCommands(t!));
  if (!found.some((f) => f.runs)) return undefined;
  return finding(
    reason,
    found.flatMap((f) => f.scripts),
  );
}

function sed(args: Args): RunnerFinding | undefined {
  if (args.some((a) => lit(a) === '--sandbox')) return undefined;
  if (optionValues(args, ['file'], 'f').length)
    return finding('sed running a script file (its e command runs programs)');
  const expressions = optionValues(args, ['expression'], 'e');
  const scripts = expressions.length
    ? expressions
    : [((w) => (w && !w.dynamic ? w.value : undefined))(firstOperand(args, 'l'))];
  if (scripts.some((t) => t === undefined)) return finding('a sed script computed at run time');
  const commands = scripts.map((t) => sedCommands(t!));
  if (commands.includes('unreadable'))
    return finding('a sed script the policy cannot read (its e command runs programs)');
  const runs = (commands as (string | undefined)[][]).flat();
  if (!runs.length) return undefined;
  return finding("sed's e command runs programs", runs);
}

function tar(args: Args): RunnerFinding | undefined {
  const actions = optionValues(args, ['checkpoint-action']);
  const execs = actions.map((a) =>
    a === undefined ? '' : a.startsWith('exec=') ? a.slice(5) : a === 'exec' ? '' : null,
  );
  const commands = [
    ...execs.filter((e) => e !== null),
    ...optionValues(args, ['to-command', 'use-compress-program', 'rsh-command'], 'I'),
  ];
  const scripts = optionValues(args, ['info-script', 'new-volume-script'], 'F');
  const bundled = lit(args[0]);
  const oldStyle = bundled !== undefined && /^[A-Za-z]+$/.test(bundled) && /[IF]/.test(bundled);
  if (!commands.length && !scripts.length && !oldStyle) return undefined;
  return finding(
    'tar runs programs (--checkpoint-action=exec, --to-command, -I/--use-compress-program, -F/--info-script, --rsh-command)',
    commands.map((c) => c ?? undefined),
  );
}

const FIND_ACTIONS = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** Values of `git -c key=value` whose value is a command git runs. */
const GIT_COMMAND_KEYS =
  /^(alias\..+|core\.(pager|sshcommand|editor|fsmonitor|askpass)|sequence\.editor|diff\.external|gpg\.(\w+\.)?program|filter\..+\.(clean|smudge|process)|.+\.textconv|credential\.helper|uploadpack\.packobjectshook|merge\..+\.driver|diff\..+\.command)$/i;

function git(args: Args): RunnerFinding {
  const scripts: (string | undefined)[] = [];
  for (const setting of optionValues(args, ['config-env'], 'c')) {
    if (setting === undefined) continue;
    const eq = setting.indexOf('=');
    const key = eq < 0 ? setting : setting.slice(0, eq);
    const value = eq < 0 ? '' : setting.slice(eq + 1);
    if (GIT_COMMAND_KEYS.test(key)) scripts.push(value.replace(/^!/, ''));
  }
  return finding(
    'git runs hooks, aliases and programs named in its configuration (core.fsmonitor, core.pager, diff.external, filters, credential helpers, -c settings), all of which a task can write',
    scripts,
  );
}

/** Subcommands of a package manager that run no package scripts. */
const QUIET_PACKAGE_COMMANDS = new Set([
  'ls',
  'list',
  'll',
  'la',
  'view',
  'v',
  'info',
  'show',
  'search',
  'help',
  'outdated',
  'doctor',
  'ping',
  'whoami',
  'prefix',
  'root',
  'bin',
  'why',
  'config',
  'get',
]);

function packageManager(args: Args, tool: string): RunnerFinding | undefined {
  const sub = firstOperand(args);
  // A bare `yarn` installs; the others print their help.
  if (sub === undefined && tool !== 'yarn') return undefined;
  if (sub && !sub.dynamic && QUIET_PACKAGE_COMMANDS.has(sub.value)) return undefined;
  return finding(
    `${tool} runs package scripts (lifecycle scripts, run, test, exec) that a task can write`,
  );
}

function sshLike(args: Args): RunnerFinding | undefined {
  const options = optionValues(args, [], 'oFS');
  const commands = options
    .map((o) =>
      o === undefined ? undefined : /^(proxycommand|localcommand)[=\s]/i.exec(o) ? o : null,
    )
    .filter((o) => o !== null);
  if (!commands.length && !args.some((a) => lit(a) === '-F' || lit(a) === '-S')) return undefined;
  return finding(
    'ssh runs local programs from ProxyCommand, LocalCommand, -S or a config file',
    commands.map((c) => c?.replace(/^\w+[=\s]+/, '')),
  );
}

function valued(reason: string, long: string[], short = '') {
  return (args: Args): RunnerFinding | undefined => {
    const values = optionValues(args, long, short);
    return values.length ? finding(reason, values) : undefined;
  };
}

/** The catalogue. */
export const PROGRAM_RUNNERS: ProgramRunner[] = [
  {
    programs: /^(awk|gawk|mawk|nawk|original-awk)$/,
    reason:
      'awk runs commands through system(), pipes (`| "cmd"`, `"cmd" | getline`) and extensions',
    detect: awk,
  },
  {
    programs: /^g?sed$/,
    reason: "sed's `e` command and the `e` flag of `s` run programs (not with --sandbox)",
    detect: sed,
  },
  {
    programs: /^(g|bsd)?tar$/,
    reason:
      'tar runs programs with --checkpoint-action=exec, --to-command, -I/--use-compress-program, -F/--info-script and --rsh-command',
    detect: tar,
  },
  {
    programs: /^find$/,
    reason: 'find runs a program for each file it finds (-exec, -execdir, -ok, -okdir)',
    detect: (args) =>
      args.some((a) => !a.dynamic && FIND_ACTIONS.has(a.value))
        ? finding('find runs a program for each file (-exec, -execdir, -ok, -okdir)')
        : undefined,
  },
  {
    programs: /^xargs$/,
    reason: 'xargs runs a program with arguments it reads at run time',
    detect: () => finding('xargs runs a program with arguments read at run time'),
  },
  {
    programs: /^git$/,
    reason:
      'git runs hooks, aliases and programs named in its configuration (core.fsmonitor, core.pager, diff.external, filters, credential helpers, `-c` settings); a task can write all of them',
    detect: git,
  },
  {
    programs: /^(make|gmake|bmake|pmake|remake|ninja|cmake|just|rake|scons|meson)$/,
    reason:
      'build tools run the recipes of their build files (Makefile, build.ninja …), which a task can write',
  },
  {
    programs: /^(npm|pnpm|yarn|bun|corepack)$/,
    reason:
      'package managers run package scripts (lifecycle scripts, run, test, exec, install); only listing subcommands (ls, view, info, outdated …) run none',
    detect: packageManager,
  },
  {
    programs: /^(npx|pnpx|bunx)$/,
    reason: 'npx runs the program of a package (installed or downloaded)',
    detect: () => finding("npx runs a package's program"),
  },
  {
    programs: /^pip[0-9.]*$/,
    reason: 'pip install/download/wheel run the build code of the packages',
    detect: (args) => {
      const sub = lit(firstOperand(args));
      return sub && ['install', 'download', 'wheel'].includes(sub)
        ? finding('pip runs the build code of the packages it installs')
        : undefined;
    },
  },
  {
    programs: /^(ssh|scp|sftp)$/,
    reason:
      'ssh, scp and sftp run local programs from ProxyCommand, LocalCommand, -S and config files',
    detect: sshLike,
  },
  {
    programs: /^rsync$/,
    reason: 'rsync runs the program given with -e/--rsh (and --rsync-path remotely)',
    detect: valued('rsync runs the program given with -e/--rsh', ['rsh'], 'e'),
  },
  {
    programs: /^zip$/,
    reason: 'zip -T runs the program given with -TT/--unzip-command',
    detect: (args) => {
      const i = args.findIndex((a) => !a.dynamic && /^(-TT|--unzip-command)(=|$)/.test(a.value));
      if (i < 0) return undefined;
      const word = lit(args[i]);
      const value = word?.includes('=') ? word.slice(word.indexOf('=') + 1) : lit(args[i + 1]);
      return finding('zip runs the program given with -TT/--unzip-command', [value]);
    },
  },
  {
    programs: /^man$/,
    reason: 'man runs the pager and browser given with -P/--pager and -H/--html',
    detect: valued(
      'man runs the program given with -P/--pager or -H/--html',
      ['pager', 'html'],
      'PH',
    ),
  },
  {
    programs: /^(socat)$/,
    reason: 'socat runs programs for EXEC: and SYSTEM: addresses',
    detect: (args) => {
      const addresses = args.filter((a) => a.dynamic || /^(exec|system):/i.test(a.value));
      return addresses.length
        ? finding(
            'socat runs programs for EXEC: and SYSTEM: addresses',
            addresses.map((a) =>
              a.dynamic ? undefined : a.value.replace(/^\w+:/, '').split(',')[0],
            ),
          )
        : undefined;
    },
  },
  {
    programs: /^(nc|ncat|netcat|nc\.traditional|nc\.openbsd)$/,
    reason: 'netcat runs programs with -e/-c/--exec/--sh-exec/--lua-exec',
    detect: valued(
      'netcat runs the program given with -e/-c/--exec/--sh-exec',
      ['exec', 'sh-exec', 'lua-exec'],
      'ec',
    ),
  },
  {
    programs: /^(vi|vim|nvim|view|vimdiff|rvim|ex|ed|red|emacs|emacs-nox)$/,
    reason: 'editors run shell commands (`:!cmd`, `!cmd`, --eval, -c, scripts, modelines)',
    detect: () => finding('an editor can run shell commands (:!, !, -c, --eval, scripts)'),
  },
  {
    programs:
      /^(m4|dc|sqlite3|psql|mysql|mariadb|expect|gdb|lldb|tmux|screen|at|batch|crontab|run-parts|dpkg|apt|apt-get|aptitude)$/,
    reason:
      'these run shell commands from their input or arguments (m4 syscmd, dc !, sqlite3 .shell, psql \\!, mysql system, expect, gdb shell, tmux/screen, at/batch/crontab schedule commands, run-parts runs a folder, dpkg/apt run maintainer scripts and hooks)',
    detect: () => finding('this program runs shell commands from its input or arguments'),
  },
];

/** What a listed program may run in this call, or undefined (not listed, or this call runs nothing). */
export function programRunnerFinding(
  program: string,
  args: ShellWord[],
  stdin: Stdin,
): RunnerFinding | undefined {
  const entry = PROGRAM_RUNNERS.find((r) => r.programs.test(program));
  if (!entry) return undefined;
  return entry.detect ? entry.detect(args, program, stdin) : finding(entry.reason);
}
