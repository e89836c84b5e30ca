import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as TreeSitter from '@vscode/tree-sitter-wasm';

/** A node of the bash syntax tree (tree-sitter-bash). */
export type SyntaxNode = TreeSitter.Node;

/** A parsed command line: its syntax tree root and the text it came from. */
export interface ParsedScript {
  readonly source: string;
  readonly root: SyntaxNode;
  /** Frees the tree's WebAssembly memory; call when done with the nodes. */
  dispose(): void;
}

let loading: Promise<TreeSitter.Parser> | undefined;

/**
 * The tree-sitter bash grammar shipped by @vscode/tree-sitter-wasm (the parser VS Code uses to
 * split terminal commands for its approval rules). WebAssembly loads asynchronously, once per
 * process; parsing afterwards is synchronous.
 */
export function loadBashParser(): Promise<TreeSitter.Parser> {
  loading ??= (async () => {
    const { Parser, Language } = TreeSitter;
    await Parser.init();
    const wasmDir = dirname(require.resolve('@vscode/tree-sitter-wasm'));
    const language = await Language.load(readFileSync(join(wasmDir, 'tree-sitter-bash.wasm')));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

/** Parses one command line. */
export async function parseBash(source: string): Promise<ParsedScript> {
  const parser = await loadBashParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('the shell parser returned no tree');
  return { source, root: tree.rootNode, dispose: () => tree.delete() };
}
