import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCommand } from '../cli/support/cli-harness';

const CLI_MD = readFileSync(resolve(__dirname, '../../docs/cli.md'), 'utf8');
const QUIET: NodeJS.ProcessEnv = { AGENT_RUNNER_LOG_LEVEL: 'silent' };

/** The lines of every fenced block, its indentation removed. */
function fencedBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  let indent = 0;
  for (const line of markdown.split('\n')) {
    const fence = /^( *)```/.exec(line);
    if (fence && current) {
      blocks.push(current);
      current = undefined;
    } else if (fence) {
      current = [];
      indent = fence[1].length;
    } else current?.push(line.slice(indent));
  }
  return blocks;
}

/** The fenced block that starts with `$ <command>`: the lines it shows after the command. */
function quotedRun(command: string, nth = 0): string[] {
  const blocks = fencedBlocks(CLI_MD).filter((lines) => lines[0] === `$ ${command}`);
  expect(blocks.length).toBeGreaterThan(nth);
  return blocks[nth].slice(1).filter(Boolean);
}

/** Times, ids and folders vary from run to run; the rest of the text must not. */
function normalise(lines: string[], dir: string, docDir: string): string[] {
  return lines.map((l) =>
    l
      .replaceAll(dir, '<dir>')
      .replaceAll(docDir, '<dir>')
      .replace(/\(\d+(\.\d+)? m?s\)/g, '(<time>)')
      .replace(/ in \d+(\.\d+)? m?s/g, ' in <time>')
      .replace(/task [0-9a-f-]{36} queued/, 'task <id> queued'),
  );
}

/** docs/cli.md quotes what the CLI prints: these tests run the quoted commands. */
describe('docs/cli.md', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'agent-runner-cli-docs-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('shows the whole plain output of a command that exits 1, as printed', async () => {
    const quoted = quotedRun('agent-runner task "run \\`false\\`"');
    const r = await runCommand(['task', 'run `false`'], { cwd, env: QUIET });
    expect(r.code).toBe(1);
    const printed = [...r.stderr.split('\n'), ...r.stdout.split('\n')].filter(Boolean);
    expect(normalise(printed, cwd, '/home/me/project')).toEqual(
      normalise(quoted, cwd, '/home/me/project'),
    );
  });

  it('shows config validate as printed: each problem once, then warnings', async () => {
    const invalid = quotedRun('agent-runner config validate config.toml', 0);
    writeFileSync(
      join(cwd, 'config.toml'),
      '[service]\nmax_concurrent_tasks = "ten"\n[execution]\nmax_steps = 0\n',
    );
    const bad = await runCommand(['config', 'validate', 'config.toml'], { cwd, env: QUIET });
    expect(bad.code).toBe(2);
    const file = '/srv/agent-runner/config.toml';
    expect(
      normalise(bad.stdout.split('\n').filter(Boolean), join(cwd, 'config.toml'), file),
    ).toEqual(normalise(invalid, join(cwd, 'config.toml'), file));

    const warned = quotedRun('agent-runner config validate config.toml', 1);
    writeFileSync(join(cwd, 'config.toml'), '[model]\nprovider = "deepseek"\n');
    const ok = await runCommand(['config', 'validate', 'config.toml'], { cwd, env: QUIET });
    expect(ok.code).toBe(0);
    expect(
      normalise(ok.stdout.split('\n').filter(Boolean), join(cwd, 'config.toml'), file),
    ).toEqual(normalise(warned, join(cwd, 'config.toml'), file));
  });
});
