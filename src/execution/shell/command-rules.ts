import { basename } from 'node:path';
import type { Invocation } from './command-invocations';

/** A `forbidden_commands` or `allowed_commands` entry: a program, flags it must carry, operands it must name. */
export interface CommandRule {
  readonly text: string;
  readonly program: string;
  readonly flags: string[];
  readonly operands: string[];
}

/** How an invocation meets a rule: surely, or only if a run-time word turns out a certain way. */
export type RuleMatch = 'match' | 'possible' | undefined;

interface OptionTable {
  /** Short options that mean the same as another (rm -R = rm -r). */
  short?: Record<string, string>;
  /** Long options → their short equivalent ('' = no short form; GNU accepts unique prefixes). */
  long: Record<string, string>;
}

const RECURSIVE_FORCE: OptionTable = {
  short: { R: 'r' },
  long: {
    recursive: 'r',
    force: 'f',
    interactive: 'i',
    dir: 'd',
    verbose: 'v',
    'one-file-system': '',
    'no-preserve-root': '',
    'preserve-root': '',
    help: '',
    version: '',
  },
};

/** Option synonyms of programs a policy commonly names. */
const OPTION_TABLES: Record<string, OptionTable> = {
  rm: RECURSIVE_FORCE,
  cp: {
    short: { R: 'r' },
    long: {
      recursive: 'r',
      force: 'f',
      archive: 'a',
      'no-dereference': 'P',
      link: 'l',
      'symbolic-link': 's',
      interactive: 'i',
      verbose: 'v',
    },
  },
  mv: { long: { force: 'f', interactive: 'i', 'no-clobber': 'n', verbose: 'v', update: 'u' } },
  chmod: {
    long: { recursive: 'R', verbose: 'v', changes: 'c', silent: 'f', quiet: 'f', reference: '' },
  },
  chown: {
    long: {
      recursive: 'R',
      verbose: 'v',
      changes: 'c',
      silent: 'f',
      quiet: 'f',
      dereference: '',
      'no-dereference': 'h',
      reference: '',
    },
  },
  chgrp: {
    long: {
      recursive: 'R',
      verbose: 'v',
      changes: 'c',
      silent: 'f',
      quiet: 'f',
      dereference: '',
      'no-dereference': 'h',
      reference: '',
    },
  },
  shred: {
    long: {
      force: 'f',
      iterations: 'n',
      'random-source': '',
      size: 's',
      remove: 'u',
      verbose: 'v',
      exact: 'x',
      zero: 'z',
    },
  },
  git: {
    long: { force: 'f', 'force-with-lease': '', 'force-if-includes': '', hard: '', recursive: 'r' },
  },
  kill: { long: { signal: 's', list: 'l', table: 'L' } },
};

/** Programs whose options are single-dash words (`find -delete`), not clusters of letters. */
const WORD_OPTIONS = new Set(['find', 'java', 'dd']);

/** Parses a rule such as "rm -rf" or "git push --force". */
export function parseRule(text: string): CommandRule | undefined {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return undefined;
  const program = basename(words[0]);
  const { flags, operands } = classify(program, words.slice(1));
  return { text: text.trim(), program, flags: [...flags], operands };
}

/** Whether `inv` is covered by `rule`; program families count (`mkfs` covers `mkfs.ext4`). */
export function matchRule(rule: CommandRule, inv: Invocation): RuleMatch {
  if (!inv.program) return matchUnknownProgram(rule, inv);
  if (inv.program !== rule.program && !inv.program.startsWith(`${rule.program}.`)) return undefined;
  if (!rule.flags.length && !rule.operands.length) return 'match';
  return matchArgs(rule, invocationArgs(inv));
}

/**
 * A program known only at run time: a glob that can name the rule's program may be it; otherwise
 * arguments that carry exactly the rule's flags and operands are suspicious enough.
 */
function matchUnknownProgram(rule: CommandRule, inv: Invocation): RuleMatch {
  if (inv.programPattern !== undefined) {
    if (!globToRegExp(inv.programPattern).test(rule.program)) return undefined;
    if (!rule.flags.length && !rule.operands.length) return 'possible';
    return matchArgs(rule, invocationArgs(inv)) ? 'possible' : undefined;
  }
  if (!rule.flags.length && !rule.operands.length) return undefined;
  return matchArgs(rule, invocationArgs(inv)) === 'match' ? 'possible' : undefined;
}

function matchArgs(rule: CommandRule, args: InvocationArgs): RuleMatch {
  let possible = false;
  for (const f of rule.flags) {
    if (args.flags.has(f)) continue;
    if (!args.optionWildcard) return undefined;
    possible = true;
  }
  for (const o of rule.operands) {
    if (args.operands.includes(o)) continue;
    if (!args.operandWildcard) return undefined;
    possible = true;
  }
  return possible ? 'possible' : 'match';
}

interface InvocationArgs {
  flags: Set<string>;
  operands: string[];
  /** A word known only at run time (or a glob that may match "-rf") may add any option. */
  optionWildcard: boolean;
  operandWildcard: boolean;
}

function invocationArgs(inv: Invocation): InvocationArgs {
  const program = inv.program ?? '';
  const statics: string[] = [];
  let optionWildcard = inv.runtimeArgs;
  let operandWildcard = inv.runtimeArgs;
  let endOfOptions = false;
  for (const a of inv.args) {
    if (a.dynamic) {
      operandWildcard = true;
      optionWildcard ||= !endOfOptions;
      continue;
    }
    if (a.value === '--') endOfOptions = true;
    if (a.glob) {
      operandWildcard = true;
      if (!endOfOptions && /^[-*?[]/.test(a.value)) optionWildcard = true;
      continue;
    }
    statics.push(a.value);
  }
  const { flags, operands } = classify(program, statics);
  return { flags, operands, optionWildcard, operandWildcard };
}

/** Splits words into normalised flags and operands; GNU-style, options may follow operands until `--`. */
function classify(program: string, words: string[]): { flags: Set<string>; operands: string[] } {
  const table = OPTION_TABLES[program];
  const flags = new Set<string>();
  const operands: string[] = [];
  let endOfOptions = false;
  for (const w of words) {
    if (endOfOptions || w === '-' || !w.startsWith('-')) {
      operands.push(w);
      continue;
    }
    if (w === '--') {
      endOfOptions = true;
      continue;
    }
    if (w.startsWith('--')) {
      flags.add(longFlag(table, w.slice(2).split('=')[0]));
    } else if (WORD_OPTIONS.has(program)) {
      flags.add(w);
    } else {
      for (const ch of w.slice(1)) flags.add(`-${table?.short?.[ch] ?? ch}`);
    }
  }
  return { flags, operands };
}

function longFlag(table: OptionTable | undefined, name: string): string {
  if (!table) return `--${name}`;
  const exact = table.long[name];
  const candidates =
    exact !== undefined ? [name] : Object.keys(table.long).filter((k) => k.startsWith(name));
  if (candidates.length !== 1) return `--${name}`;
  const short = table.long[candidates[0]];
  return short ? `-${short}` : `--${candidates[0]}`;
}

/** Shell glob (`*`, `?`, `[…]`) as an anchored regular expression. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
