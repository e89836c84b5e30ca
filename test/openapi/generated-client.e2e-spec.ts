import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { listeningApp, makeWorkspace } from '../client/support/transports';
import { publishedDocument } from '../support/published-openapi';
import { ADMIN_KEY, TEST_KEYS, TestApp } from '../support/test-app';

const PROJECT_ROOT = resolve(__dirname, '../..');
const PROGRAM = join(__dirname, 'typed-client/every-operation.ts');

/** `tsc --noEmit --strict` over the files given; the diagnostics, formatted. */
function typeCheck(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    typeRoots: [join(PROJECT_ROOT, 'node_modules/@types')],
    noUnusedLocals: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/**
 * What an integrator does with /docs-json: generate types with openapi-typescript, call the API
 * through openapi-fetch. The program must type-check without a cast and with no `unknown` or
 * `never` response, then work against a live service.
 */
describe('a client generated from the published document', () => {
  let dir: string;

  beforeAll(() => {
    // Inside the project, so the program resolves openapi-fetch from its node_modules.
    mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
    dir = mkdtempSync(join(PROJECT_ROOT, '.tmp/typed-client-'));
    const doc = join(dir, 'openapi.json');
    writeFileSync(doc, JSON.stringify(publishedDocument()));
    execFileSync(
      process.execPath,
      [
        join(PROJECT_ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
        doc,
        '--output',
        join(dir, 'schema.d.ts'),
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    copyFileSync(PROGRAM, join(dir, 'every-operation.ts'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks a program calling every operation, without a cast', () => {
    expect(typeCheck([join(dir, 'every-operation.ts')])).toEqual([]);
  });

  it('would notice an unknown or never response type (the check itself can fail)', () => {
    writeFileSync(
      join(dir, 'negative.ts'),
      [
        "import { known } from './every-operation';",
        'declare const opaque: unknown;',
        'declare const impossible: never;',
        'known(opaque, true);',
        'known(impossible, true);',
        'known({ ok: 1 }, true);',
      ].join('\n'),
    );
    const problems = typeCheck([join(dir, 'negative.ts')]);
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => p.includes('negative.ts:'))).toBe(true);
  });

  describe('run against a live service', () => {
    let app: TestApp;
    let baseUrl: string;
    let workspace: string;

    beforeAll(async () => {
      workspace = makeWorkspace();
      ({ app, baseUrl } = await listeningApp({
        ...TEST_KEYS,
        tools: { working_directory: workspace },
        service: { ...TEST_KEYS.service, sync_wait_seconds: 10 },
      }));
    });
    afterAll(async () => {
      await app.close();
      rmSync(workspace, { recursive: true, force: true });
    });

    it('calls every operation of the document successfully', async () => {
      const { callEveryOperation } = (await import(join(dir, 'every-operation.ts'))) as {
        callEveryOperation(baseUrl: string, key: string): Promise<Record<string, number>>;
      };
      const statuses = await callEveryOperation(baseUrl, ADMIN_KEY);
      const documented = Object.entries(publishedDocument().paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(Object.keys(statuses).sort()).toEqual(documented.sort());
      for (const [operation, status] of Object.entries(statuses)) {
        expect({ operation, ok: status >= 200 && status < 300 }).toEqual({ operation, ok: true });
      }
    });
  });
});
