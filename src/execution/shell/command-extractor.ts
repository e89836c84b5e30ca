import { decodeWord, ShellWord } from './shell-words';
import type { ParsedScript, SyntaxNode } from './bash-parser';

/** One simple command found anywhere in a command line (pipelines, lists, substitutions, bodies). */
export interface ExtractedCommand {
  /** Words after quote removal and brace expansion; the first is the program. */
  readonly words: ShellWord[];
  /** Source text of the command, for messages. */
  readonly text: string;
  /** Its standard input comes from a pipe or a redirection (so a shell or interpreter may read code from it). */
  readonly stdinFed: boolean;
  /**
   * The text of the here-document or here-string that is its standard input, when that is the
   * last input redirection: a static word when the text is known, dynamic when bash expands it.
   */
  readonly stdinText?: ShellWord;
}

/** A file a redirection opens. */
export interface RedirectTarget {
  readonly word: ShellWord;
  readonly write: boolean;
  readonly text: string;
}

/** What can be known about a command line before it runs. */
export interface ShellAnalysis {
  readonly commands: ExtractedCommand[];
  readonly redirects: RedirectTarget[];
  /** Constructs whose effect is decided at run time (need the OS sandbox). */
  readonly dynamic: string[];
  /** Problems that make the line unacceptable anywhere (unparseable, unsupported). */
  readonly errors: string[];
}

const STRUCTURAL = new Set([
  'program',
  'list',
  'subshell',
  'compound_statement',
  'do_group',
  'if_statement',
  'elif_clause',
  'else_clause',
  'while_statement',
  'for_statement',
  'case_statement',
  'case_item',
  'function_definition',
  'negated_command',
  'variable_assignment',
  'variable_assignments',
  'unset_command',
  'concatenation',
  'string',
  'translated_string',
  'raw_string',
  'ansi_c_string',
  'word',
  'number',
  'string_content',
  'simple_expansion',
  'variable_name',
  'special_variable_name',
  'array',
  'brace_expression',
  'heredoc_start',
  'heredoc_body',
  'heredoc_content',
  'heredoc_end',
  'file_descriptor',
  'test_operator',
  'regex',
  'extglob_pattern',
  'unary_expression',
  'binary_expression',
  'postfix_expression',
  'parenthesized_expression',
  'ternary_expression',
  'command_name',
  'comment',
]);

const REDIRECTS = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);
const LITERAL_CONTEXTS = new Set(['raw_string', 'ansi_c_string', 'comment']);

/** Walks a parsed command line and collects every simple command and every run-time construct. */
export function analyseScript(script: ParsedScript): ShellAnalysis {
  return new Extractor(script).run();
}

class Extractor {
  private readonly commands: ExtractedCommand[] = [];
  private readonly redirects: RedirectTarget[] = [];
  private readonly dynamic = new Set<string>();
  private readonly errors = new Set<string>();
  /** Start offsets of substitution nodes, to prove the parser saw every `$(`, backtick and `<(`. */
  private readonly substitutionMarks = new Set<number>();

  constructor(private readonly script: ParsedScript) {}

  run(): ShellAnalysis {
    const root = this.script.root;
    if (root.hasError) this.errors.add(`the command could not be parsed${this.errorHint(root)}`);
    this.walk(root, false);
    this.checkParserCoverage();
    return {
      commands: this.commands,
      redirects: this.redirects,
      dynamic: [...this.dynamic],
      errors: [...this.errors],
    };
  }

  private walk(node: SyntaxNode, stdinFed: boolean): void {
    if (node.isError || node.isMissing) return;
    if (!node.isNamed) return;
    switch (node.type) {
      case 'command':
        return this.command(node, [], stdinFed);
      case 'redirected_statement':
        return this.redirectedStatement(node, stdinFed);
      case 'pipeline':
        return node.namedChildren.forEach((c, i) => c && this.walk(c, stdinFed || i > 0));
      case 'file_redirect':
      case 'heredoc_redirect':
      case 'herestring_redirect':
        this.redirect(node);
        return;
      case 'command_substitution':
      case 'process_substitution':
        this.substitutionMarks.add(node.startIndex);
        if (node.text.startsWith('`')) this.substitutionMarks.add(node.endIndex - 1);
        this.dynamic.add('command substitution');
        return this.children(node, false);
      case 'arithmetic_expansion':
        this.substitutionMarks.add(node.startIndex);
        this.dynamic.add('arithmetic evaluation');
        return this.children(node, false);
      case 'c_style_for_statement':
        this.dynamic.add('arithmetic evaluation');
        return this.children(node, false);
      case 'subscript':
        if (/[$`]/.test(node.text)) this.dynamic.add('array subscript evaluation');
        return this.children(node, false);
      case 'test_command':
        if (/[$`]/.test(node.text)) this.dynamic.add('[[ … ]] evaluation of expansions');
        return this.children(node, false);
      case 'expansion':
        if (/^\$\{!|@[PKkAa]\}$/.test(node.text)) this.dynamic.add('indirect or prompt expansion');
        return this.children(node, false);
      case 'declaration_command':
        if (node.namedChildren.some((c) => c?.type === 'word' && /^-[A-Za-z]*[in]/.test(c.text))) {
          this.dynamic.add('integer or name-reference declaration');
        }
        return this.children(node, false);
      default:
        if (!STRUCTURAL.has(node.type)) {
          this.errors.add(`unsupported shell syntax (${node.type})`);
          return;
        }
        return this.children(node, stdinFed);
    }
  }

