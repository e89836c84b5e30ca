import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../src/contracts/task.types';
import { ERROR_HTTP_STATUS } from '../../src/common/errors';
import { publishedDocument } from '../support/published-openapi';
import { ADMIN_KEY, bearer, TEST_KEYS } from '../support/test-app';
import { createTaskApp, TaskTestApp } from '../support/task-app';

const PROJECT_ROOT = resolve(__dirname, '../..');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

/** `redocly lint` with the project's redocly.yaml (recommended rules) on the document. */
function redoclyLint(doc: OpenAPIObject): { errors: number; problems: LintProblem[] } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-runner-redocly-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    let out: string;
    try {
      out = execFileSync(
        process.execPath,
        [
          join(PROJECT_ROOT, 'node_modules/@redocly/cli/bin/cli.js'),
          'lint',
          file,
          '--config',
          join(PROJECT_ROOT, 'redocly.yaml'),
          '--format',
          'json',
        ],
        {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      );
    } catch (e) {
      // Exit code 1 when there are errors; the report is still on stdout.
      out = String((e as { stdout?: string }).stdout ?? '');
    }
    const report = JSON.parse(out) as { totals: { errors: number }; problems: LintProblem[] };
    return { errors: report.totals.errors, problems: report.problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function operations(doc: OpenAPIObject): { key: string; path: string; method: string; op: Json }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op: op as Json,
    })),
  );
}

/** Every property of every schema (nested ones too), with its dotted name. */
function properties(schema: Json, name: string): { name: string; schema: Json }[] {
  const out: { name: string; schema: Json }[] = [];
  for (const [key, value] of Object.entries((schema.properties ?? {}) as Json)) {
    out.push({ name: `${name}.${key}`, schema: value as Json });
    out.push(...properties(value as Json, `${name}.${key}`));
  }
  for (const part of ['items', 'additionalProperties'])
    if (schema[part] && typeof schema[part] === 'object')
      out.push(...properties(schema[part] as Json, `${name}[${part}]`));
  return out;
}

