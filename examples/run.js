#!/usr/bin/env node
// Runs one TypeScript example without a build step of its own: `node examples/run.js <name>`.
// The examples import 'agent-runner' itself (the built package, dist/), so run `npm run build` first.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const name = (process.argv[2] || '').replace(/\.ts$/, '');
const file = join(__dirname, `${name}.ts`);
if (!name || !existsSync(file)) {
  const names = readdirSync(__dirname).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  console.error(`usage: node examples/run.js <${names.join('|')}>`);
  process.exit(2);
}
if (!existsSync(join(__dirname, '..', 'dist', 'index.js'))) {
  console.error('dist/ is missing: run "npm run build" first.');
  process.exit(2);
}
// TypeScript → CommonJS in memory (the same compiler the tests use); types are checked by tsc.
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
process.argv.splice(2, 1);
require(file);