  private children(node: SyntaxNode, stdinFed: boolean): void {
    for (const c of node.children) if (c) this.walk(c, stdinFed);
  }

  private redirectedStatement(node: SyntaxNode, stdinFed: boolean): void {
    const [body, ...rest] = node.namedChildren.filter((c): c is SyntaxNode => !!c);
    const redirects = rest.filter((c) => REDIRECTS.has(c.type));
    const extras: SyntaxNode[] = [];
    let fed = stdinFed;
    let text: ShellWord | undefined;
    for (const r of redirects) {
      const res = this.redirect(r);
      extras.push(...res.extras);
      fed ||= res.input;
      if (res.input) text = res.stdinText;
    }
    if (!body) return;
    if (body.type === 'command') return this.command(body, extras, fed, text);
    if (extras.length) this.errors.add('words after a redirection of a compound command');
    this.walk(body, fed);
  }

  private command(
    node: SyntaxNode,
    extraArgs: SyntaxNode[],
    stdinFed: boolean,
    outerStdinText?: ShellWord,
  ): void {
    const wordNodes: SyntaxNode[] = [...extraArgs];
    let fed = stdinFed;
    let stdinText = outerStdinText;
    for (const child of node.children) {
      if (!child || child.type === 'comment') continue;
      if (child.type === 'variable_assignment') {
        this.walk(child, false);
      } else if (REDIRECTS.has(child.type)) {
        const res = this.redirect(child);
        wordNodes.push(...res.extras);
        fed ||= res.input;
        if (res.input) stdinText = res.stdinText;
      } else if (child.type === 'command_name') {
        wordNodes.push(...child.children.filter((c): c is SyntaxNode => !!c));
      } else {
        wordNodes.push(child);
      }
    }
    for (const w of wordNodes) this.walk(w, false);
    const words = groupAdjacent(wordNodes).flatMap((g) => decodeWord(this.slice(g)));
    if (words.length)
      this.commands.push({
        words,
        text: node.text,
        stdinFed: fed,
        ...(stdinText ? { stdinText } : {}),
      });
  }

  /**
   * Records a redirection; returns the words bash gives the command (tree-sitter hangs them on
   * the redirect), whether it feeds standard input, and the text it feeds when that is knowable.
   */
  private redirect(node: SyntaxNode): {
    extras: SyntaxNode[];
    input: boolean;
    stdinText?: ShellWord;
  } {
    const descriptor = node.namedChildren.find((c) => c?.type === 'file_descriptor')?.text;
    const toStdin = descriptor === undefined || descriptor === '0';
    if (node.type === 'heredoc_redirect') {
      const body = node.namedChildren.find((c) => c?.type === 'heredoc_body');
      if (body) this.walk(body, false);
      return { extras: [], input: toStdin, stdinText: body ? heredocText(node, body) : EMPTY };
    }
    const children = node.children.filter((c): c is SyntaxNode => !!c);
    const opIndex = children.findIndex((c) => !c.isNamed);
    const op = opIndex >= 0 ? children[opIndex].text : '';
    const operands = groupAdjacent(
      children.slice(opIndex + 1).filter((c) => c.isNamed && c.type !== 'comment'),
    );
    for (const c of children.slice(opIndex + 1)) this.walk(c, false);
    if (node.type === 'herestring_redirect') {
      const source = operands.length ? this.slice(operands[0]) : '';
      // One word, never brace-expanded: anything else is not the text bash would feed.
      const words = source ? decodeWord(source) : [EMPTY];
      const stdinText: ShellWord = words.length === 1 ? words[0] : { dynamic: true, text: source };
      return { extras: operands.slice(1).flat(), input: toStdin, stdinText };
    }
    const [target, ...extras] = operands;
    const input = op.startsWith('<') && toStdin;
    if (target) {
      const text = this.slice(target);
      const duplicate = (op === '>&' || op === '<&') && /^(\d+-?|-)$/.test(text);
      if (!duplicate) {
        for (const word of decodeWord(text))
          this.redirects.push({ word, write: op.includes('>'), text });
      }
    }
    return { extras: extras.flat(), input };
  }

