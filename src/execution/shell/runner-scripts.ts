/**
 * Readers of the script languages whose programs run other programs: which commands an awk
 * program or a sed script runs (see program-runners.ts, which decides what a finding means).
 */

/** Literal commands of an awk program: `system("…")`, `"…" | getline`, `print … | "…"`. */
export function awkCommands(program: string): { runs: boolean; scripts: string[] } {
  const strings: { value: string; start: number; end: number }[] = [];
  let code = '';
  for (let i = 0; i < program.length; i++) {
    const c = program[i];
    if (c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < program.length && program[j] !== '"'; j++) {
        if (program[j] === '\\' && j + 1 < program.length) value += program[++j];
        else value += program[j];
      }
      strings.push({ value, start: code.length, end: code.length + 1 });
      code += 'S';
      i = j;
    } else if (c === '#') {
      while (i < program.length && program[i] !== '\n') i++;
      code += '\n';
    } else if (c === '/' && /(^|[(,~!&|{};\n]|\bprint|\bprintf)\s*$/.test(code)) {
      // A regular expression literal: its characters are not code.
      let j = i + 1;
      for (; j < program.length && program[j] !== '/'; j++) if (program[j] === '\\') j++;
      code += 'R';
      i = j;
    } else code += c;
  }
  const runs =
    /\bsystem\s*\(/.test(code) || /(^|[^|])\|(?!\|)/.test(code) || /@(load|include)\b/.test(code);
  const scripts: string[] = [];
  const literalAt = (index: number) => strings.find((s) => s.start === index)?.value;
  for (const m of code.matchAll(/\bsystem\s*\(\s*S\s*\)/g)) {
    const v = literalAt(code.indexOf('S', m.index));
    if (v !== undefined) scripts.push(v);
  }
  for (const m of code.matchAll(/S\s*\|&?\s*getline/g)) {
    const v = literalAt(m.index);
    if (v !== undefined) scripts.push(v);
  }
  for (const m of code.matchAll(/[^|]\|&?\s*S/g)) {
    const v = literalAt(code.indexOf('S', m.index + 1));
    if (v !== undefined) scripts.push(v);
  }
  return { runs, scripts };
}

/** Commands a sed script runs: `e command`, or undefined entries for `e`/`s///e` running the pattern space. */
export function sedCommands(script: string): (string | undefined)[] | 'unreadable' {
  return new SedScript(script).commands();
}

/** A one-pass reader of a sed script: addresses, then one command and its arguments, repeated. */
class SedScript {
  private i = 0;
  private readonly out: (string | undefined)[] = [];

  constructor(private readonly script: string) {}

  commands(): (string | undefined)[] | 'unreadable' {
    const { script } = this;
    while (this.i < script.length) {
      const c = script[this.i];
      if (/[\s;}]/.test(c)) {
        this.i++;
        continue;
      }
      if (c === '#') {
        this.toEol();
        continue;
      }
      if (!this.addresses()) return 'unreadable';
      while (/[\s!]/.test(script[this.i] ?? '') && script[this.i] !== '\n') this.i++;
      const cmd = script[this.i++];
      if (cmd === undefined) break;
      if (!this.command(cmd)) return 'unreadable';
    }
    return this.out;
  }

  /** One command's arguments; false when the command is unknown or its arguments do not end. */
  private command(cmd: string): boolean {
    const { script } = this;
    const n = script.length;
    if (cmd === '{' || '=dDgGhHnNpPxzF'.includes(cmd)) return true;
    if ('aic'.includes(cmd)) {
      // Text to the end of the line, continued by backslash-newline.
      while (this.i < n && script[this.i] !== '\n') this.i += script[this.i] === '\\' ? 2 : 1;
    } else if (':btTrRwWv'.includes(cmd)) {
      if (':btTv'.includes(cmd)) while (this.i < n && !/[;\n]/.test(script[this.i])) this.i++;
      else this.toEol();
    } else if ('lLqQ'.includes(cmd)) {
      while (/[\s\d]/.test(script[this.i] ?? '') && script[this.i] !== '\n') this.i++;
    } else if (cmd === 'e') {
      const command = this.toEol().trim();
      this.out.push(command || undefined);
    } else if (cmd === 's' || cmd === 'y') {
      return this.substitution(cmd);
    } else return false;
    return true;
  }

  /** `s/re/text/flags` (its `e` flag runs the pattern space) or `y/abc/xyz/`. */
  private substitution(cmd: 's' | 'y'): boolean {
    const { script } = this;
    const d = script[this.i++];
    if (!d || d === '\n' || d === '\\' || !this.delimited(d) || !this.delimited(d)) return false;
    if (cmd === 's') {
      const start = this.i;
      while (this.i < script.length && /[gpiImMe0-9]/.test(script[this.i])) this.i++;
      if (script.slice(start, this.i).includes('e')) this.out.push(undefined);
      if (script[this.i] === 'w') this.toEol();
    }
    return true;
  }

  /** An address, or a range of two (`a,b`, `a,+n`, `a,~n`); false when one does not end. */
  private addresses(): boolean {
    if (!this.address()) return false;
    if (this.script[this.i] !== ',') return true;
    this.i++;
    if (this.script[this.i] === '+' || this.script[this.i] === '~') this.i++;
    return this.address();
  }

  private address(): boolean {
    const { script } = this;
    if (/\d/.test(script[this.i] ?? '')) while (/[\d~]/.test(script[this.i] ?? '')) this.i++;
    else if (script[this.i] === '$') this.i++;
    else if (script[this.i] === '/' || script[this.i] === '\\') {
      const d = script[this.i] === '\\' ? script[++this.i] : '/';
      this.i++;
      if (!this.delimited(d)) return false;
      while (/[IM]/.test(script[this.i] ?? '')) this.i++;
    }
    return true;
  }

  /** Skips past the next unescaped `d` on this line; false when there is none. */
  private delimited(d: string): boolean {
    const { script } = this;
    while (this.i < script.length && script[this.i] !== d) {
      if (script[this.i] === '\\') this.i++;
      if (script[this.i] === '\n' && d !== '\n') return false;
      this.i++;
    }
    if (this.i >= script.length) return false;
    this.i++;
    return true;
  }

  private toEol(): string {
    const start = this.i;
    while (this.i < this.script.length && this.script[this.i] !== '\n') this.i++;
    return this.script.slice(start, this.i);
  }
}
