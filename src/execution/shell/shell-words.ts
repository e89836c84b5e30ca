/**
 * Quote removal and brace expansion of one shell word, as bash does them, without running
 * anything. A word whose value depends on the run (parameter, command or arithmetic expansion)
 * is reported as dynamic: its value cannot be known before the command runs.
 */

/** One decoded word. */
export type ShellWord = StaticWord | DynamicWord;

export interface StaticWord {
  readonly dynamic: false;
  /** The word after quote removal. */
  readonly value: string;
  /** Contains unquoted glob characters, so the shell may replace it with file names. */
  readonly glob: boolean;
}

export interface DynamicWord {
  readonly dynamic: true;
  /** The source text, for messages. */
  readonly text: string;
}

/** Brace expansion of a hostile word is bounded; past this the word counts as dynamic. */
const MAX_BRACE_RESULTS = 256;

interface Char {
  c: string;
  quoted: boolean;
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '$', '!', '-', '0']);
/** Unquoted characters that never belong inside a single word; seeing one means the parse is off. */
const UNEXPECTED_UNQUOTED = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);

/**
 * Decodes the source text of one word into its values (several when brace expansion applies)
 * or reports it dynamic.
 */
export function decodeWord(text: string): ShellWord[] {
  const chars = removeQuotes(text);
  if (!chars) return [{ dynamic: true, text }];
  const expanded = expandBraces(chars);
  if (!expanded) return [{ dynamic: true, text }];
  return expanded.map((w) => ({
    dynamic: false,
    value: w.map((ch) => ch.c).join(''),
    glob: w.some((ch) => !ch.quoted && (ch.c === '*' || ch.c === '?' || ch.c === '[')),
  }));
}

/** Quote removal; undefined when the word holds an expansion or is not a plain word. */
function removeQuotes(text: string): Char[] | undefined {
  const out: Char[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      if (i + 1 >= text.length) {
        out.push({ c: '\\', quoted: true });
        i += 1;
      } else {
        if (text[i + 1] !== '\n') out.push({ c: text[i + 1], quoted: true });
        i += 2;
      }
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      for (const ch of text.slice(i + 1, end)) out.push({ c: ch, quoted: true });
      i = end + 1;
    } else if (c === '"') {
      const end = readDoubleQuoted(text, i + 1, out);
      if (end < 0) return undefined;
      i = end + 1;
    } else if (c === '$') {
      const next = text[i + 1];
      if (next === "'") {
        const end = readAnsiC(text, i + 2, out);
        if (end < 0) return undefined;
        i = end + 1;
      } else if (next === '"') {
        const end = readDoubleQuoted(text, i + 2, out);
        if (end < 0) return undefined;
        i = end + 1;
      } else if (next !== undefined && startsExpansion(next)) {
        return undefined;
      } else {
        out.push({ c: '$', quoted: false });
        i += 1;
      }
    } else if (c === '`') {
      return undefined;
    } else if (UNEXPECTED_UNQUOTED.has(c)) {
      return undefined;
    } else {
      out.push({ c, quoted: false });
      i += 1;
    }
  }
  return out;
}

function startsExpansion(next: string): boolean {
  return (
    next === '(' ||
    next === '{' ||
    next === '[' ||
    /[A-Za-z0-9_]/.test(next) ||
    SPECIAL_PARAMS.has(next)
  );
}

/** Reads a "…" body starting at `i`; returns the index of the closing quote, or -1 (dynamic or unterminated). */
function readDoubleQuoted(text: string, i: number, out: Char[]): number {
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return i;
    if (c === '\\' && i + 1 < text.length) {
      const n = text[i + 1];
      if (n === '\n') {
        i += 2;
        continue;
      }
      if (n === '$' || n === '`' || n === '"' || n === '\\') {
        out.push({ c: n, quoted: true });
        i += 2;
        continue;
      }
      out.push({ c: '\\', quoted: true });
      i += 1;
      continue;
    }
    if (c === '`') return -1;
    if (c === '$' && i + 1 < text.length && startsExpansion(text[i + 1])) return -1;
    out.push({ c, quoted: true });
    i += 1;
  }
  return -1;
}

