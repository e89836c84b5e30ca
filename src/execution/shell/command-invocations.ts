import { basename } from 'node:path';
import type { ExtractedCommand } from './command-extractor';
import type { ShellWord } from './shell-words';
import {
  INTERPRETERS,
  LOOSE_WRAPPERS,
  NAME_TAKING,
  SHELLS,
  WRAPPERS,
  type WrapperSpec,
} from './program-catalog';
import { programRunnerFinding } from './program-runners';
import { readWrapperOptions } from './wrapper-options';

/** One program a simple command runs, directly or through a wrapper (sudo, env, xargs, find -exec …). */
export interface Invocation {
  /** Program name (basename), or null when it is only known at run time. */
  readonly program: string | null;
  /** The program word as written, for messages. */
  readonly written: string;
  /** A glob the program word will be matched against (`/???/r?`), when it has one. */
  readonly programPattern?: string;
  readonly args: ShellWord[];
  /** The program receives further arguments at run time (xargs). */
  readonly runtimeArgs: boolean;
  /** One of several possible readings of an ambiguous wrapper command line. */
  readonly speculative: boolean;
}

/** The programs of one simple command, plus what cannot be known and shell strings to check too. */
export interface InvocationAnalysis {
  invocations: Invocation[];
  dynamic: string[];
  /** Shell code passed as a string (sh -c, eval, trap, su -c …), to be analysed like the top level. */
  scripts: string[];
}

/** Where a command's standard input comes from, as far as it can be known. */
export interface Stdin {
  /** From a pipe or a redirection (not the closed stdin commands get). */
  fed: boolean;
  /** The here-document or here-string text it reads, when that is its input. */
  text?: ShellWord;
}

const MAX_DEPTH = 8;
/** The dynamic loader run as a program (`ld-linux-x86-64.so.2 /bin/rm …`) runs its first operand. */
const DYNAMIC_LOADER = /^ld(-linux)?([-.\w]*)?\.so(\.\d+)*$/;

/** Resolves the programs a simple command runs, through every wrapper. */
export function resolveInvocations(cmd: ExtractedCommand): InvocationAnalysis {
  const out: InvocationAnalysis = { invocations: [], dynamic: [], scripts: [] };
  resolve(cmd.words, { fed: cmd.stdinFed, text: cmd.stdinText }, false, 0, out);
  return out;
}

