import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTaskApp, TaskTestApp } from '../support/task-app';

/** With no model configured, plain requests run end to end on the built-in offline planner. */
describe('the offline default, end to end over HTTP', () => {
  let t: TaskTestApp;
  beforeAll(async () => {
    t = await createTaskApp({ overrides: { execution: { planning: true } } });
    writeFileSync(
      join(t.dir, 'README.md'),
      '# Demo Project\n\nA small demo.\n\n## Usage\n\nRun it.\n',
    );
  });
  afterAll(() => t.close());

  it('summarizes a README: plan, read_file, an answer labelled offline', async () => {
    const task = (
      await t.post('/api/v1/tasks', { task: 'Read README.md file and summarize content' })
    ).json();
    expect(task.status).toBe('completed');
    expect(task.plan.understanding).toContain('[offline]');
    expect(
      task.steps
        .filter((s: { tool: string | null }) => s.tool)
        .map((s: { tool: string }) => s.tool),
    ).toEqual(['read_file']);
    expect(task.result.summary).toContain('offline');
    expect(task.result.details).toContain('Demo Project');
    expect(task.result.details).toMatch(/\d+ lines, \d+ words/);
    expect((await t.get('/api/v1/status')).json().model).toEqual(
      expect.objectContaining({ provider: 'offline', offline: true, ready: true }),
    );
  });

  it('runs a quoted command and reports its exit code and output', async () => {
    const task = (await t.post('/api/v1/tasks', { task: 'run `echo hello-offline`' })).json();
    expect(task.status).toBe('completed');
    expect(task.result.details).toContain('exit code 0');
    expect(task.result.details).toContain('hello-offline');
    expect(task.result.artifacts).toEqual([
      expect.objectContaining({ type: 'command', exit_code: 0 }),
    ]);
    expect(task.result.success).toBe(true);
  });

  it('completes without success when the command it was asked to run exits non-zero', async () => {
    const task = (await t.post('/api/v1/tasks', { task: 'run `false`' })).json();
    expect(task.status).toBe('completed');
    expect(task.result).toEqual(
      expect.objectContaining({ success: false, summary: '[offline] Ran `false`: exit code 1.' }),
    );
    // The outcome line is read, not shown.
    expect(task.result.details).not.toMatch(/OUTCOME/);
  });

  it('understands Chinese and writes a file', async () => {
    const task = (await t.post('/api/v1/tasks', { task: '把 "你好" 写入 greeting.txt' })).json();
    expect(task.status).toBe('completed');
    expect(task.result.artifacts).toEqual([
      expect.objectContaining({ type: 'file_written', path: 'greeting.txt' }),
    ]);
  });

  it('says a language model is needed for anything else', async () => {
    const task = (
      await t.post('/api/v1/tasks', {
        task: 'Refactor the payment module to use the strategy pattern',
      })
    ).json();
    expect(task.status).toBe('completed');
    expect(task.result.success).toBe(false);
    expect(task.result.summary).toMatch(/offline/i);
    expect(task.result.summary).toMatch(/language model/i);
  });
});
