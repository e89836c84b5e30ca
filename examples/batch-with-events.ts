/**
 * A batch of tasks, following each task's events live while the batch runs.
 * In process by default; set AGENT_RUNNER_URL to run the same code against a server.
 *
 *   node examples/run.js batch-with-events
 */
import {
  AgentConfig,
  ApiClientBuilder,
  TaskEvent,
  TaskRunnerClient,
  TaskRunnerService,
  TaskStep,
} from 'agent-runner';

function describe(event: TaskEvent): string {
  const step = event.data.step as TaskStep | undefined;
  if (event.type === 'step.completed' && step) {
    const what = step.tool ? `${step.tool} ${JSON.stringify(step.input)}` : step.description;
    return `step ${step.step_number} ${step.status} in ${step.duration_ms} ms: ${what}`;
  }
  return event.type;
}

async function main(): Promise<void> {
  const remote = process.env.AGENT_RUNNER_URL;
  // In process: tasks kept in memory, at most two at a time.
  const service = remote
    ? undefined
    : await TaskRunnerService.create(
        { max_concurrent_tasks: 2 },
        AgentConfig.loadWithFallback('config.toml').withOverrides({
          storage: { driver: 'memory' },
        }),
      );
  const client = new TaskRunnerClient(
    service ? ApiClientBuilder.inProcess(service) : ApiClientBuilder.fromEnv(),
  );
  try {
    const batch = await client.submitBatch([
      'list the files in .',
      'read README.md and summarize it',
      { task: 'run `echo hello from a batch`', priority: 'high' },
    ]);
    console.log(`Batch ${batch.batch_id}: ${batch.results.length} tasks accepted`);

    // One event stream per task, read concurrently; each ends with the task's terminal event.
    await Promise.all(
      batch.results.map(async (task, i) => {
        for await (const event of client.streamTaskEvents(task.task_id)) {
          console.log(`[task ${i + 1}] #${event.seq} ${describe(event)}`);
        }
      }),
    );

    const done = await client.waitForBatch(batch.batch_id);
    for (const [i, task] of done.results.entries()) {
      console.log(
        `[task ${i + 1}] ${task.status}: ${task.result?.summary.split('\n')[0] ?? task.error?.message}`,
      );
    }
    const s = done.statistics;
    console.log(
      `Statistics: ${s.successful_tasks}/${s.total_tasks} succeeded in ${s.total_time_ms} ms`,
    );
  } finally {
    await service?.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