describe('the published OpenAPI document', () => {
  const doc = publishedDocument();
  const schemas = doc.components!.schemas as Record<string, Json>;
  const ops = operations(doc);

  it('passes redocly lint (recommended rules) without errors; the only warnings are the probes having no 4xx', () => {
    const { errors, problems } = redoclyLint(doc);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(errors).toBe(0);
    // The health probes really answer no 4xx; the rule's warning is accepted, nothing else.
    expect(problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}`).sort()).toEqual([
      'operation-4xx-response #/paths/~1health/get/responses',
      'operation-4xx-response #/paths/~1health~1live/get/responses',
      'operation-4xx-response #/paths/~1health~1ready/get/responses',
    ]);
  });

  it('names a server, a license and API-key schemes (an opaque bearer key, not a JWT)', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.info.license).toEqual(expect.objectContaining({ name: 'MIT' }));
    const schemes = doc.components!.securitySchemes as Json;
    expect(schemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'API key' }),
    );
    expect(JSON.stringify(schemes)).not.toMatch(/JWT"/);
    expect(schemes.api_key).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    );
  });

  it('marks the health probes public (security: []) and every other operation as needing a key', () => {
    for (const { key, path, op } of ops) {
      if (path.startsWith('/health'))
        expect({ key, security: op.security }).toEqual({ key, security: [] });
      else
        expect({ key, security: op.security }).toEqual({
          key,
          security: [{ bearer: [] }, { api_key: [] }],
        });
    }
  });

  it('describes every operation, response, parameter and property', () => {
    const undescribed: string[] = [];
    for (const { key, op } of ops) {
      if (!op.summary || !op.description) undescribed.push(key);
      for (const [status, res] of Object.entries(op.responses as Json))
        if (!(res as Json).description) undescribed.push(`${key} → ${status}`);
      for (const p of (op.parameters ?? []) as Json[])
        if (!p.description) undescribed.push(`${key} ?${p.name}`);
    }
    for (const [name, schema] of Object.entries(schemas))
      for (const prop of properties(schema, name))
        if (!prop.schema.description && !prop.schema.$ref) undescribed.push(prop.name);
    expect(undescribed).toEqual([]);
  });

  it('gives every closed set of values as an enum', () => {
    const enumOf = (schema: Json): unknown =>
      schema.enum ??
      (schema.allOf ? schemas[schema.allOf[0].$ref.split('/').pop()].enum : undefined);
    const prop = (schema: string, name: string) => enumOf(schemas[schema].properties[name]);
    expect(prop('TaskSummaryDto', 'status')).toEqual([...TASK_STATUSES]);
    expect(prop('TaskSummaryDto', 'priority')).toEqual([...TASK_PRIORITIES]);
    expect(prop('TaskStepDto', 'step_type')).toEqual(['planning', 'model', 'tool', 'completion']);
    expect(prop('TaskStepDto', 'status')).toEqual(['running', 'completed', 'failed', 'denied']);
    expect(prop('TaskArtifactDto', 'type')).toEqual(['file_written', 'file_edited', 'command']);
    expect(prop('TaskPlanDto', 'complexity')).toEqual(['simple', 'moderate', 'complex']);
    expect(prop('BatchResponseDto', 'status')).toEqual(['running', 'completed']);
    expect(prop('BatchResponseDto', 'mode')).toEqual(['parallel', 'sequential']);
    expect(prop('BatchRequestDto', 'mode')).toEqual(['parallel', 'sequential']);
    expect(prop('TaskRequestDto', 'priority')).toEqual([...TASK_PRIORITIES]);
    expect(prop('ErrorResponseDto', 'code')).toEqual(Object.keys(ERROR_HTTP_STATUS));
    expect(prop('ErrorResponseDto', 'code')).toContain('STORE_UNAVAILABLE');
  });

  it('says what may be null, and that error details are a list of {field, message}, an object or null', () => {
    for (const [schema, name] of [
      ['TaskSummaryDto', 'owner'],
      ['TaskSummaryDto', 'started_at'],
      ['TaskSummaryDto', 'completed_at'],
      ['TaskStepDto', 'tool'],
      ['TaskStepDto', 'output'],
      ['TaskStepDto', 'error'],
      ['TaskStepDto', 'duration_ms'],
      ['TaskPlanDto', 'scenario'],
      ['TaskErrorDto', 'details'],
      ['TaskListDto', 'next_cursor'],
      ['StatusModelDto', 'endpoint'],
    ])
      expect({ schema, name, nullable: schemas[schema].properties[name].nullable }).toEqual({
        schema,
        name,
        nullable: true,
      });
    expect(schemas.ErrorResponseDto.properties.details.oneOf).toEqual([
      { type: 'array', items: { $ref: '#/components/schemas/FieldProblemDto' } },
      { type: 'object', additionalProperties: true, nullable: true },
    ]);
    expect(schemas.FieldProblemDto.required.sort()).toEqual(['field', 'message']);
    // List items carry no steps; a task read alone does.
    expect(schemas.TaskListDto.properties.tasks.items.$ref).toBe(
      '#/components/schemas/TaskSummaryDto',
    );
    expect(schemas.TaskSummaryDto.properties.steps).toBeUndefined();
    expect(schemas.TaskResponseDto.required).toContain('steps');
  });

  it('declares the event stream as text/event-stream and its errors as JSON', () => {
    const events = (doc.paths['/api/v1/tasks/{id}/events'] as Json).get.responses as Json;
    expect(Object.keys(events[200].content)).toEqual(['text/event-stream']);
    for (const status of ['400', '401', '404', '429'])
      expect(Object.keys(events[status].content)).toEqual(['application/json']);
  });

  it('declares 413 and 415 wherever a body is read, 403 on the admin routes, 503 everywhere', () => {
    for (const { key, method, path, op } of ops) {
      const statuses = Object.keys(op.responses);
      if (['post', 'put', 'delete'].includes(method))
        expect({ key, has: ['400', '413', '415'].every((s) => statuses.includes(s)) }).toEqual({
          key,
          has: true,
        });
      if (path.startsWith('/api/v1/config'))
        expect({ key, has: statuses.includes('403') }).toEqual({ key, has: true });
      expect({ key, has: statuses.includes('503') }).toEqual({ key, has: true });
    }
  });

  describe('request examples', () => {
    let t: TaskTestApp;
    beforeAll(async () => {
      t = await createTaskApp({ overrides: TEST_KEYS });
    });
    afterAll(() => t.close());

    it('are accepted when sent as they are (what Swagger UI "Try it out" sends)', async () => {
      const sent: string[] = [];
      for (const { key, path, method, op } of ops) {
        const content = op.requestBody?.content?.['application/json'];
        if (!content) continue;
        const examples = Object.entries((content.examples ?? {}) as Json);
        expect({ key, examples: examples.length > 0 }).toEqual({ key, examples: true });
        for (const [name, example] of examples) {
          const res = await t.inject({
            method: method.toUpperCase() as 'POST',
            url: path,
            headers: bearer(ADMIN_KEY),
            payload: (example as Json).value,
          });
          expect({
            key,
            name,
            status: res.statusCode,
            body: res.statusCode < 300 ? '' : res.body,
          }).toEqual({
            key,
            name,
            status: expect.any(Number),
            body: '',
          });
          sent.push(`${key} ${name}`);
        }
      }
      expect(sent.length).toBeGreaterThanOrEqual(6);
    });
  });
});