  private slice(group: SyntaxNode[]): string {
    return this.script.source.slice(group[0].startIndex, group[group.length - 1].endIndex);
  }

  /**
   * A safety net against parser differences: every `$(`, backtick, `<(`/`>(` and line continuation
   * the shell would act on must sit where the parser saw it; otherwise the line is refused.
   */
  private checkParserCoverage(): void {
    const src = this.script.source;
    for (let i = 0; i < src.length; i++) {
      const c = src[i];
      const next = src[i + 1];
      const isSubst =
        c === '`' || (c === '$' && next === '(') || ((c === '<' || c === '>') && next === '(');
      const isContinuation = c === '\\' && next === '\n';
      if (!isSubst && !isContinuation) continue;
      if (escapedAt(src, i)) {
        if (c === '`' && this.insideBackticks(i))
          this.errors.add('nested backticks are not accepted; use $(…)');
        continue;
      }
      const context = this.contextAt(i);
      if (context === 'literal') continue;
      if (isContinuation) {
        if (context === 'string') continue;
        this.errors.add(
          'line continuations (a backslash at the end of a line) are not accepted; put the command on one line',
        );
      } else if (c === '<' || c === '>') {
        if (
          context !== 'string' &&
          !this.substitutionMarks.has(i) &&
          src[i - 1] !== c &&
          src[i - 1] !== '&'
        ) {
          this.errors.add('a process substitution the parser did not recognise');
        }
      } else if (!this.substitutionMarks.has(i)) {
        this.errors.add(
          'a command substitution the parser did not recognise (use $(…) outside here-documents)',
        );
      }
    }
  }

  private contextAt(index: number): 'literal' | 'string' | 'code' {
    let node: SyntaxNode | null = this.script.root.descendantForIndex(index, index + 1);
    while (node) {
      if (LITERAL_CONTEXTS.has(node.type)) return 'literal';
      if (node.type === 'heredoc_body' && isQuotedHeredoc(node)) return 'literal';
      if (node.type === 'command_substitution' || node.type === 'process_substitution')
        return 'code';
      if (node.type === 'string' || node.type === 'translated_string') return 'string';
      node = node.parent;
    }
    return 'code';
  }

  private insideBackticks(index: number): boolean {
    for (let n = this.script.root.descendantForIndex(index, index + 1); n; n = n.parent) {
      if (n.type === 'command_substitution' && n.text.startsWith('`')) return true;
    }
    return false;
  }

  private errorHint(root: SyntaxNode): string {
    const bad = root.descendantsOfType('ERROR')[0];
    return bad ? ` near ${JSON.stringify(bad.text.slice(0, 40))}` : '';
  }
}

const EMPTY: ShellWord = { dynamic: false, value: '', glob: false };

/**
 * The text a here-document feeds: as written when its delimiter is quoted (bash expands
 * nothing), else only when it holds nothing bash would expand or unescape.
 */
function heredocText(redirect: SyntaxNode, body: SyntaxNode): ShellWord {
  let text = body.text;
  if (redirect.children.some((c) => c?.text === '<<-')) text = text.replace(/^\t+/gm, '');
  if (isQuotedHeredoc(body) || !/[$`\\]/.test(text))
    return { dynamic: false, value: text, glob: false };
  return { dynamic: true, text };
}

function isQuotedHeredoc(body: SyntaxNode): boolean {
  const start = body.parent?.namedChildren.find((c) => c?.type === 'heredoc_start');
  return !!start && /['"\\]/.test(start.text);
}

/** Odd number of backslashes right before `i`. */
function escapedAt(src: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && src[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

/** Nodes that touch (no blank between them) form one shell word. */
function groupAdjacent(nodes: SyntaxNode[]): SyntaxNode[][] {
  const sorted = [...nodes].sort((a, b) => a.startIndex - b.startIndex);
  const groups: SyntaxNode[][] = [];
  for (const n of sorted) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1].endIndex === n.startIndex) last.push(n);
    else groups.push([n]);
  }
  return groups;
}