function resolve(
  words: ShellWord[],
  stdin: Stdin,
  speculative: boolean,
  depth: number,
  out: InvocationAnalysis,
): void {
  if (!words.length) return;
  if (depth > MAX_DEPTH) {
    out.dynamic.push('too many nested wrappers');
    return;
  }
  const [first, ...args] = words;
  if (first.dynamic || first.glob) return unknownProgram(first, args, speculative, out);
  const program = basename(first.value) || first.value;
  out.invocations.push({ program, written: first.value, args, runtimeArgs: false, speculative });

  if (NAME_TAKING.has(program) && args.some((a) => !a.dynamic && /\[[^\]]*[$`]/.test(a.value))) {
    out.dynamic.push('a variable name with an evaluated subscript');
  }
  const runs = programRunnerFinding(program, args, stdin);
  if (runs) {
    out.dynamic.push(runs.reason);
    out.scripts.push(...(runs.scripts ?? []));
  }
  const wrapper = WRAPPERS[program];
  if (wrapper) return unwrap(program, wrapper, args, stdin, speculative, depth, out);
  if (LOOSE_WRAPPERS.has(program) || DYNAMIC_LOADER.test(program))
    return looseWrapper(args, stdin, depth, out);
  if (program === 'find') return findExec(args, stdin, speculative, depth, out);
  if (SHELLS.has(program)) return shell(program, args, stdin, out);
  const interpreter = INTERPRETERS.find((i) => i.pattern.test(program));
  if (interpreter) return interpreted(program, interpreter.inline, args, stdin, out);
  builtin(program, args, out);
}

/** A program word only known at run time (or a glob): recorded with its pattern, if any. */
function unknownProgram(
  first: ShellWord,
  args: ShellWord[],
  speculative: boolean,
  out: InvocationAnalysis,
): void {
  const programPattern = first.dynamic ? undefined : basename(first.value) || first.value;
  out.invocations.push({
    program: null,
    written: text(first),
    programPattern,
    args,
    runtimeArgs: false,
    speculative,
  });
  out.dynamic.push('a program chosen at run time');
}

/** Shell builtins that evaluate code or rebind commands. */
function builtin(program: string, args: ShellWord[], out: InvocationAnalysis): void {
  switch (program) {
    case 'eval':
      out.dynamic.push('eval');
      return addScript(args, out);
    case 'trap': {
      const handler = args[0];
      if (handler && !(!handler.dynamic && handler.value.startsWith('-'))) {
        out.dynamic.push('a trap handler');
        addScript([handler], out);
      }
      return;
    }
    case 'alias':
      return void out.dynamic.push('alias definitions');
    case 'let':
      return void out.dynamic.push('arithmetic evaluation');
    case 'hash':
      if (args.some((a) => a.dynamic || a.value.startsWith('-p')))
        out.dynamic.push('hash -p (rebinding a command name)');
      return;
    case 'enable':
      if (args.some((a) => a.dynamic || /^-[a-z]*f/.test(a.value)))
        out.dynamic.push('enable -f (loading a builtin)');
      return;
    case 'mapfile':
    case 'readarray':
      if (args.some((a) => a.dynamic || a.value.startsWith('-C')))
        out.dynamic.push('a mapfile callback');
      return;
  }
}

function unwrap(
  program: string,
  spec: WrapperSpec,
  args: ShellWord[],
  stdin: Stdin,
  speculative: boolean,
  depth: number,
  out: InvocationAnalysis,
): void {
  const options = readWrapperOptions(spec, args);
  if (options.kind === 'runs-nothing') return;
  if (options.kind === 'shell-string') {
    addScript(options.script ? [options.script] : [], out);
    out.dynamic.push(`${program} ${options.option} (a shell command string)`);
    return;
  }
  if (options.kind === 'ambiguous') {
    out.dynamic.push(`an option of ${program} that cannot be read before the run`);
    for (let j = options.start; j < args.length; j++)
      resolve(args.slice(j), stdin, true, depth + 1, out);
    return;
  }
  const rest = args.slice(options.start);
  if (options.joinShell && rest.length) {
    out.dynamic.push(`${program} running its command through a shell`);
    return addScript(rest, out);
  }
  if (program === 'watch') {
    if (!args.some((a) => !a.dynamic && (a.value === '-x' || a.value === '--exec'))) {
      out.dynamic.push('watch (runs its command through a shell)');
      return addScript(rest, out);
    }
  }
  if (program === 'su' || program === 'runuser') return;
  if (!rest.length) {
    if (spec.defaultProgram)
      resolve(
        [{ dynamic: false, value: spec.defaultProgram, glob: false }],
        stdin,
        speculative,
        depth + 1,
        out,
      );
    return;
  }
  if (spec.runtimeArgs) {
    // xargs appends words read at run time, which may be options.
    const before = out.invocations.length;
    resolve(rest, stdin, speculative, depth + 1, out);
    const target = out.invocations[before];
    if (target) out.invocations[before] = { ...target, runtimeArgs: true };
    return;
  }
  resolve(rest, stdin, speculative, depth + 1, out);
}

/** Any later word may be the program; the first non-option is the likely one. */
function looseWrapper(
  args: ShellWord[],
  stdin: Stdin,
  depth: number,
  out: InvocationAnalysis,
): void {
  const first = args.findIndex((a) => a.dynamic || !a.value.startsWith('-'));
  if (first < 0) return;
  resolve(args.slice(first), stdin, false, depth + 1, out);
  for (let j = first + 1; j < args.length; j++) resolve(args.slice(j), stdin, true, depth + 1, out);
}

function findExec(
  args: ShellWord[],
  stdin: Stdin,
  speculative: boolean,
  depth: number,
  out: InvocationAnalysis,
): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.dynamic) {
      out.dynamic.push('a find expression computed at run time');
      continue;
    }
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(a.value)) continue;
    let end = i + 1;
    while (end < args.length && !isFindTerminator(args[end])) end++;
    resolve(args.slice(i + 1, end), stdin, speculative, depth + 1, out);
    i = end;
  }
}

function isFindTerminator(w: ShellWord): boolean {
  return !w.dynamic && (w.value === ';' || w.value === '+');
}

function shell(program: string, args: ShellWord[], stdin: Stdin, out: InvocationAnalysis): void {
  let commandString = false;
  let readsStdin = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a.dynamic) {
      out.dynamic.push(`${program} with options computed at run time`);
      return;
    }
    const v = a.value;
    if (v === '--' || v === '-') {
      i++;
      readsStdin ||= v === '-';
      break;
    }
    if (v.startsWith('--')) {
      if (v === '--rcfile' || v === '--init-file') i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(v)) {
      if (v.includes('c') && v.startsWith('-')) commandString = true;
      if (v.includes('s') && v.startsWith('-')) readsStdin = true;
      if (/[oO]$/.test(v)) i++;
      continue;
    }
    break;
  }
  if (commandString) {
    out.dynamic.push(`${program} -c (a shell command string)`);
    return addScript(args.slice(i, i + 1), out);
  }
  if (!(readsStdin || i >= args.length) || !stdin.fed) return;
  // A here-document or here-string is a command string like sh -c's: checked when its text is known.
  if (stdin.text) {
    out.dynamic.push(`${program} reading commands from a here-document or here-string`);
    return addScript([stdin.text], out);
  }
  out.dynamic.push(`${program} reading commands from its input`);
}

function interpreted(
  program: string,
  inline: string[],
  args: ShellWord[],
  stdin: Stdin,
  out: InvocationAnalysis,
): void {
  const hasInline = args.some((a) => {
    if (a.dynamic) return false;
    const v = a.value.toLowerCase();
    return inline.some((flag) =>
      flag.startsWith('--') || flag.length > 2 || !flag.startsWith('-')
        ? v === flag || v.startsWith(`${flag}=`)
        : /^-[a-z]+$/i.test(a.value) && a.value.slice(1).includes(flag[1]),
    );
  });
  if (hasInline) return void out.dynamic.push(`${program} running code given on the command line`);
  const operand = args.find((a) => a.dynamic || !a.value.startsWith('-') || a.value === '-');
  if (stdin.fed && (!operand || (!operand.dynamic && operand.value === '-'))) {
    out.dynamic.push(`${program} reading code from its input`);
  }
  if (args.some((a) => a.dynamic))
    out.dynamic.push(`${program} with arguments computed at run time`);
}

/** Joins words into a shell string to analyse; a dynamic part makes it unknowable. */
function addScript(words: ShellWord[], out: InvocationAnalysis): void {
  if (!words.length) return;
  if (words.some((w) => w.dynamic)) {
    out.dynamic.push('a shell command string computed at run time');
    return;
  }
  out.scripts.push(words.map((w) => (w.dynamic ? '' : w.value)).join(' '));
}

function text(w: ShellWord): string {
  return w.dynamic ? w.text : w.value;
}
