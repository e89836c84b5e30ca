import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExecutionHarness, ExecutionHarness } from './support/execution-harness';

describe('execution tools (functional)', () => {
  let h: ExecutionHarness;

  beforeAll(async () => {
    h = await createExecutionHarness({
      config: { execution: { sandbox: 'none', allow_unsandboxed_commands: true } },
    });
  });
  afterAll(() => h.close());

  it('offers the six tools with JSON Schemas, filtered by config and context.tools', () => {
    expect(h.registry.definitions().map((d) => d.name)).toEqual([
      'read_file',
      'write_file',
      'edit_file',
      'list_files',
      'search_files',
      'run_command',
    ]);
    const read = h.registry.definitions(['read_file'])[0];
    expect(read.parameters).toMatchObject({
      type: 'object',
      required: ['path'],
      additionalProperties: false,
    });
    expect(h.registry.unknownTools(['read_file', 'rm_rf', 'shell'])).toEqual(['rm_rf', 'shell']);
  });

  it('reads a file, with line ranges and a truncation marker', async () => {
    const whole = await h.call('read_file', { path: 'README.md' });
    expect(whole).toMatchObject({ status: 'ok', output: '# Demo\nhello world' });
    const part = await h.call('read_file', '{"path":"README.md","offset":2,"limit":1}');
    expect(part.output).toBe('hello world\n[… truncated: showing lines 2-2 of 2 …]');
  });

  it('writes atomically, creating parents, and reports an artifact', async () => {
    const out = await h.call('write_file', { path: 'src/deep/new.txt', content: 'héllo' });
    expect(out).toMatchObject({
      status: 'ok',
      artifact: { type: 'file_written', path: 'src/deep/new.txt', bytes: 6 },
    });
    expect(readFileSync(join(h.workspace, 'src/deep/new.txt'), 'utf8')).toBe('héllo');
  });

  it('edits exactly one occurrence, refuses ambiguous or missing text', async () => {
    writeFileSync(join(h.workspace, 'edit.txt'), 'a b a');
    expect(
      await h.call('edit_file', { path: 'edit.txt', old_text: 'a', new_text: 'c' }),
    ).toMatchObject({
      status: 'error',
      error: expect.stringContaining('occurs 2 times'),
    });
    expect(
      await h.call('edit_file', { path: 'edit.txt', old_text: 'zzz', new_text: 'c' }),
    ).toMatchObject({ status: 'error' });
    expect(
      await h.call('edit_file', { path: 'edit.txt', old_text: 'b', new_text: 'B' }),
    ).toMatchObject({
      status: 'ok',
      data: { replacements: 1 },
      artifact: { type: 'file_edited', path: 'edit.txt' },
    });
    expect(
      await h.call('edit_file', {
        path: 'edit.txt',
        old_text: 'a',
        new_text: '$&x',
        replace_all: true,
      }),
    ).toMatchObject({
      data: { replacements: 2 },
    });
    expect(readFileSync(join(h.workspace, 'edit.txt'), 'utf8')).toBe('$&x B $&x');
  });

  it('lists folders without entering .git or node_modules or following links', async () => {
    writeFileSync(join(h.workspace, 'docs', 'a.md'), 'x');
    symlinkSync(h.outside, join(h.workspace, 'docs', 'out'));
    const out = await h.call('list_files', { path: '.', recursive: true });
    expect(out.status).toBe('ok');
    expect(out.output).toContain('docs/a.md (1 bytes)');
    expect(out.output).toContain('docs/out (symlink)');
    expect(out.output).not.toContain('canary');
    const capped = await h.call('list_files', { recursive: true, max_entries: 2 });
    expect(capped.data).toMatchObject({ truncated: true });
  });

  it('searches with a regex and a glob, and stops a catastrophic pattern', async () => {
    const out = await h.call('search_files', { pattern: 'hel+o', glob: '*.md' });
    expect(out.output).toContain('README.md:2: hello world');
    writeFileSync(join(h.workspace, 'redos.txt'), `${'a'.repeat(40)}!`);
    const slow = await h.call(
      'search_files',
      { pattern: '^(a+)+$', glob: 'redos.txt' },
      { deadline: Date.now() + 1500 },
    );
    expect(slow).toMatchObject({ status: 'error', error: expect.stringContaining('was stopped') });
  });

  it('runs a command and reports exit code, streams and an artifact', async () => {
    const out = await h.call('run_command', { command: 'echo out; echo err >&2; exit 3' });
    expect(out).toMatchObject({
      status: 'error',
      data: { exit_code: 3, stdout: 'out\n', stderr: 'err\n', timed_out: false, truncated: false },
      artifact: { type: 'command', command: 'echo out; echo err >&2; exit 3', exit_code: 3 },
    });
  });

  it('caps output, keeping head and tail', async () => {
    const small = await createExecutionHarness({
      config: {
        execution: { sandbox: 'none', allow_unsandboxed_commands: true },
        tools: { max_output_bytes: 1024 },
      },
    });
    try {
      const out = await small.call('run_command', { command: 'seq 1 100000' });
      const stdout = out.data!.stdout as string;
      expect(out.data).toMatchObject({ truncated: true, exit_code: 0 });
      expect(stdout.startsWith('1\n2\n3\n')).toBe(true);
      expect(stdout.trimEnd().endsWith('99999\n100000')).toBe(true);
      expect(stdout).toContain('bytes of output truncated');
    } finally {
      await small.close();
    }
  });

  it('returns bad arguments to the model as errors', async () => {
    expect(await h.call('read_file', '{not json')).toMatchObject({
      status: 'error',
      error: 'invalid arguments for read_file: arguments are not valid JSON',
    });
    expect(await h.call('read_file', { path: 3, extra: 1 })).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/path must be a string.*unknown argument "extra"/),
    });
    expect(await h.call('nope', {})).toMatchObject({ status: 'denied' });
    expect(
      await h.call('run_command', { command: 'ls' }, { enabledTools: ['read_file'] }),
    ).toMatchObject({ status: 'denied' });
  });

  it('records a metric per call with its outcome', async () => {
    h.metrics.calls.length = 0;
    await h.call('read_file', { path: 'README.md' });
    await h.call('read_file', { path: '../outside/canary.txt' });
    await h.call('read_file', { path: 'missing.txt' });
    expect(h.metrics.calls.map((c) => [c.tool, c.outcome])).toEqual([
      ['read_file', 'ok'],
      ['read_file', 'denied'],
      ['read_file', 'error'],
    ]);
  });

  it('resolves task working directories and narrowing', () => {
    expect(h.registry.resolveTaskWorkingDirectory('docs')).toBe(join(h.workspace, 'docs'));
    expect(h.registry.resolveTaskWorkingDirectory('made/here')).toBe(
      join(h.workspace, 'made/here'),
    );
    expect(() => h.registry.resolveTaskWorkingDirectory('../outside')).toThrow(
      'outside the allowed folders',
    );
    expect(() => h.registry.resolveTaskWorkingDirectory(h.outside)).toThrow(
      'outside the allowed folders',
    );
    expect(() => h.registry.validateAllowedPaths(h.workspace, ['docs'])).not.toThrow();
    expect(() => h.registry.validateAllowedPaths(h.workspace, ['..'])).toThrow('may only narrow');
    expect(h.registry.environmentProblems({ FOO: 'x', LD_PRELOAD: 'x', 'bad-name': 'y' })).toEqual([
      'LD_PRELOAD: may not be set by a task',
      'bad-name: names must match [A-Z_][A-Z0-9_]*',
    ]);
  });
});
