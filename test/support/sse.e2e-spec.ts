import { parseSse } from './sse';

describe('parseSse()', () => {
  it('reads id, event and JSON data; skips retry, comments and CRLF', () => {
    const body =
      'retry: 2000\n\n' +
      'id: 1\nevent: task.queued\ndata: {"seq":1}\n\n' +
      ': heartbeat 123\n\n' +
      'id: 2\r\nevent: task.started\r\ndata: {"seq":\r\ndata: 2}\r\n\r\n' +
      'id: 3\nevent: task.completed\ndata: {"seq":3}';
    expect(parseSse(body)).toEqual([
      { id: 1, event: 'task.queued', data: { seq: 1 } },
      { id: 2, event: 'task.started', data: { seq: 2 } },
      { id: 3, event: 'task.completed', data: { seq: 3 } },
    ]);
    expect(parseSse('retry: 2000\n\n')).toEqual([]);
  });

  it('refuses what the stream never sends: unknown fields, data that is not a JSON object', () => {
    expect(() => parseSse('id: 1\nevnet: x\ndata: {}\n\n')).toThrow(
      'unexpected SSE line "evnet: x"',
    );
    expect(() => parseSse('data: [1]\n\n')).toThrow('SSE data is not a JSON object');
    expect(() => parseSse('data: {"cut\n\n')).toThrow(SyntaxError);
  });
});
