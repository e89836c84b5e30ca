'use strict';
/**
 * The one task every contender runs, and the two tools every framework gets: list_files and
 * read_file over a small temporary workspace. The fake model scripts the same 3 model calls and
 * 2 tool calls for everyone (bench/lib/fake-model.js).
 */
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

/** `require` from bench/peers (the peer frameworks are installed there, not in the root). */
const PEERS_DIR = path.join(__dirname, '..', 'peers');
const peerRequire = createRequire(path.join(PEERS_DIR, 'package.json'));

/** The installed version of a peer package (read from disk: not every package exports it). */
function peerVersion(name) {
  const file = path.join(PEERS_DIR, 'node_modules', name, 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

const SYSTEM_PROMPT =
  'You are a coding agent working in a project folder. Use the tools to look at files, then answer.';

function taskText(id) {
  return `Summarize the README.md of the working directory. [bench:${id}]`;
}

const TOOL_DESCRIPTIONS = {
  list_files: 'List the files and folders in a folder of the working directory.',
  read_file: 'Read a text file inside the working directory.',
};

/** JSON Schemas of the two tools (OpenAI function-calling format). */
const TOOL_SCHEMAS = {
  list_files: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'Folder, relative to the working directory.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  read_file: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File, relative to the working directory.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
};

const OPENAI_TOOLS = Object.keys(TOOL_SCHEMAS).map((name) => ({
  type: 'function',
  function: { name, description: TOOL_DESCRIPTIONS[name], parameters: TOOL_SCHEMAS[name] },
}));

/** A path inside the workspace, or an error (the peers' equivalent of a sandbox check). */
function inside(workspace, rel) {
  const abs = path.resolve(workspace, rel || '.');
  if (abs !== workspace && !abs.startsWith(workspace + path.sep)) {
    throw new Error(`${rel} is outside the working directory`);
  }
  return abs;
}

/** The two tools as plain async functions over fs (what each peer's tool calls). */
function makeTools(workspace) {
  return {
    async list_files({ path: rel }) {
      const dir = inside(workspace, rel);
      const entries = await fsp.readdir(dir, { withFileTypes: true });
      const lines = await Promise.all(
        entries.map(async (e) => {
          if (e.isDirectory()) return `${e.name}/`;
          const st = await fsp.stat(path.join(dir, e.name));
          return `${e.name} (${st.size} bytes)`;
        }),
      );
      return [`${rel}: ${entries.length} entries`, ...lines].join('\n');
    },
    async read_file({ path: rel }) {
      return fsp.readFile(inside(workspace, rel), 'utf8');
    },
  };
}

/** A small project folder in the temp dir; returns its real path. */
function createWorkspace() {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-bench-ws-')));
  const readme = [
    '# demo-project',
    '',
    'A small demo project used by the agent-runner benchmarks.',
    '',
    '## Install',
    '',
    '    npm install',
    '',
    '## Run',
    '',
    '    npm start',
    '',
    ...Array.from({ length: 30 }, (_, i) => `Line ${i + 1}: some more text about the project.`),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'README.md'), `${readme}\n`);
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"demo-project","version":"1.0.0"}\n');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'index.js'), 'console.log("hello");\n');
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.writeFileSync(path.join(dir, 'docs', 'guide.md'), '# Guide\n');
  return dir;
}

module.exports = {
  PEERS_DIR,
  peerRequire,
  peerVersion,
  SYSTEM_PROMPT,
  taskText,
  TOOL_DESCRIPTIONS,
  TOOL_SCHEMAS,
  OPENAI_TOOLS,
  makeTools,
  createWorkspace,
};
