/**
 * The seed README's library example, in TypeScript: an embedded service (no HTTP) and a client.
 *
 *   npm run build && node examples/run.js in-process-service
 *
 * With no configuration the model is the built-in offline planner, which answers that this
 * request needs a language model; configure one (config.toml or AGENT_RUNNER_* variables) to
 * have it write the program.
 */
import { AgentConfig, ApiClientBuilder, TaskRunnerClient, TaskRunnerService } from 'agent-runner';

async function main(): Promise<void> {
  // Create service instance ({}: no overrides of the [service] section)
  const service = await TaskRunnerService.create({}, AgentConfig.loadWithFallback('config.toml'));
  try {
    // Create client
    const client = new TaskRunnerClient(ApiClientBuilder.inProcess(service));
    // Execute task
    const response = await client.executeSimpleTask('Create a Hello World program');
    console.log(`Result: ${response.result?.summary ?? response.error?.message}`);
  } finally {
    await service.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
