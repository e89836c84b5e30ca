import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { createTaskApp, FAKE_MODEL_KEY, TaskTestApp } from '../support/task-app';
import { expectErrorShape } from '../support/test-app';

describe('tasks end to end against a scripted model', () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;

  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    fake.reset();
    t = await createTaskApp({ fake });
  });
  afterEach(() => t.close());

  it('summarises a README through list_files + read_file, sending the key and the tools', async () => {
    writeFileSync(join(t.dir, 'README.md'), '# Demo\n\nA demo project.\n');
    fake.enqueue(
      fakeReply.toolCall('list_files', { path: '.' }),
      fakeReply.toolCall('read_file', { path: 'README.md' }),
      fakeReply.text('The README describes a demo project.\n\nIt has one heading, "Demo".'),
    );
    const res = await t.post('/api/v1/tasks', {
      task: 'Read README.md file and summarize content',
      priority: 'high',
    });
    expect(res.statusCode).toBe(200);
    const task = res.json();
    expect(task).toEqual(
      expect.objectContaining({
        status: 'completed',
        priority: 'high',
        task: 'Read README.md file and summarize content',
        result: expect.objectContaining({
          success: true,
          summary: 'The README describes a demo project.',
        }),
      }),
    );
    expect(
      task.steps.map(
        (s: { step_type: string; tool: string | null }) => `${s.step_type}:${s.tool ?? ''}`,
      ),
    ).toEqual(['model:', 'tool:list_files', 'model:', 'tool:read_file', 'model:', 'completion:']);
    expect(task.steps[3].output).toContain('A demo project.');
    expect(task.metrics).toEqual(
      expect.objectContaining({
        model_calls: 3,
        tool_calls: 2,
        steps_executed: 6,
        tokens_used: { prompt: 30, completion: 15, total: 45 },
      }),
    );
    expect(task.metrics.model_attempts).toBe(3);
    const reqs = fake.chatRequests;
    expect(reqs).toHaveLength(3);
    expect(reqs[0].bearer).toBe(FAKE_MODEL_KEY);
    expect(
      reqs[0].body.tools.map((x: { function: { name: string } }) => x.function.name).sort(),
    ).toEqual([
      'edit_file',
      'list_files',
      'read_file',
      'run_command',
      'search_files',
      'write_file',
    ]);
    expect(reqs[0].body.max_tokens).toBe(4000);
    expect(reqs[0].body.temperature).toBe(0.7);
    // Every tool call got its result in the next request: the history stays valid.
    const last = reqs[2].body.messages;
    expect(last.filter((m: { role: string }) => m.role === 'tool')).toHaveLength(2);
    expect(JSON.stringify(last)).toContain('A demo project.');
  });

  it('asks the model to state the outcome, and reads it: a goal not met completes without success', async () => {
    fake.enqueue(
      fakeReply.toolCall('run_command', { command: 'false' }),
      fakeReply.text(
        'The test command failed with exit code 1.\n\nI ran `false`; it exited 1.\n\n**OUTCOME:** NOT DONE',
      ),
    );
    const task = (await t.post('/api/v1/tasks', { task: 'Run the tests' })).json();
    expect(task.status).toBe('completed');
    expect(task.result).toEqual(
      expect.objectContaining({
        success: false,
        summary: 'The test command failed with exit code 1.',
        details: 'The test command failed with exit code 1.\n\nI ran `false`; it exited 1.',
      }),
    );
    const system = fake.chatRequests[0].body.messages[0].content as string;
    expect(system).toContain('`OUTCOME: DONE`');
    expect(system).toContain('`OUTCOME: NOT DONE`');

    fake.enqueue(fakeReply.text('All 12 tests pass.\nOUTCOME: DONE'));
    const done = (await t.post('/api/v1/tasks', { task: 'Run the tests again' })).json();
    expect(done.result).toEqual(
      expect.objectContaining({ success: true, details: 'All 12 tests pass.' }),
    );
    // A model that ignores the instruction is not made to fail.
    fake.enqueue(fakeReply.text('Quoting the log: "OUTCOME: NOT DONE" was printed.\nAll good.'));
    const silent = (await t.post('/api/v1/tasks', { task: 'Check the log' })).json();
    expect(silent.result.success).toBe(true);
  });

  it('writes, edits and reads a file, recording the artifacts', async () => {
    fake.enqueue(
      fakeReply.toolCall('write_file', { path: 'src/hello.txt', content: 'hello world\n' }),
      fakeReply.toolCall('edit_file', {
        path: 'src/hello.txt',
        old_text: 'world',
        new_text: 'agent',
      }),
      fakeReply.toolCall('read_file', { path: 'src/hello.txt' }),
      fakeReply.text('Wrote and edited src/hello.txt.'),
    );
    const res = await t.post('/api/v1/tasks', { task: 'Create src/hello.txt' });
    const task = res.json();
    expect(task.status).toBe('completed');
    expect(readFileSync(join(t.dir, 'src/hello.txt'), 'utf8')).toBe('hello agent\n');
    expect(task.result.artifacts).toEqual([
      expect.objectContaining({ type: 'file_written', path: 'src/hello.txt', bytes: 12 }),
      expect.objectContaining({ type: 'file_edited', path: 'src/hello.txt' }),
    ]);
    expect(fake.chatRequests[3].body.messages.at(-1).content).toContain('hello agent');
  });

  it('returns a denied tool call to the model as a result and records a denied step', async () => {
    fake.enqueue(
      fakeReply.toolCall('read_file', { path: '../../etc/passwd' }),
      fakeReply.toolCall('run_command', { command: 'rm -fr /' }),
      fakeReply.text('I could not do that.'),
    );
    const task = (await t.post('/api/v1/tasks', { task: 'be evil' })).json();
    expect(task.status).toBe('completed');
    const toolSteps = task.steps.filter((s: { step_type: string }) => s.step_type === 'tool');
    expect(toolSteps.map((s: { status: string }) => s.status)).toEqual(['denied', 'denied']);
    const toolMessages = fake.chatRequests[2].body.messages.filter(
      (m: { role: string }) => m.role === 'tool',
    );
    expect(toolMessages).toHaveLength(2);
    expect(toolMessages[0].content).not.toContain('root:');
  });

  it('ends with MAX_STEPS_EXCEEDED when the model never finishes', async () => {
    let n = 0;
    fake.onRequest(() => fakeReply.toolCall('list_files', { path: '.', max_entries: ++n }));
    const task = (
      await t.post('/api/v1/tasks', {
        task: 'loop forever',
        context: { constraints: { max_steps: 3 } },
      })
    ).json();
    expect(task.status).toBe('failed');
    expect(task.error).toEqual(expect.objectContaining({ code: 'MAX_STEPS_EXCEEDED' }));
    expect(task.result).toEqual(expect.objectContaining({ success: false, artifacts: [] }));
    expect(fake.chatRequests).toHaveLength(3);
    fake.onRequest(undefined);
  });

  it('stops a model that repeats the same call, telling it first', async () => {
    fake.onRequest(() => fakeReply.toolCall('list_files', { path: '.' }));
    const task = (
      await t.post('/api/v1/tasks', { task: 'repeat', context: { constraints: { max_steps: 10 } } })
    ).json();
    fake.onRequest(undefined);
    expect(task.status).toBe('failed');
    expect(task.error.code).toBe('REPEATED_TOOL_CALL');
    const told = fake.chatRequests[2].body.messages.at(-1);
    expect(told.role).toBe('tool');
    expect(told.content).toContain('already made this exact list_files call');
  });

  it('fails with MODEL_ERROR (status and message, never the key) when the provider errors', async () => {
    fake.enqueue(fakeReply.error(401, `Incorrect API key provided: ${FAKE_MODEL_KEY}`));
    const res = await t.post('/api/v1/tasks', { task: 'anything' });
    expect(res.statusCode).toBe(200);
    const task = res.json();
    expect(task.status).toBe('failed');
    expect(task.error.code).toBe('MODEL_ERROR');
    expect(res.body).not.toContain(FAKE_MODEL_KEY);
    expect(JSON.stringify(task.error)).toContain('401');
  });

  it('plans first when planning is on, and returns the plan', async () => {
    await t.close();
    t = await createTaskApp({ fake, overrides: { execution: { planning: true } } });
    fake.enqueue(
      fakeReply.text(
        JSON.stringify({
          understanding: 'Document the API',
          approach: 'Read then write',
          complexity: 'Simple',
          estimated_steps: 2,
          requirements: ['read_file'],
        }),
      ),
      fakeReply.text('Done.'),
    );
    const task = (
      await t.post('/api/v1/tasks', { task: 'Write documentation for the API' })
    ).json();
    expect(task.plan).toEqual({
      understanding: 'Document the API',
      approach: 'Read then write',
      complexity: 'simple',
      estimated_steps: 2,
      requirements: ['read_file'],
      scenario: 'documentation',
    });
    expect(task.steps[0].step_type).toBe('planning');
    expect(fake.chatRequests[0].body.response_format).toEqual({ type: 'json_object' });
  });

  it('rejects unknown fields, tools, scenarios and escaping working directories with 400', async () => {
    for (const body of [
      { task: 'x', surprise: true },
      { task: '   ' },
      { task: 'x', context: { tools: ['format_disk'] } },
      { task: 'x', context: { scenario: 'world_domination' } },
      { task: 'x', context: { working_directory: '../../etc' } },
      { task: 'x', context: { working_directory: '/etc' } },
      { task: 'x', context: { constraints: { allowed_paths: ['../..'] } } },
      { task: 'x', context: { environment: { 'lower-case': 'v' } } },
      { task: 'x', context: { constraints: { max_steps: 0 } } },
      { task: 'x', priority: 'urgent' },
      { task: 'x', task_id: 'has space' },
      { task: 'x', metadata: { big: 'y'.repeat(20_000) } },
    ]) {
      const res = await t.post('/api/v1/tasks', body);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
      expectErrorShape(res, 400, 'INVALID_REQUEST');
    }
    const list = (await t.get('/api/v1/tasks')).json();
    expect(list.tasks).toEqual([]);
  });
});
