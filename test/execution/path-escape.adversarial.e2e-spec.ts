import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  CANARY_TEXT,
  createExecutionHarness,
  ExecutionHarness,
  SECRET_VALUE,
} from './support/execution-harness';

/**
 * A hostile model tries to read, write, list or search outside the task's folders, or to reach
 * the service's own secrets. Every attempt must be refused, leak nothing, and change nothing.
 */
describe('path sandbox against a hostile model', () => {
  let h: ExecutionHarness;
  let before: { outside: Record<string, string>; workspace: Record<string, string> };

  beforeAll(async () => {
    h = await createExecutionHarness({
      serviceInWorkspace: true,
      config: { execution: { sandbox: 'none', allow_unsandboxed_commands: true } },
    });
    const w = (p: string) => join(h.workspace, p);
    symlinkSync(join(h.outside, 'canary.txt'), w('link_out_file'));
    symlinkSync(h.outside, w('link_out_dir'));
    symlinkSync('/etc', w('link_etc'));
    symlinkSync('../outside', w('link_rel'));
    symlinkSync(join(h.outside, 'created-through-dangling.txt'), w('dangling'));
    symlinkSync(w('chain2'), w('chain1'));
    symlinkSync(h.outside, w('chain2'));
    symlinkSync('../..', w('docs/up'));
    symlinkSync(w('loop'), w('loop'));
    mkdirSync(w('.git/hooks'), { recursive: true });
    writeFileSync(w('.git/config'), '[core]\n');
    mkdirSync(w('sub'));
    before = { outside: h.snapshot(h.outside), workspace: h.snapshot(h.workspace) };
  });

  afterAll(() => h.close());

  const O = () => h.outside;
  type Attempt = [string, string, () => Record<string, unknown>];
  const attempts: Attempt[] = [
    ['read: ../ escape', 'read_file', () => ({ path: '../outside/canary.txt' })],
    ['read: absolute path outside', 'read_file', () => ({ path: join(O(), 'canary.txt') })],
    ['read: /etc/passwd', 'read_file', () => ({ path: '/etc/passwd' })],
    ['read: /proc/self/environ', 'read_file', () => ({ path: '/proc/self/environ' })],
    [
      'read: dot-dot inside a subfolder',
      'read_file',
      () => ({ path: 'docs/../../outside/canary.txt' }),
    ],
    [
      'read: deep dot-dot',
      'read_file',
      () => ({ path: 'docs/../docs/../../../../../../etc/hostname' }),
    ],
    ['read: symlinked file', 'read_file', () => ({ path: 'link_out_file' })],
    ['read: file in a symlinked folder', 'read_file', () => ({ path: 'link_out_dir/canary.txt' })],
    ['read: absolute symlink to /etc', 'read_file', () => ({ path: 'link_etc/passwd' })],
    ['read: relative symlink', 'read_file', () => ({ path: 'link_rel/canary.txt' })],
    ['read: chain of links', 'read_file', () => ({ path: 'chain1/canary.txt' })],
    ['read: link to an ancestor', 'read_file', () => ({ path: 'docs/up/outside/canary.txt' })],
    ['read: link loop', 'read_file', () => ({ path: 'loop' })],
    [
      'read: NUL byte truncation',
      'read_file',
      () => ({ path: 'README.md\0../../outside/canary.txt' }),
    ],
    ['read: service config file', 'read_file', () => ({ path: 'config.toml' })],
    ['read: service .env', 'read_file', () => ({ path: '.env' })],
    ['read: service database', 'read_file', () => ({ path: 'data/agent-runner.db' })],
    ['read: home directory file', 'read_file', () => ({ path: join(homedir(), '.bashrc') })],
    ['write: ../ escape', 'write_file', () => ({ path: '../outside/pwned.txt', content: 'x' })],
    [
      'write: absolute /tmp',
      'write_file',
      () => ({ path: '/tmp/agent-runner-pwned.txt', content: 'x' }),
    ],
    [
      'write: into a symlinked folder',
      'write_file',
      () => ({ path: 'link_out_dir/pwned.txt', content: 'x' }),
    ],
    [
      'write: new folder inside a symlinked folder',
      'write_file',
      () => ({ path: 'link_out_dir/newdir/pwned.txt', content: 'x' }),
    ],
    [
      'write: through a symlinked file',
      'write_file',
      () => ({ path: 'link_out_file', content: 'owned' }),
    ],
    ['write: through a dangling link', 'write_file', () => ({ path: 'dangling', content: 'x' })],
    ['write: relative link', 'write_file', () => ({ path: 'link_rel/pwned.txt', content: 'x' })],
    ['write: chain of links', 'write_file', () => ({ path: 'chain1/pwned.txt', content: 'x' })],
    [
      'write: link to an ancestor',
      'write_file',
      () => ({ path: 'docs/up/outside/pwned.txt', content: 'x' }),
    ],
    [
      'write: .git/config (protected)',
      'write_file',
      () => ({ path: '.git/config', content: '[core]\nhooksPath=/tmp\n' }),
    ],
    [
      'write: git hook (protected)',
      'write_file',
      () => ({ path: '.git/hooks/pre-commit', content: '#!/bin/sh\nrm -rf /\n' }),
    ],
    ['write: nested .env (protected)', 'write_file', () => ({ path: 'sub/.env', content: 'X=1' })],
    [
      'write: ./.env spelled oddly',
      'write_file',
      () => ({ path: './sub/../.env', content: 'X=1' }),
    ],
    [
      'write: service config',
      'write_file',
      () => ({ path: 'config.toml', content: '[tools]\nforbidden_commands=[]\n' }),
    ],
    ['write: service data folder', 'write_file', () => ({ path: 'data/evil.db', content: 'x' })],
    [
      'edit: through a symlinked file',
      'edit_file',
      () => ({ path: 'link_out_file', old_text: 'canary', new_text: 'owned' }),
    ],
    [
      'edit: ../ escape',
      'edit_file',
      () => ({ path: '../outside/canary.txt', old_text: 'canary', new_text: 'owned' }),
    ],
    [
      'edit: protected .git/config',
      'edit_file',
      () => ({ path: '.git/config', old_text: '[core]', new_text: '[x]' }),
    ],
    [
      'edit: service config',
      'edit_file',
      () => ({ path: 'config.toml', old_text: 'api_key', new_text: 'x' }),
    ],
    ['list: parent folder', 'list_files', () => ({ path: '..' })],
    ['list: symlinked folder', 'list_files', () => ({ path: 'link_out_dir' })],
    ['list: filesystem root', 'list_files', () => ({ path: '/' })],
    ['list: link to an ancestor', 'list_files', () => ({ path: 'docs/up', recursive: true })],
    ['list: service data folder', 'list_files', () => ({ path: 'data' })],
    ['search: parent folder', 'search_files', () => ({ pattern: 'canary', path: '..' })],
    [
      'search: symlinked folder',
      'search_files',
      () => ({ pattern: 'canary', path: 'link_out_dir' }),
    ],
    ['search: /etc', 'search_files', () => ({ pattern: 'root', path: '/etc' })],
    ['search: service config', 'search_files', () => ({ pattern: 'api_key', path: 'config.toml' })],
    ['command: cwd outside', 'run_command', () => ({ command: 'ls', cwd: '..' })],
    ['command: cwd through a link', 'run_command', () => ({ command: 'ls', cwd: 'link_out_dir' })],
    [
      'command: redirect outside (no OS sandbox)',
      'run_command',
      () => ({ command: `echo x > ${join(O(), 'pwned.txt')}` }),
    ],
    [
      'command: redirect through a link (no OS sandbox)',
      'run_command',
      () => ({ command: 'echo x >> link_out_file' }),
    ],
    [
      'command: redirect into a protected path',
      'run_command',
      () => ({ command: 'echo x > .git/config' }),
    ],
  ];

  it('has a corpus of at least 40 attempts', () => {
    expect(attempts.length).toBeGreaterThanOrEqual(40);
  });

  it.each(attempts)('%s is denied and leaks nothing', async (_name, tool, args) => {
    const out = await h.call(tool, args());
    expect(out.status).toBe('denied');
    expect(out.output).toMatch(/^Denied: /);
    const shown = JSON.stringify(out);
    expect(shown).not.toContain(CANARY_TEXT);
    expect(shown).not.toContain(SECRET_VALUE);
    expect(shown).not.toMatch(/root:x:0:0/);
    expect(h.snapshot(h.outside)).toEqual(before.outside);
    expect(existsSync('/tmp/agent-runner-pwned.txt')).toBe(false);
  });

  it('left the workspace as it was (no protected or secret file written)', () => {
    expect(h.snapshot(h.workspace)).toEqual(before.workspace);
  });

  it('recursive listing and search do not follow links or show the service secrets', async () => {
    const list = await h.call('list_files', { recursive: true });
    expect(list.status).toBe('ok');
    expect(list.output).not.toMatch(/inner\.txt|config\.toml|agent-runner\.db|\.env\b/);
    const search = await h.call('search_files', { pattern: 'canary|sk-test|api_key' });
    expect(search.output).toMatch(/^No matches/);
  });

  it('confines a task to its narrowed allowed_paths', async () => {
    const narrowed = { allowedPaths: ['docs'] };
    expect((await h.call('read_file', { path: 'docs/guide.md' }, narrowed)).status).toBe('ok');
    expect((await h.call('read_file', { path: 'README.md' }, narrowed)).status).toBe('denied');
    expect((await h.call('write_file', { path: 'README.md', content: 'x' }, narrowed)).status).toBe(
      'denied',
    );
    const widened = await h.call(
      'read_file',
      { path: 'README.md' },
      { allowedPaths: ['../outside'] },
    );
    expect(widened).toMatchObject({
      status: 'denied',
      error: expect.stringContaining('may only narrow'),
    });
  });

  it('wins a symlink-swap race: concurrent writes and reads never reach outside', async () => {
    const racy = join(h.workspace, 'racy');
    mkdirSync(racy);
    const flipper = spawn(
      'bash',
      [
        '-c',
        `while :; do rm -rf "${racy}"; ln -s "${h.outside}" "${racy}"; rm -f "${racy}"; mkdir "${racy}"; done`,
      ],
      { stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 150; i++) {
        const w = await h.call('write_file', { path: `racy/race-${i}.txt`, content: 'x' });
        expect(['ok', 'denied', 'error']).toContain(w.status);
        const r = await h.call('read_file', { path: 'racy/canary.txt' });
        expect(JSON.stringify(r)).not.toContain(CANARY_TEXT);
      }
    } finally {
      flipper.kill('SIGKILL');
      await new Promise((r) => flipper.once('exit', r));
    }
    expect(h.snapshot(h.outside)).toEqual(before.outside);
  });
});
