import type { WrapperSpec } from './program-catalog';
import type { ShellWord } from './shell-words';

/**
 * What a wrapper's own options (sudo -u x, env -i, timeout 5 …) say, read by its WrapperSpec:
 * - `command`: its command starts at `start`; `joinShell` when an option makes it run that
 *   command through a shell (sudo -s);
 * - `ambiguous`: the word at `start` is an option that cannot be read before the run;
 * - `runs-nothing`: an option after which no program runs (command -v);
 * - `shell-string`: an option whose value is a shell command string (`script`, if given).
 */
export type WrapperOptions =
  | { kind: 'command'; start: number; joinShell: boolean }
  | { kind: 'ambiguous'; start: number }
  | { kind: 'runs-nothing' }
  | { kind: 'shell-string'; option: string; script: ShellWord | undefined };

/** One option word read: how many words it took and whether it makes the wrapper use a shell. */
type OptionStep =
  | { kind: 'option'; advance: number; joinShell?: boolean }
  | { kind: 'ambiguous' }
  | Extract<WrapperOptions, { kind: 'shell-string' }>;

export function readWrapperOptions(spec: WrapperSpec, args: ShellWord[]): WrapperOptions {
  let operands = spec.operands ?? 0;
  let joinShell = false;
  let i = 0;
  while (i < args.length) {
    const w = args[i];
    if (w.dynamic || w.glob) return { kind: 'ambiguous', start: i };
    const v = w.value;
    if (v === '--') {
      i++;
      break;
    }
    if (spec.noRun?.some((o) => v === o || v.startsWith(`${o}=`))) return { kind: 'runs-nothing' };
    let step: OptionStep;
    if (v.startsWith('--') && v.length > 2) step = longOption(spec, w, args[i + 1]);
    else if (v.startsWith('-') && v.length > 1) step = shortOptions(spec, v, args[i + 1]);
    else if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v))
      step = { kind: 'option', advance: 1 };
    else if (operands > 0) {
      operands--;
      step = { kind: 'option', advance: 1 };
    } else break;
    if (step.kind === 'ambiguous') return { kind: 'ambiguous', start: i };
    if (step.kind === 'shell-string') return step;
    if (step.joinShell) joinShell = true;
    i += step.advance;
  }
  return { kind: 'command', start: i, joinShell };
}

/** `--name`, `--name=value` or `--name value`. */
function longOption(
  spec: WrapperSpec,
  word: ShellWord & { dynamic: false },
  next: ShellWord | undefined,
): OptionStep {
  const [name, value] = splitLong(word.value);
  if (spec.shellValue?.includes(`--${name}`))
    return { kind: 'shell-string', option: `--${name}`, script: value !== undefined ? word : next };
  if (spec.joinShell?.includes(`--${name}`)) return { kind: 'option', advance: 1, joinShell: true };
  if (spec.longValue?.includes(name))
    return { kind: 'option', advance: value === undefined ? 2 : 1 };
  if (!spec.long?.includes(name)) return { kind: 'ambiguous' };
  return { kind: 'option', advance: 1 };
}

/** A cluster of short options (`-abc`, `-uNAME`, `-u NAME`), or a numeric option (`-5`). */
function shortOptions(spec: WrapperSpec, v: string, next: ShellWord | undefined): OptionStep {
  if (spec.numeric && /^-\d+$/.test(v)) return { kind: 'option', advance: 1 };
  let consumedNext = false;
  let joinShell = false;
  for (let k = 1; k < v.length; k++) {
    const opt = `-${v[k]}`;
    if (spec.shellValue?.includes(opt)) {
      const rest = v.slice(k + 1);
      const script: ShellWord | undefined = rest
        ? { dynamic: false, value: rest, glob: false }
        : next;
      return { kind: 'shell-string', option: opt, script };
    }
    if (spec.joinShell?.includes(opt)) joinShell = true;
    else if (spec.shortValue?.includes(v[k])) {
      if (k === v.length - 1) consumedNext = true;
      break;
    } else if (!spec.short?.includes(v[k])) return { kind: 'ambiguous' };
  }
  return { kind: 'option', advance: consumedNext ? 2 : 1, joinShell };
}

function splitLong(v: string): [string, string | undefined] {
  const eq = v.indexOf('=');
  return eq < 0 ? [v.slice(2), undefined] : [v.slice(2, eq), v.slice(eq + 1)];
}