const ANSI_SIMPLE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** Reads a $'…' body (ANSI-C escapes) starting at `i`; returns the index of the closing quote or -1. */
function readAnsiC(text: string, i: number, out: Char[]): number {
  const push = (s: string) => {
    for (const ch of s) out.push({ c: ch, quoted: true });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "'") return i;
    if (c !== '\\' || i + 1 >= text.length) {
      push(c);
      i += 1;
      continue;
    }
    const n = text[i + 1];
    if (ANSI_SIMPLE[n] !== undefined) {
      push(ANSI_SIMPLE[n]);
      i += 2;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(text.slice(i + 1))![0];
      push(String.fromCharCode(parseInt(m, 8) & 0xff));
      i += 1 + m.length;
    } else if (n === 'x' && /[0-9A-Fa-f]/.test(text[i + 2] ?? '')) {
      const m = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(i + 2))![0];
      push(String.fromCharCode(parseInt(m, 16)));
      i += 2 + m.length;
    } else if ((n === 'u' || n === 'U') && /[0-9A-Fa-f]/.test(text[i + 2] ?? '')) {
      const m = new RegExp(`^[0-9A-Fa-f]{1,${n === 'u' ? 4 : 8}}`).exec(text.slice(i + 2))![0];
      const code = parseInt(m, 16);
      push(code <= 0x10ffff ? String.fromCodePoint(code) : '?');
      i += 2 + m.length;
    } else if (n === 'c' && i + 2 < text.length) {
      push(String.fromCharCode(text.charCodeAt(i + 2) & 0x1f));
      i += 3;
    } else {
      push('\\' + n);
      i += 2;
    }
  }
  return -1;
}

/** Bash brace expansion over unquoted braces; undefined when it would produce too many words. */
function expandBraces(word: Char[]): Char[][] | undefined {
  const results: Char[][] = [];
  const queue: Char[][] = [word];
  while (queue.length) {
    const w = queue.shift()!;
    const found = findBrace(w);
    if (!found) {
      results.push(w);
    } else {
      const pre = w.slice(0, found.open);
      const post = w.slice(found.close + 1);
      for (const alt of found.alternatives) queue.push([...pre, ...alt, ...post]);
    }
    if (results.length + queue.length > MAX_BRACE_RESULTS) return undefined;
  }
  return results;
}

interface BraceMatch {
  open: number;
  close: number;
  alternatives: Char[][];
}

/** Finds the first unquoted {…} that bash would expand (a comma list or a sequence). */
function findBrace(w: Char[]): BraceMatch | undefined {
  for (let open = 0; open < w.length; open++) {
    if (w[open].quoted || w[open].c !== '{') continue;
    if (open > 0 && !w[open - 1].quoted && w[open - 1].c === '$') continue;
    let depth = 0;
    const commas: number[] = [];
    for (let j = open + 1; j < w.length; j++) {
      const ch = w[j];
      if (ch.quoted) continue;
      if (ch.c === '{') depth++;
      else if (ch.c === '}') {
        if (depth === 0) {
          const inner = w.slice(open + 1, j);
          if (commas.length) {
            const alternatives: Char[][] = [];
            let start = open + 1;
            for (const comma of [...commas, j]) {
              alternatives.push(w.slice(start, comma));
              start = comma + 1;
            }
            return { open, close: j, alternatives };
          }
          const seq = sequence(inner);
          if (seq) return { open, close: j, alternatives: seq };
          break;
        }
        depth--;
      } else if (ch.c === ',' && depth === 0) commas.push(j);
    }
  }
  return undefined;
}

/** {a..b[..step]} with integers or single letters. */
function sequence(inner: Char[]): Char[][] | undefined {
  const text = inner.map((c) => c.c).join('');
  const asChars = (s: string) => [...s].map((c) => ({ c, quoted: false }));
  const num = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(text);
  if (num) {
    const [a, b] = [Number(num[1]), Number(num[2])];
    const step = Math.abs(Number(num[3] ?? 1)) || 1;
    if (Math.abs(b - a) / step > MAX_BRACE_RESULTS)
      return [[], [], ...Array(MAX_BRACE_RESULTS).fill([])];
    const out: Char[][] = [];
    for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step)
      out.push(asChars(String(v)));
    return out;
  }
  const letters = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/.exec(text);
  if (letters) {
    const [a, b] = [letters[1].charCodeAt(0), letters[2].charCodeAt(0)];
    const step = Math.abs(Number(letters[3] ?? 1)) || 1;
    const out: Char[][] = [];
    for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) {
      out.push(asChars(String.fromCharCode(v)));
    }
    return out;
  }
  return undefined;
}
