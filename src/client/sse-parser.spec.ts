import fc from 'fast-check';
import { SseMessage, SseParser } from './sse-parser';

describe('SseParser', () => {
  it('parses fields, skips comments, joins multi-line data and keeps the last id', () => {
    const sut = new SseParser();
    const out = sut.push(
      ': heartbeat\n\nretry: 2000\n\nid: 1\nevent: task.queued\ndata: {"a":1}\n\ndata: line one\ndata: line two\n\n',
    );
    expect(out).toEqual([
      { event: '', data: '', retry: 2000 },
      { event: 'task.queued', data: '{"a":1}', id: '1' },
      { event: 'message', data: 'line one\nline two', id: '1' },
    ]);
  });

  it('handles CRLF, CR, a missing space after the colon and unknown fields', () => {
    const sut = new SseParser();
    expect(sut.push('id:7\r\nevent:x\r\nfoo: bar\r\ndata:{}\r\n\r\ndata: y\r\r')).toEqual([
      { event: 'x', data: '{}', id: '7' },
      { event: 'message', data: 'y', id: '7' },
    ]);
  });

  it('ignores a bad retry and an id with a NUL', () => {
    const sut = new SseParser();
    expect(sut.push('retry: soon\nid: a\u0000b\ndata: z\n\n')).toEqual([
      { event: 'message', data: 'z' },
    ]);
  });

  it('gives the same messages however the bytes are split (property)', () => {
    const stream =
      'retry: 10\r\n\r\n' +
      [1, 2, 3]
        .map((n) => `id: ${n}\r\nevent: e${n}\r\ndata: {"seq":${n}}\r\ndata: more\r\n\r\n`)
        .join('') +
      ': done\n\n';
    const whole = new SseParser().push(stream);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }),
        (cuts) => {
          const sut = new SseParser();
          const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), stream.length];
          const got: SseMessage[] = [];
          for (let i = 1; i < points.length; i++)
            got.push(...sut.push(stream.slice(points[i - 1], points[i])));
          expect(got).toEqual(whole);
        },
      ),
    );
    expect(whole.filter((m) => m.data).map((m) => m.id)).toEqual(['1', '2', '3']);
  });
});
