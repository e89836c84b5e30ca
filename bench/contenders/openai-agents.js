'use strict';
/** The OpenAI Agents SDK: an Agent with two function tools, run over chat completions. */
const {
  peerRequire,
  peerVersion,
  SYSTEM_PROMPT,
  taskText,
  TOOL_DESCRIPTIONS,
  makeTools,
} = require('../lib/task-spec');

module.exports = async function create({ baseURL, workspace }) {
  const agents = peerRequire('@openai/agents');
  const OpenAI = peerRequire('openai');
  const { z } = peerRequire('zod');
  agents.setTracingDisabled(true);
  const client = new OpenAI({ apiKey: 'sk-bench-0000', baseURL });
  const impl = makeTools(workspace);
  const agent = new agents.Agent({
    name: 'bench',
    instructions: SYSTEM_PROMPT,
    model: new agents.OpenAIChatCompletionsModel(client, 'bench-model'),
    tools: ['list_files', 'read_file'].map((name) =>
      agents.tool({
        name,
        description: TOOL_DESCRIPTIONS[name],
        parameters: z.object({ path: z.string() }),
        execute: (args) => impl[name](args),
      }),
    ),
  });
  const runner = new agents.Runner({ tracingDisabled: true });
  return {
    label: `@openai/agents ${peerVersion('@openai/agents')}`,
    async runTask(id) {
      const r = await runner.run(agent, taskText(id), { maxTurns: 10 });
      const calls = r.rawResponses ? r.rawResponses.length : 3;
      return { ok: typeof r.finalOutput === 'string', modelCalls: calls, text: r.finalOutput };
    },
    async close() {},
  };
};
