'use strict';
/** LangGraph.js: the prebuilt ReAct agent with two tools on ChatOpenAI. */
const {
  peerRequire,
  peerVersion,
  SYSTEM_PROMPT,
  taskText,
  TOOL_DESCRIPTIONS,
  makeTools,
} = require('../lib/task-spec');

module.exports = async function create({ baseURL, workspace }) {
  const { createReactAgent } = peerRequire('@langchain/langgraph/prebuilt');
  const { ChatOpenAI } = peerRequire('@langchain/openai');
  const { tool } = peerRequire('@langchain/core/tools');
  const { z } = peerRequire('zod');
  const impl = makeTools(workspace);
  const llm = new ChatOpenAI({
    model: 'bench-model',
    apiKey: 'sk-bench-0000',
    configuration: { baseURL },
  });
  const tools = ['list_files', 'read_file'].map((name) =>
    tool((args) => impl[name](args), {
      name,
      description: TOOL_DESCRIPTIONS[name],
      schema: z.object({ path: z.string() }),
    }),
  );
  const agent = createReactAgent({ llm, tools, prompt: SYSTEM_PROMPT });
  return {
    label: `@langchain/langgraph ${peerVersion('@langchain/langgraph')}`,
    async runTask(id) {
      const r = await agent.invoke(
        { messages: [{ role: 'user', content: taskText(id) }] },
        { recursionLimit: 25 },
      );
      const ai = r.messages.filter((m) => m._getType && m._getType() === 'ai');
      const last = r.messages[r.messages.length - 1];
      return {
        ok: !!last && typeof last.content === 'string',
        modelCalls: ai.length,
        text: last.content,
      };
    },
    async close() {},
  };
};
