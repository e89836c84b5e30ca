import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { startServerProcess } from '../support/server-process';

interface TaskView {
  status: string;
  error: { code: string };
  result: { details: string; success: boolean };
  steps: { status: string }[];
}

describe('crash recovery of the built server (SIGKILL, then restart on the same database)', () => {
  it('marks the running task TASK_INTERRUPTED, runs the queued one, keeps the finished one', async () => {
    const fake = await FakeOpenAIServer.start();
    const dir = mkdtempSync(join(tmpdir(), 'agent-runner-crash-'));
    const env = {
      AGENT_RUNNER_MODEL_PROVIDER: 'openai',
      AGENT_RUNNER_MODEL_ENDPOINT: fake.url,
      AGENT_RUNNER_API_KEY: 'sk-test-crash-0000000001',
      AGENT_RUNNER_STORAGE_PATH: join(dir, 'db', 'tasks.db'),
      AGENT_RUNNER_MAX_CONCURRENT_TASKS: '1',
      AGENT_RUNNER__EXECUTION__PLANNING: 'false',
      AGENT_RUNNER__SERVICE__RATE_LIMITING__ENABLED: 'false',
    };
    const post = (base: string, body: unknown) =>
      fetch(`${base}/api/v1/tasks?wait=false`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ task_id: string }>);
    let server = await startServerProcess({ cwd: dir, env });
    const get = async (id: string) =>
      (await (await fetch(`${server.baseUrl}/api/v1/tasks/${id}`)).json()) as TaskView;
    /** The task once it is neither queued nor running (read every 50 ms, for up to 30 s). */
    const ended = (id: string) =>
      eventually(
        async () => {
          const task = await get(id);
          expect(['queued', 'running']).not.toContain(task.status);
          return task;
        },
        { timeoutMs: 30_000, intervalMs: 50, what: `task ${id} to end` },
      );
    try {
      fake.enqueue(fakeReply.text('first done'));
      const first = await post(server.baseUrl, { task: 'first' });
      expect((await ended(first.task_id)).status).toBe('completed');
      fake.enqueue(fakeReply.hang());
      const running = await post(server.baseUrl, { task: 'second' });
      const queued = await post(server.baseUrl, { task: 'third' });
      await fake.waitForRequests(2);
      // Killed the moment its 202 arrives: an acknowledged task must already be stored.
      const acknowledged = await post(server.baseUrl, { task: 'fourth' });
      expect(await server.stop('SIGKILL')).toBe('SIGKILL');

      fake.setDefault(fakeReply.text('third done after restart'));
      server = await startServerProcess({ cwd: dir, env });
      expect((await get(first.task_id)).status).toBe('completed');
      const interrupted = await get(running.task_id);
      expect(interrupted.status).toBe('failed');
      expect(interrupted.error.code).toBe('TASK_INTERRUPTED');
      expect(interrupted.steps.map((step) => step.status)).not.toContain('running');
      expect(interrupted.result.success).toBe(false);
      const third = await ended(queued.task_id);
      expect(third.status).toBe('completed');
      expect((await ended(acknowledged.task_id)).status).toBe('completed');
      expect(third.result.details).toBe('third done after restart');
    } finally {
      await server.stop('SIGKILL');
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
