import type { Invocation } from './command-invocations';
import type { ShellWord } from './shell-words';

/**
 * A link a command line creates (`ln`, `link`, `cp -s`, `cp -l`). Without the OS sandbox a link
 * made in the workspace and used later in the same line (`ln -s /outside l && echo x > l/f`)
 * would carry a write out of the roots, so the run-command tool checks where each one points.
 */
export interface LinkOperation {
  /** The program and its words, for messages. */
  readonly text: string;
  /** What the link points to: absolute, or relative to `base`. */
  readonly target: ShellWord;
  readonly symbolic: boolean;
  /**
   * Folders a relative target is resolved from (as written, relative to the command's folder):
   * the link's folder; several when the words do not settle it. Empty = the command's folder.
   */
  readonly bases: ShellWord[];
  /** Words of the call that could not be read (an option computed at run time …). */
  readonly unreadable?: string;
}

interface Parsed {
  flags: Set<string>;
  values: Map<string, ShellWord | undefined>;
  operands: ShellWord[];
  unreadable?: string;
}

/** getopt-style parse: `short` flags, `shortValued` options with a value, long names mapped to short ones. */
function parse(
  args: ShellWord[],
  short: string,
  shortValued: string,
  long: Record<string, string>,
): Parsed {
  const out: Parsed = { flags: new Set(), values: new Map(), operands: [] };
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.dynamic) {
      if (options) out.unreadable = `a word computed at run time (${a.text})`;
      out.operands.push(a);
      continue;
    }
    const v = a.value;
    if (!options || v === '-' || !v.startsWith('-')) {
      out.operands.push(a);
      continue;
    }
    if (v === '--') {
      options = false;
      continue;
    }
    if (v.startsWith('--')) {
      const [name, value] = v.slice(2).split(/=(.*)/s, 2);
      const key =
        Object.keys(long).find((k) => k === name) ??
        Object.keys(long).find((k) => k.startsWith(name));
      if (!key) {
        out.unreadable = `the option ${v}`;
        continue;
      }
      const flag = long[key];
      if (!flag) continue;
      if (shortValued.includes(flag))
        out.values.set(
          flag,
          value !== undefined ? { dynamic: false, value, glob: false } : args[++i],
        );
      else out.flags.add(flag);
      continue;
    }
    for (let k = 1; k < v.length; k++) {
      const c = v[k];
      if (shortValued.includes(c)) {
        const rest = v.slice(k + 1);
        out.values.set(c, rest ? { dynamic: false, value: rest, glob: false } : args[++i]);
        break;
      }
      if (!short.includes(c)) out.unreadable = `the option -${c}`;
      out.flags.add(c);
    }
  }
  return out;
}

const LN_LONG: Record<string, string> = {
  backup: 'b',
  directory: 'd',
  force: 'f',
  interactive: 'i',
  logical: 'L',
  'no-dereference': 'n',
  physical: 'P',
  relative: 'r',
  symbolic: 's',
  suffix: 'S',
  'target-directory': 't',
  'no-target-directory': 'T',
  verbose: 'v',
  help: 'h',
  version: 'V',
};

const CP_LONG: Record<string, string> = {
  archive: 'a',
  'attributes-only': '',
  backup: 'b',
  force: 'f',
  interactive: 'i',
  link: 'l',
  dereference: 'L',
  'no-clobber': 'n',
  'no-dereference': 'P',
  preserve: '',
  'no-preserve': '',
  parents: '',
  recursive: 'R',
  'remove-destination': '',
  'strip-trailing-slashes': '',
  'symbolic-link': 's',
  suffix: 'S',
  'target-directory': 't',
  'no-target-directory': 'T',
  update: 'u',
  verbose: 'v',
  'one-file-system': 'x',
  reflink: '',
  sparse: '',
};

/** The links one program call creates. */
export function linkOperations(inv: Invocation): LinkOperation[] {
  if (!inv.program) return [];
  const text = [inv.written, ...inv.args.map((a) => (a.dynamic ? a.text : a.value))].join(' ');
  let parsed: Parsed;
  let symbolic: boolean;
  let relativeToCwd = false;
  if (inv.program === 'ln') {
    parsed = parse(inv.args, 'bdfFinLPrsTvhV', 'St', LN_LONG);
    symbolic = parsed.flags.has('s');
    relativeToCwd = parsed.flags.has('r');
  } else if (inv.program === 'link') {
    parsed = parse(inv.args, '', '', {});
    symbolic = false;
  } else if (inv.program === 'cp') {
    parsed = parse(inv.args, 'abdfHilLnPpRrsTuvxZ', 'St', CP_LONG);
    symbolic = parsed.flags.has('s');
    if (!symbolic && !parsed.flags.has('l')) return [];
  } else return [];

  const directory = parsed.values.get('t');
  const ops = parsed.operands;
  if (directory === undefined && parsed.values.has('t'))
    parsed.unreadable ??= 'a target directory that is missing';
  let targets: ShellWord[];
  let bases: ShellWord[];
  if (directory) {
    targets = ops;
    bases = [directory];
  } else if (ops.length <= 1) {
    targets = ops;
    bases = [];
  } else {
    targets = ops.slice(0, -1);
    const at = ops[ops.length - 1];
    // The last word is the link itself or the folder it goes into: resolve from both.
    bases = at.dynamic ? [at] : [at, { ...at, value: parentOf(at.value) }];
  }
  if (relativeToCwd) bases = [];
  return targets.map((target) => ({
    text,
    target,
    symbolic,
    bases,
    ...(parsed.unreadable ? { unreadable: parsed.unreadable } : {}),
  }));
}

function parentOf(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : trimmed.slice(0, i);
}
