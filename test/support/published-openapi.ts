import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';

const PROJECT_ROOT = resolve(__dirname, '../..');
const BUILD_INFO = join(PROJECT_ROOT, 'dist/.tsbuildinfo');

/**
 * Prints the document the built server publishes at /docs-json. It must come from dist/: the
 * Swagger plugin (types, JSDoc and enums of the DTOs) runs in `nest build`, not in jest's swc.
 */
const PRINT_DOCUMENT = `
require('reflect-metadata');
const { createHttpApp } = require('./dist/app/create-http-app');
(async () => {
  const app = await createHttpApp({ env: {}, dotenv: false, cwd: process.argv[1],
    overrides: { logging: { level: 'silent' }, storage: { driver: 'memory' } } });
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  const res = await fastify.inject({ method: 'GET', url: '/docs-json' });
  if (res.statusCode !== 200) throw new Error('GET /docs-json answered ' + res.statusCode);
  process.stdout.write(res.body);
  await app.close();
})().catch((e) => { console.error(e); process.exit(1); });
`;

let cached: OpenAPIObject | undefined;

/**
 * The OpenAPI document of the current build (`npm test` builds first), read once per build: it
 * is kept in .tmp/openapi/ under the build's stamp, so test files share one generation.
 */
export function publishedDocument(): OpenAPIObject {
  if (cached) return cached;
  if (!existsSync(BUILD_INFO)) {
    throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  }
  const stamp = statSync(BUILD_INFO);
  const dir = join(PROJECT_ROOT, '.tmp/openapi');
  const file = join(dir, `published-${Math.round(stamp.mtimeMs)}-${stamp.size}.json`);
  if (!existsSync(file)) {
    const cwd = mkdtempSync(join(tmpdir(), 'agent-runner-openapi-'));
    try {
      const text = execFileSync(process.execPath, ['-e', PRINT_DOCUMENT, cwd], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      mkdirSync(dir, { recursive: true });
      // Written aside and renamed: parallel test files never read half a document.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, text);
      renameSync(partial, file);
      // Documents of earlier builds are of no more use.
      for (const old of readdirSync(dir))
        if (old.startsWith('published-') && join(dir, old) !== file && !old.endsWith('.tmp'))
          rmSync(join(dir, old), { force: true });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  cached = JSON.parse(readFileSync(file, 'utf8')) as OpenAPIObject;
  return cached;
}
