'use strict';
/**
 * The bare-Fastify baseline of the HTTP overhead bench: the same two routes doing the
 * equivalent work with nothing else (no guards, hooks, helmet, CORS, metrics or logging).
 * GET /api/v1/tasks/:id returns a stored JSON document (the one agent-runner returned for a
 * completed task); POST /api/v1/tasks validates the body against a JSON Schema of the
 * TaskRequest, inserts a record in a Map and answers 202 like agent-runner does.
 *   node baseline-server.js <port> <get-document.json> <accepted-document.json>
 * Uses the Fastify copy agent-runner itself runs on (the root node_modules).
 */
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { createRequire } = require('node:module');

const rootRequire = createRequire(path.join(__dirname, '..', '..', 'package.json'));
const fastify = rootRequire('fastify');

const ID = '^[A-Za-z0-9._:-]{1,128}$';
const taskRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['task'],
  properties: {
    task: { type: 'string', minLength: 1, maxLength: 20000 },
    task_id: { type: 'string', pattern: ID },
    priority: { type: 'string', enum: ['low', 'normal', 'high', 'critical'] },
    metadata: { type: 'object' },
    context: {
      type: 'object',
      additionalProperties: false,
      properties: {
        working_directory: { type: 'string', maxLength: 4096 },
        environment: {
          type: 'object',
          propertyNames: { pattern: '^[A-Z_][A-Z0-9_]*$' },
          additionalProperties: { type: 'string' },
        },
        tools: { type: 'array', items: { type: 'string' }, maxItems: 20 },
        scenario: { type: 'string', maxLength: 100 },
        constraints: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_execution_time: { type: 'integer', minimum: 1 },
            max_steps: { type: 'integer', minimum: 1 },
            allowed_paths: { type: 'array', items: { type: 'string' }, maxItems: 100 },
          },
        },
      },
    },
  },
};

async function main() {
  const [port, getFile, acceptedFile] = process.argv.slice(2);
  const getDocument = JSON.parse(fs.readFileSync(getFile, 'utf8'));
  const accepted = JSON.parse(fs.readFileSync(acceptedFile, 'utf8'));
  const tasks = new Map([[getDocument.task_id, getDocument]]);
  const app = fastify({ logger: false, bodyLimit: 1024 * 1024 });

  app.get(
    '/api/v1/tasks/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: ID } } } } },
    async (req, reply) => {
      const task = tasks.get(req.params.id);
      if (!task) return reply.code(404).send({ status_code: 404, code: 'TASK_NOT_FOUND' });
      return task;
    },
  );

  app.post(
    '/api/v1/tasks',
    {
      schema: {
        body: taskRequestSchema,
        querystring: { type: 'object', properties: { wait: { type: 'boolean' } } },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const id = body.task_id ?? randomUUID();
      const record = {
        ...accepted,
        task_id: id,
        task: body.task.trim(),
        priority: body.priority ?? 'normal',
        metadata: body.metadata ?? {},
        created_at: new Date().toISOString(),
      };
      tasks.set(id, record);
      reply.code(202).header('location', `/api/v1/tasks/${encodeURIComponent(id)}`);
      return record;
    },
  );

  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
