'use strict';
/** A hand-written tool loop on the plain `openai` SDK: the cheapest way to run this task. */
const {
  peerRequire,
  peerVersion,
  SYSTEM_PROMPT,
  taskText,
  OPENAI_TOOLS,
  makeTools,
} = require('../lib/task-spec');

module.exports = async function create({ baseURL, workspace }) {
  const OpenAI = peerRequire('openai');
  const client = new OpenAI({ apiKey: 'sk-bench-0000', baseURL });
  const tools = makeTools(workspace);
  return {
    label: `openai ${peerVersion('openai')} (hand loop)`,
    async runTask(id) {
      const messages = [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: taskText(id) },
      ];
      for (let round = 1; round <= 10; round++) {
        const r = await client.chat.completions.create({
          model: 'bench-model',
          messages,
          tools: OPENAI_TOOLS,
        });
        const msg = r.choices[0].message;
        messages.push(msg);
        if (!msg.tool_calls || msg.tool_calls.length === 0) {
          return { ok: true, modelCalls: round, text: msg.content };
        }
        for (const call of msg.tool_calls) {
          let content;
          try {
            content = await tools[call.function.name](JSON.parse(call.function.arguments));
          } catch (e) {
            content = `error: ${e.message}`;
          }
          messages.push({ role: 'tool', tool_call_id: call.id, content });
        }
      }
      return { ok: false, modelCalls: 10 };
    },
    async close() {},
  };
};
