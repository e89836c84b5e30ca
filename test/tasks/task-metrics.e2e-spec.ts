import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { createTaskApp, TaskTestApp } from '../support/task-app';

/** The value of one sample of a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[3] ? m[3].split(',') : [];
    if (want.every((w) => have.includes(w))) return Number(m[4]);
  }
  return 0;
}

// docs/api.md, Metrics: the JSON snapshot has the same counters as /metrics.
describe('task metrics and the JSON snapshot come from the same counters', () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;
  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
    t = await createTaskApp({ fake });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('counts tasks, outcomes, model requests, tokens and tool calls', async () => {
    const before = (await t.get('/metrics')).body;
    const snapBefore = (await t.get('/api/v1/metrics')).json();
    fake.enqueue(
      fakeReply.toolCall('list_files', { path: '.' }),
      fakeReply.toolCall('read_file', { path: '../outside' }),
      fakeReply.text('ok'),
    );
    expect((await t.post('/api/v1/tasks', { task: 'one', priority: 'high' })).json().status).toBe(
      'completed',
    );
    fake.enqueue(fakeReply.error(400, 'bad'));
    expect((await t.post('/api/v1/tasks', { task: 'two' })).json().status).toBe('failed');

    const after = (await t.get('/metrics')).body;
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('ai_agent_tasks_total', { priority: 'high' })).toBe(1);
    expect(delta('ai_agent_tasks_total', { priority: 'normal' })).toBe(1);
    expect(delta('ai_agent_tasks_completed_total')).toBe(1);
    expect(delta('ai_agent_tasks_failed_total', { code: 'MODEL_ERROR' })).toBe(1);
    expect(delta('ai_agent_task_duration_seconds_count', { status: 'completed' })).toBe(1);
    expect(delta('ai_agent_tool_calls_total', { tool: 'list_files', outcome: 'ok' })).toBe(1);
    expect(delta('ai_agent_tool_calls_total', { tool: 'read_file', outcome: 'denied' })).toBe(1);
    expect(delta('ai_agent_model_requests_total', { provider: 'openai', outcome: 'success' })).toBe(
      3,
    );
    expect(delta('ai_agent_model_requests_total', { provider: 'openai', outcome: 'error' })).toBe(
      1,
    );
    expect(delta('ai_agent_model_tokens_total', { provider: 'openai', type: 'prompt' })).toBe(30);
    expect(delta('ai_agent_model_request_attempts_total', { provider: 'openai' })).toBe(4);
    expect(sample(after, 'ai_agent_active_tasks')).toBe(0);
    expect(sample(after, 'ai_agent_queued_tasks')).toBe(0);
    expect(after).toMatch(
      /ai_agent_requests_total\{method="POST",route="\/api\/v1\/tasks",status_code="200"\}/,
    );

    const snap = (await t.get('/api/v1/metrics')).json();
    expect(snap.tasks.total - snapBefore.tasks.total).toBe(2);
    expect(snap.tasks.completed - snapBefore.tasks.completed).toBe(1);
    expect(snap.error_counts.MODEL_ERROR - (snapBefore.error_counts.MODEL_ERROR ?? 0)).toBe(1);
    expect(snap.tool_usage.list_files - (snapBefore.tool_usage.list_files ?? 0)).toBe(1);
    const status = (await t.get('/api/v1/status')).json();
    expect(status).toEqual(
      expect.objectContaining({
        name: 'agent-runner',
        health: 'healthy',
        total_tasks: snap.tasks.total,
        completed_tasks: snap.tasks.completed,
        failed_tasks: snap.tasks.failed,
        active_tasks: 0,
        queued_tasks: 0,
        model: expect.objectContaining({ provider: 'openai', model_name: 'gpt-4o-mini' }),
        available_tools: expect.arrayContaining(['read_file', 'run_command']),
      }),
    );
  });
});
