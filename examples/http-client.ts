/**
 * The same client over HTTP, configured from the environment: AGENT_RUNNER_URL (default
 * http://127.0.0.1:8080) and AGENT_RUNNER_CLIENT_KEY (the service's API key, if it has keys).
 *
 *   npx agent-runner serve &                       # or: npm start
 *   AGENT_RUNNER_URL=http://127.0.0.1:8080 node examples/run.js http-client
 */
import { ApiClientBuilder, TaskNotFoundError, TaskRunnerClient } from 'agent-runner';

async function main(): Promise<void> {
  const client = new TaskRunnerClient(ApiClientBuilder.fromEnv());

  const status = await client.getServiceStatus();
  console.log(
    `Connected to ${status.name} ${status.version} (${status.health}); model ${status.model.provider}`,
  );

  const response = await client.executeTask({
    task: 'Read README.md file and summarize content',
    priority: 'high',
  });
  console.log(`Task ${response.task_id}: ${response.status}`);
  console.log(response.result?.summary ?? response.error?.message);

  // Errors are typed, with the service's codes, whichever transport is used.
  try {
    await client.getTaskStatus('no-such-task');
  } catch (error) {
    if (!(error instanceof TaskNotFoundError)) throw error;
    console.log(`As expected: ${error.code} (${error.message})`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
