import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERROR_HTTP_STATUS } from '../../src/common/errors';
import { eventually } from '../support/eventually';
import { OpenApiResponseValidator } from '../support/openapi-response-validator';
import { publishedDocument } from '../support/published-openapi';
import { parseSse } from '../support/sse';
import { createTaskApp, TaskTestApp } from '../support/task-app';

const API_MD = readFileSync(resolve(__dirname, '../../docs/api.md'), 'utf8');

/** The `data:` of each SSE message in a text stream, as the client sees it (flattened). */
function sseData(stream: string): Record<string, unknown>[] {
  return parseSse(stream).map((e) => e.data);
}

/** The keys of a JSON value, nested, with their value types (not the values). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shape(v)]),
    );
  return value === null ? 'null' : typeof value;
}

/** docs/api.md quotes what the service sends: these tests hold those quotes to the wire. */
describe('docs/api.md', () => {
  const doc = publishedDocument();

  it('lists every error code with its status, as the service maps them', () => {
    const documented = new Map<string, number[]>();
    for (const [, status, code] of API_MD.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \|/gm))
      documented.set(code, [...(documented.get(code) ?? []), Number(status)]);
    for (const [code, status] of Object.entries(ERROR_HTTP_STATUS))
      expect({ code, documented: documented.get(code)?.includes(status) }).toEqual({
        code,
        documented: true,
      });
  });

  it("gives each endpoint's error statuses as its OpenAPI operation declares them", () => {
    const sections = API_MD.split(/^### /m).slice(1);
    let checked = 0;
    for (const section of sections) {
      const heading = /^`(GET|POST|PUT|DELETE) (\/[^`]*)`/.exec(section);
      const operation =
        heading &&
        (doc.paths[heading[2]] as Record<string, { responses: object }>)?.[
          heading[1].toLowerCase()
        ];
      if (!heading || !operation) continue;
      const at = section.indexOf('\nErrors:');
      expect({ endpoint: heading[0], errors: at >= 0 }).toEqual({
        endpoint: heading[0],
        errors: true,
      });
      // The paragraph, or the table right after it.
      const [line, next] = section.slice(at + 1).split('\n\n');
      const text = line.trim() === 'Errors:' ? next : line;
      const listed = new Set([...text.matchAll(/\b([45]\d\d)\b/g)].map((m) => m[1]));
      const declared = Object.keys(operation.responses).filter((s) => /^[45]/.test(s));
      const common = ['401', '429', '500', '503'];
      expect({
        endpoint: heading[0],
        statuses: [...new Set([...common, ...listed])].sort(),
      }).toEqual({
        endpoint: heading[0],
        statuses: declared.sort(),
      });
      checked++;
    }
    // Every operation but the three probes, which share one section.
    const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item)).length;
    expect(checked).toBe(operations - 3);
  });

  it('quotes error bodies that have the published error shape', () => {
    const validator = new OpenApiResponseValidator(doc);
    const blocks = [...API_MD.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
    let checked = 0;
    const quoted = blocks.join('\n').match(/\{"status_code"/g)!.length;
    for (const block of blocks)
      for (const chunk of block.split(/\n(?=\{"status_code")/)) {
        if (!chunk.startsWith('{"status_code"')) continue;
        const excerpt = JSON.parse(chunk.trim().replace(/,…\}$/, '}').replace(/…/g, '')) as Record<
          string,
          unknown
        >;
        expect(validator.checkExcerpt('ErrorResponseDto', excerpt)).toEqual([]);
        checked++;
      }
    expect(checked).toBe(quoted);
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  describe('against a live service', () => {
    let t: TaskTestApp;
    const streams: Record<string, Record<string, unknown>[]> = {};

    async function eventsOf(task: Record<string, unknown>): Promise<Record<string, unknown>[]> {
      const res = await t.get(`/api/v1/tasks/${String(task.task_id)}/events`);
      return sseData(res.body);
    }

    beforeAll(async () => {
      t = await createTaskApp({ overrides: { execution: { planning: true } } });
      streams.completed = await eventsOf(
        (await t.post('/api/v1/tasks', { task: 'list the files in .' })).json(),
      );
      streams.failed = await eventsOf(
        (
          await t.post('/api/v1/tasks', {
            task: 'list the files in .',
            context: { constraints: { max_steps: 1 } },
          })
        ).json(),
      );
      streams.timeout = await eventsOf(
        (
          await t.post('/api/v1/tasks', {
            task: 'run `sleep 5`',
            context: { constraints: { max_execution_time: 1 } },
          })
        ).json(),
      );
      const slow = (
        await t.post('/api/v1/tasks?wait=false', { task: 'Run the command "sleep 30"' })
      ).json();
      await eventually(
        async () => {
          const task = (await t.get(`/api/v1/tasks/${String(slow.task_id)}`)).json();
          expect((task.steps as { tool: string | null }[]).map((s) => s.tool)).toContain(
            'run_command',
          );
        },
        { what: 'the command to start' },
      );
      await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${String(slow.task_id)}` });
      streams.cancelled = await eventsOf(slow);
    });
    afterAll(() => t.close());

    it('sends each event with the payload fields the event reference lists', () => {
      const table = new Map(
        [...API_MD.matchAll(/^\| `((?:task|plan|step)\.[a-z]+)` \| ([^|]+) \|/gm)].map((m) => [
          m[1],
          [...m[2].split('(')[0].matchAll(/`([a-z_]+)(?::[^`]*)?`/g)].map((f) => f[1]).sort(),
        ]),
      );
      expect([...table.keys()].sort()).toEqual([
        'plan.created',
        'step.completed',
        'step.started',
        'task.cancelled',
        'task.completed',
        'task.failed',
        'task.queued',
        'task.started',
        'task.timeout',
      ]);
      const seen = new Map<string, string[]>();
      for (const events of Object.values(streams))
        for (const e of events) {
          const { task_id: _t, seq: _s, timestamp: _ts, type, ...payload } = e;
          seen.set(String(type), Object.keys(payload).sort());
        }
      for (const [type, fields] of seen)
        expect({ type, fields }).toEqual({ type, fields: table.get(type) });
      expect(seen.size).toBe(9);
    });

    it('ends every stream with its terminal event, every step closed before it', () => {
      for (const [status, events] of Object.entries(streams)) {
        expect(events[events.length - 1].type).toBe(`task.${status}`);
        const steps = events
          .filter((e) => String(e.type).startsWith('step.'))
          .map((e) => e.step as { step_number: number; status: string });
        expect(steps.filter((s) => s.status === 'running').map((s) => s.step_number)).toEqual(
          steps.filter((s) => s.status !== 'running').map((s) => s.step_number),
        );
      }
    });

    it('sends a cancel as the quoted sample does: the step closed with TASK_CANCELLED, then task.cancelled with result', () => {
      const section = API_MD.slice(API_MD.indexOf('### `GET /api/v1/tasks/{id}/events`'));
      // The quoted stream: the code block of that section that starts as the stream does.
      const quotedStream = /^```\n(retry: [\s\S]*?)^```$/m.exec(
        section.slice(0, section.indexOf('## Configuration')),
      );
      expect(quotedStream).not.toBeNull();
      const sample = sseData(quotedStream![1]);
      const live = streams.cancelled.slice(-3);
      expect(sample.map((e) => e.type)).toEqual(live.map((e) => e.type));
      for (const [i, quoted] of sample.entries()) {
        const { timestamp: _a, seq: _b, task_id: _c, ...q } = quoted;
        const { timestamp: _d, seq: _e, task_id: _f, ...l } = live[i];
        expect(shape(q)).toEqual(shape(l));
      }
      const closed = live[1].step as { status: string; error: string };
      expect(closed.status).toBe('failed');
      expect(closed.error).toBe((sample[1].step as { error: string }).error);
      expect(live[2].result).toEqual(
        expect.objectContaining({ success: false, summary: 'Cancelled by request.' }),
      );
    });
  });
});
