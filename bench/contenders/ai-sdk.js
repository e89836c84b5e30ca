'use strict';
/** The Vercel AI SDK: generateText with two tools and a step limit, over chat completions. */
const {
  peerRequire,
  peerVersion,
  SYSTEM_PROMPT,
  taskText,
  TOOL_DESCRIPTIONS,
  makeTools,
} = require('../lib/task-spec');

module.exports = async function create({ baseURL, workspace }) {
  const { generateText, tool, stepCountIs } = peerRequire('ai');
  const { createOpenAI } = peerRequire('@ai-sdk/openai');
  const { z } = peerRequire('zod');
  const provider = createOpenAI({ apiKey: 'sk-bench-0000', baseURL });
  // .chat(): the same chat completions API as everyone else (the default is the Responses API)
  const model = provider.chat('bench-model');
  const impl = makeTools(workspace);
  const tools = {
    list_files: tool({
      description: TOOL_DESCRIPTIONS.list_files,
      inputSchema: z.object({ path: z.string() }),
      execute: (args) => impl.list_files(args),
    }),
    read_file: tool({
      description: TOOL_DESCRIPTIONS.read_file,
      inputSchema: z.object({ path: z.string() }),
      execute: (args) => impl.read_file(args),
    }),
  };
  return {
    label: `ai ${peerVersion('ai')} (Vercel AI SDK)`,
    async runTask(id) {
      const r = await generateText({
        model,
        system: SYSTEM_PROMPT,
        prompt: taskText(id),
        tools,
        stopWhen: stepCountIs(10),
      });
      return { ok: r.finishReason === 'stop', modelCalls: r.steps.length, text: r.text };
    },
    async close() {},
  };
};
