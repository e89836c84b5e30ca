import { join } from 'node:path';
import * as ts from 'typescript';
import { PROJECT_ROOT, YamlDocument } from './deploy-files';

/** A kubernetes-models class: validate() throws with every schema problem. */
type ModelClass = new (data: unknown) => { validate(): void };

/** `kubernetes-models/<apiVersion>/<Kind>`: the module of one built-in Kubernetes kind. */
function modelModule(doc: Record<string, unknown>): { module: string; kind: string } {
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new Error('apiVersion and kind must be strings');
  }
  if (
    !/^[a-z0-9.]+(\/v\d+(alpha\d+|beta\d+)?)?$|^v\d+$/.test(apiVersion) ||
    !/^[A-Z]\w+$/.test(kind)
  ) {
    throw new Error(`unexpected apiVersion/kind ${apiVersion} ${kind}`);
  }
  return { module: `kubernetes-models/${apiVersion}/${kind}`, kind };
}

/**
 * Validates one object against the Kubernetes OpenAPI schema shipped by `kubernetes-models`
 * (offline, ajv): required fields, types, enums, formats. Returns the problems, [] when valid.
 * Unknown fields are not caught here (the schemas allow additional properties): see
 * {@link unknownFieldProblems}.
 */
export function schemaProblems(doc: Record<string, unknown>): string[] {
  let Model: ModelClass | undefined;
  let kind: string;
  try {
    const target = modelModule(doc);
    kind = target.kind;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Model = (require(target.module) as Record<string, ModelClass>)[kind];
  } catch (e) {
    return [`no schema for ${String(doc.apiVersion)} ${String(doc.kind)}: ${(e as Error).message}`];
  }
  if (!Model) return [`kubernetes-models has no ${kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

/**
 * Finds unknown fields (typos such as `readOnlyRootFileSystem`) and wrong types by type-checking
 * each document as an object literal of its kubernetes-models interface with the TypeScript
 * compiler: excess-property checks reject every key the API does not define.
 * Returns `label: problem` lines, [] when every document is clean.
 */
export function unknownFieldProblems(docs: YamlDocument[]): string[] {
  const file = join(PROJECT_ROOT, 'test/deploy/__kubernetes_strict_check__.ts');
  const lines: string[] = [];
  const labels: string[] = [];
  docs.forEach((d, i) => {
    const { module, kind } = modelModule(d.doc);
    lines.push(`import type { I${kind} as T${i} } from '${module}';`);
    labels.push('');
  });
  docs.forEach((d, i) => {
    lines.push(`export const doc${i}: T${i} = ${JSON.stringify(d.doc)};`);
    labels.push(d.label);
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) =>
    name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? source : readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file?.fileName !== file || d.start === undefined) return message;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    return `${labels[line] || `line ${line + 1}`}: ${message}`;
  });
}
