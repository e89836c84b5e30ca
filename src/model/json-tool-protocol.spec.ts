import {
  correctiveMessage,
  describeTools,
  parseJsonAction,
  toJsonProtocolMessages,
} from './json-tool-protocol';
import { ChatMessage, ToolDefinition } from './language-model';

const TOOLS: ToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a file',
    parameters: { type: 'object', properties: { path: { type: 'string' } } },
  },
  {
    name: 'list_files',
    description: 'List a folder',
    parameters: { type: 'object', properties: {} },
  },
];

describe('json tool protocol', () => {
  describe('toJsonProtocolMessages', () => {
    const conversation: ChatMessage[] = [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Read a.md and list .' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', name: 'read_file', arguments: '{"path":"a.md"}' },
          { id: 'c2', name: 'list_files', arguments: '{}' },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '# A' },
      { role: 'tool', tool_call_id: 'c2', name: 'list_files', content: 'a.md' },
    ];

    it('describes the tools in the system message and keeps only text roles', () => {
      const out = toJsonProtocolMessages(conversation, TOOLS);
      expect(out.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
      expect(out[0].content).toContain('You are helpful.');
      expect(out[0].content).toContain(describeTools(TOOLS));
      expect(out.some((m) => m.tool_calls || m.tool_call_id)).toBe(false);
    });

    it('writes earlier tool calls as the JSON action and merges tool results into one user message', () => {
      const out = toJsonProtocolMessages(conversation, TOOLS);
      expect(JSON.parse(out[2].content!)).toEqual({
        tool_calls: [
          { name: 'read_file', arguments: { path: 'a.md' } },
          { name: 'list_files', arguments: {} },
        ],
      });
      expect(out[3].content).toMatch(/^TOOL RESULTS/);
      expect(out[3].content).toContain('[read_file c1]\n# A');
      expect(out[3].content).toContain('[list_files c2]\na.md');
    });

    it('adds a system message when there is none', () => {
      const out = toJsonProtocolMessages([{ role: 'user', content: 'hi' }], TOOLS);
      expect(out[0]).toEqual({ role: 'system', content: describeTools(TOOLS) });
    });
  });

  describe('parseJsonAction', () => {
    it.each([
      ['{"tool_calls": [{"name": "read_file", "arguments": {"path": "a.md"}}]}'],
      ['```json\n{"tool_calls": [{"name": "read_file", "arguments": {"path": "a.md"}}]}\n```'],
      ['I will read it now. {"tool": "read_file", "args": {"path": "a.md"}}'],
      ['{"name": "read_file", "parameters": {"path": "a.md"},}'],
      [
        '{"tool_calls": [{"function": {"name": "read_file", "arguments": "{\\"path\\": \\"a.md\\"}"}}]}',
      ],
      ['{"action": "call", "tool_name": "read_file", "input": {"path": "a.md"}}'],
    ])('reads a tool call from %s', (text) => {
      const action = parseJsonAction(text, TOOLS);
      expect(action).toMatchObject({ kind: 'tool_calls', calls: [{ name: 'read_file' }] });
      if (action.kind !== 'tool_calls') throw new Error('unreachable');
      expect(JSON.parse(action.calls[0].arguments)).toEqual({ path: 'a.md' });
      expect(action.calls[0].id).toMatch(/^call_[0-9a-f]{12}$/);
      expect(action.problem).toBeUndefined();
    });

    it('reads several calls in order', () => {
      const action = parseJsonAction(
        '{"tool_calls":[{"name":"list_files","arguments":{}},{"name":"read_file","arguments":{"path":"b"}}]}',
        TOOLS,
      );
      expect(action.kind === 'tool_calls' && action.calls.map((c) => c.name)).toEqual([
        'list_files',
        'read_file',
      ]);
    });

    it.each([
      ['{"final_answer": "All done."}', 'All done.'],
      ['```json\n{"answer": "42"}\n```', '42'],
      ['The file says hello.', 'The file says hello.'],
    ])('reads a final answer from %s', (text, expected) => {
      expect(parseJsonAction(text, TOOLS)).toEqual({ kind: 'final', text: expected });
    });

    it.each([
      ['{"tool_calls": [{"name": "read_file", "arguments": {"path": '],
      ['{"mood": "happy"}'],
      [''],
      ['   '],
    ])('calls %j invalid', (text) => {
      expect(parseJsonAction(text, TOOLS).kind).toBe('invalid');
    });

    it('flags unknown tool names but still returns the calls', () => {
      const action = parseJsonAction('{"tool": "delete_everything", "arguments": {}}', TOOLS);
      expect(action).toMatchObject({
        kind: 'tool_calls',
        problem: expect.stringContaining('"delete_everything"'),
      });
    });
  });

  it('the corrective message restates the format', () => {
    expect(correctiveMessage('broken JSON')).toMatchObject({
      role: 'user',
      content: expect.stringContaining('"final_answer"'),
    });
  });
});
