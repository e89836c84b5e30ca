import { ChatMessage, ChatRequest, ChatResponse, ToolDefinition } from '../language-model';
import { ModelMetricsRecorder } from '../model-metrics.recorder';
import { wrapTaskText } from '../task-text';
import { OUTCOME_NOT_DONE } from '../../common/task-outcome';
import { OfflineLanguageModel } from './offline.model';

const TOOLS: ToolDefinition[] = [
  'read_file',
  'write_file',
  'list_files',
  'search_files',
  'run_command',
].map((name) => ({
  name,
  description: name,
  parameters: { type: 'object' },
}));

const README = '# Demo\n\nA small demo project.\nIt does things.\n\n## Usage\n\nRun it.\n';

describe('OfflineLanguageModel', () => {
  let metrics: ModelMetricsRecorder;
  let sut: OfflineLanguageModel;
  beforeEach(() => {
    metrics = new ModelMetricsRecorder();
    sut = new OfflineLanguageModel(metrics);
  });

  function start(task: string): ChatMessage[] {
    return [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: wrapTaskText(task) },
    ];
  }

  /** Plays the agent: answers each tool call with `results[name](args)` until a final answer. */
  async function run(
    task: string,
    results: Record<string, (args: Record<string, unknown>) => string>,
    extra: Partial<ChatRequest> = {},
  ): Promise<{
    final: ChatResponse;
    calls: Array<{ name: string; args: Record<string, unknown> }>;
  }> {
    const messages = start(task);
    const calls: Array<{ name: string; args: Record<string, unknown> }> = [];
    for (let round = 0; round < 10; round++) {
      const res = await sut.chat({ messages, tools: TOOLS, purpose: 'step', ...extra });
      messages.push(res.message);
      if (!res.message.tool_calls?.length) return { final: res, calls };
      expect(res.finish_reason).toBe('tool_calls');
      for (const call of res.message.tool_calls) {
        const args = JSON.parse(call.arguments) as Record<string, unknown>;
        calls.push({ name: call.name, args });
        messages.push({
          role: 'tool',
          tool_call_id: call.id,
          name: call.name,
          content: results[call.name](args),
        });
      }
    }
    throw new Error('no final answer');
  }

  it('plans a request as the JSON a model would write, labelled offline', async () => {
    const res = await sut.chat({
      messages: start('Read README.md file and summarize content'),
      purpose: 'plan',
    });
    expect(JSON.parse(res.message.content!)).toEqual({
      understanding: '[offline] read and summarize the file README.md',
      approach: expect.stringContaining('offline planner'),
      complexity: 'simple',
      estimated_steps: 1,
      requirements: ['read_file'],
    });
    expect(res).toMatchObject({
      provider: 'offline',
      model: 'offline',
      finish_reason: 'stop',
      usage: { total: 0 },
    });
    expect(metrics.requests).toEqual([
      expect.objectContaining({ provider: 'offline', outcome: 'success' }),
    ]);
  });

  it('plans an unclear request as needing a language model', async () => {
    const res = await sut.chat({
      messages: start('Create a Hello World program'),
      purpose: 'plan',
    });
    const plan = JSON.parse(res.message.content!);
    expect(plan.understanding).toMatch(/^\[offline\] .*needs a language model/);
    expect(plan.requirements).toEqual(['language model']);
  });

  it('summarizes a file: read_file, then an answer with title, headings, first paragraph and counts', async () => {
    const { final, calls } = await run('Read README.md file and summarize content', {
      read_file: () => README,
    });
    expect(calls).toEqual([{ name: 'read_file', args: { path: 'README.md' } }]);
    expect(final.message.content).toBe(
      [
        '[offline] Summary of README.md:',
        'Title: Demo',
        'Headings (2): Demo; Usage',
        'First paragraph: A small demo project. It does things.',
        'Size: 8 lines, 11 words.',
      ].join('\n'),
    );
    expect(final.finish_reason).toBe('stop');
  });

  it('reads a file content given as JSON with line numbers', async () => {
    const { final } = await run('show notes.txt', {
      read_file: () => JSON.stringify({ content: '1: alpha\n2: beta', truncated: false }),
    });
    expect(final.message.content).toBe('[offline] Contents of notes.txt (2 lines):\nalpha\nbeta');
  });

  it('runs several steps in order and reports each', async () => {
    const { final, calls } = await run("Write 'hi' to a.txt and then run `cat a.txt`", {
      write_file: () => JSON.stringify({ path: 'a.txt', bytes: 2 }),
      run_command: () =>
        JSON.stringify({ exit_code: 0, stdout: 'hi\n', stderr: '', timed_out: false }),
    });
    expect(calls).toEqual([
      { name: 'write_file', args: { path: 'a.txt', content: 'hi' } },
      { name: 'run_command', args: { command: 'cat a.txt' } },
    ]);
    expect(final.message.content).toBe(
      '[offline] Wrote 2 bytes to a.txt.\n\nRan `cat a.txt`: exit code 0.\nstdout:\nhi',
    );
  });

  it("reads run_command's text result (exit_code line, stdout and stderr blocks)", async () => {
    const { final } = await run('run `ls nope`', {
      run_command: () => 'exit_code: 2\nstdout:\nfound\nstderr:\nls: cannot access nope',
    });
    expect(final.message.content).toBe(
      `[offline] Ran \`ls nope\`: exit code 2.\nstdout:\nfound\nstderr:\nls: cannot access nope\n\n${OUTCOME_NOT_DONE}`,
    );
  });

  it('lists a folder from JSON entries or plain lines', async () => {
    const json = await run('list the files in src', {
      list_files: () =>
        JSON.stringify({
          entries: [
            { path: 'src/a.ts', type: 'file', size: 12 },
            { path: 'src/lib', type: 'directory' },
          ],
        }),
    });
    expect(json.calls).toEqual([{ name: 'list_files', args: { path: 'src' } }]);
    expect(json.final.message.content).toBe(
      '[offline] Folder src has 2 entries:\n- src/a.ts (12 bytes)\n- src/lib/',
    );
    const text = await run('递归列出 docs 目录', { list_files: () => 'docs/a.md\ndocs/b.md\n' });
    expect(text.calls).toEqual([{ name: 'list_files', args: { path: 'docs', recursive: true } }]);
    expect(text.final.message.content).toBe(
      '[offline] 文件夹 docs 中有 2 项：\n- docs/a.md\n- docs/b.md',
    );
  });

  it('searches for the literal text (escaped as a regex)', async () => {
    const { final, calls } = await run('Search for "a.b(" in docs', {
      search_files: () => 'docs/x.md:3: a.b( here',
    });
    expect(calls).toEqual([{ name: 'search_files', args: { pattern: 'a\\.b\\(', path: 'docs' } }]);
    expect(final.message.content).toBe(
      '[offline] 1 match for "a.b(" in docs:\n- docs/x.md:3: a.b( here',
    );
  });

  it('answers in Chinese for a Chinese request', async () => {
    const { final } = await run('读取README.md并总结内容', { read_file: () => README });
    expect(final.message.content).toBe(
      '[offline] README.md 摘要：\n标题：Demo\n章节 (2)：Demo; Usage\n第一段：A small demo project. It does things.\n规模：8 行，11 词。',
    );
  });

  it('stops at a denied or failed step and says so', async () => {
    const { final, calls } = await run("write 'x' to .env then read .env", {
      write_file: () => JSON.stringify({ error: 'denied: .env is a protected path' }),
      read_file: () => 'never',
    });
    expect(calls.map((c) => c.name)).toEqual(['write_file']);
    expect(final.message.content).toBe(
      `[offline] write_file .env failed: denied: .env is a protected path\n\nStopped after this step failed.\n\n${OUTCOME_NOT_DONE}`,
    );
  });

  it('keeps the summary paragraph short for a very long unclear request', async () => {
    const { final } = await run(`Please do ${'something complicated '.repeat(50)}`, {});
    expect(final.message.content!.split(/\n\s*\n/)[0].length).toBeLessThan(500);
  });

  it('says when a needed tool is not enabled for the task', async () => {
    const res = await sut.chat({
      messages: start('Run `ls`'),
      tools: TOOLS.filter((t) => t.name !== 'run_command'),
      purpose: 'step',
    });
    expect(res.message.tool_calls).toBeUndefined();
    expect(res.message.content).toBe(
      `[offline] The tool run_command is not enabled for this task, so the offline planner cannot do this.\n\n${OUTCOME_NOT_DONE}`,
    );
  });

  it('says the goal was not met when the command it was asked to run fails or times out', async () => {
    const ok = await run('Run `true`', { run_command: () => 'exit_code: 0' });
    expect(ok.final.message.content).toBe('[offline] Ran `true`: exit code 0.');
    const failed = await run('Run `false`', { run_command: () => 'exit_code: 1' });
    expect(failed.final.message.content).toBe(
      `[offline] Ran \`false\`: exit code 1.\n\n${OUTCOME_NOT_DONE}`,
    );
    const slow = await run('Run `sleep 9`', {
      run_command: () => 'exit_code: 137 (timed out after 5 s)',
    });
    expect(slow.final.message.content).toMatch(/The command timed out\.\n\nOUTCOME: NOT DONE$/);
  });

  it('ends with one outcome line when a later tool is not enabled', async () => {
    const res = await sut.chat({
      messages: [
        ...start('List the files in . then run `ls`'),
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_offline_1', name: 'list_files', arguments: '{"path":"."}' }],
        },
        { role: 'tool', tool_call_id: 'call_offline_1', content: '.: 1 entry\na.txt (1 bytes)' },
      ],
      tools: TOOLS.filter((t) => t.name !== 'run_command'),
      purpose: 'step',
    });
    expect(res.message.content).toBe(
      `[offline] Folder . has 1 entry:\n- a.txt (1 bytes)\n\n[offline] The tool run_command is not enabled for this task, so the offline planner cannot do this.\n\n${OUTCOME_NOT_DONE}`,
    );
  });

  it("counts list_files' and search_files' text results without their header or summary lines", async () => {
    const entries = Array.from({ length: 20 }, (_, i) => `f${i}.ts (${i} bytes)`);
    const listed = await run('list the files in src', {
      list_files: () => ['src: 20 entries', ...entries].join('\n'),
    });
    expect(listed.final.message.content).toBe(
      `[offline] Folder src has 20 entries:\n${entries.map((e) => `- ${e}`).join('\n')}`,
    );
    const matches = Array.from({ length: 3 }, (_, i) => `src/a.ts:${i + 1}: TODO ${i}`);
    const found = await run('Search for "TODO" in src', {
      search_files: () => [...matches, '[3 matches in 244 files]'].join('\n'),
    });
    expect(found.final.message.content).toBe(
      `[offline] 3 matches for "TODO" in src:\n${matches.map((m) => `- ${m}`).join('\n')}`,
    );
    const none = await run('Search for "nothing" in src', {
      search_files: () => 'No matches (0 matches in 12 files).',
    });
    expect(none.final.message.content).toBe('[offline] No matches for "nothing" in src.');
  });

  it.each([
    [
      'Create a Hello World program',
      /^\[offline\] This request needs a language model: .*"Create a Hello World program".*PUT \/api\/v1\/config\/model/,
    ],
    ['帮我写一个贪吃蛇游戏', /^\[offline\] 这个请求需要语言模型：.*model\.provider/],
  ])('answers "%s" with how to configure a model', async (task, expected) => {
    const { final, calls } = await run(task, {});
    expect(calls).toEqual([]);
    expect(final.message.content).toMatch(expected);
    // the agent keeps the first paragraph (up to 500 characters) as the task summary
    const summary = final.message.content!.split(/\n\s*\n/)[0];
    expect(summary.length).toBeLessThan(500);
    expect(summary).toContain('PUT /api/v1/config/model');
  });

  it('reads the task without a <task> wrapper too', async () => {
    const res = await sut.chat({
      messages: [{ role: 'user', content: 'cat package.json' }],
      tools: TOOLS,
    });
    expect(res.message.tool_calls).toEqual([
      { id: 'call_offline_1', name: 'read_file', arguments: '{"path":"package.json"}' },
    ]);
  });

  it('an aborted signal rejects like a real model call', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      sut.chat({ messages: start('list files'), signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'MODEL_ERROR',
      details: { aborted: true },
    });
  });
});
