import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxMode } from '../../src/config/config.schema';
import {
  bwrapUnavailableReason,
  createExecutionHarness,
  ExecutionHarness,
} from './support/execution-harness';

const bwrapMissing = bwrapUnavailableReason();
if (bwrapMissing) console.warn(`program-feature attacks under bubblewrap skipped: ${bwrapMissing}`);
const modes: SandboxMode[] = bwrapMissing ? ['none'] : ['none', 'bwrap'];

/**
 * A hostile model runs the forbidden `rm -rf` through programs that run programs with their own
 * features (awk, sed, tar, git, here-documents …), the command written literally in the line. In
 * both modes the policy finds it and refuses: a victim folder inside the workspace (visible in
 * both modes) must survive every attempt.
 */
describe.each(modes)('programs that run programs (sandbox %s)', (sandbox) => {
  let h: ExecutionHarness;

  beforeAll(async () => {
    h = await createExecutionHarness({
      config: { execution: { sandbox, allow_unsandboxed_commands: sandbox === 'none' } },
    });
    writeFileSync(join(h.workspace, 'notes.txt'), 'line one\nline two\n');
  });
  afterAll(() => h.close());
  beforeEach(() => {
    mkdirSync(join(h.workspace, 'victim'), { recursive: true });
    writeFileSync(join(h.workspace, 'victim', 'keep.txt'), 'keep me');
  });

  const attempts: [string, string][] = [
    ['awk system()', `awk 'BEGIN { system("rm -rf victim") }'`],
    ['gawk print to a pipe', `gawk 'BEGIN { print "x" | "rm -rf victim" }'`],
    ['awk getline from a command', `awk 'BEGIN { "rm -rf victim" | getline line }'`],
    ['mawk system()', `mawk 'END { system("rm -rf victim") }' notes.txt`],
    ["sed's e command", `sed '1e rm -rf victim' notes.txt`],
    ["sed's e command in a second expression", `sed -n -e p -e '$e rm -rf victim' notes.txt`],
    [
      'tar --checkpoint-action=exec',
      `tar -cf /dev/null --checkpoint=1 --checkpoint-action=exec='rm -rf victim' notes.txt`,
    ],
    ['tar --to-command', `tar -cf n.tar notes.txt && tar -xf n.tar --to-command='rm -rf victim'`],
    ['tar -I', `tar -I 'rm -rf victim' -cf n.tar notes.txt`],
    ['find -exec', `find . -maxdepth 1 -name victim -exec rm -rf {} +`],
    ['xargs', `echo victim | xargs rm -rf`],
    ['git -c alias', `git init -q . && git -c alias.x='!rm -rf victim' x`],
    ['git -c core.pager', `git -c core.pager='rm -rf victim' -p log`],
    ['env -S', `env -S 'rm -rf victim'`],
    ['a quoted here-document into bash', `bash <<'EOF'\nrm -rf victim\nEOF`],
    ['a here-document into sh', `sh <<EOF\nrm -rf victim\nEOF`],
    ['a tab-stripped here-document', `bash <<-EOF\n\trm -rf victim\n\tEOF`],
    ['a here-string into bash', `bash <<< 'rm -rf victim'`],
    ['a here-document through sudo', `sudo -n bash <<EOF\nrm -rf victim\nEOF`],
    ['the dynamic loader', `/lib64/ld-linux-x86-64.so.2 /bin/rm -rf victim`],
  ];

  it.each(attempts)('%s is refused and the victim survives', async (_name, command) => {
    const out = await h.call('run_command', { command, timeout_seconds: 20 });
    expect(out).toMatchObject({ status: 'denied' });
    expect(out.output).toMatch(/^Denied: command refused: .*rm -rf/s);
    expect(existsSync(join(h.workspace, 'victim', 'keep.txt'))).toBe(true);
  });

  it('still runs these programs for ordinary work where the mode allows it', async () => {
    const out = await h.call('run_command', {
      command: `awk '{ n++ } END { print n }' notes.txt && sed -n '2p' notes.txt`,
    });
    expect(out).toMatchObject({ status: 'ok', data: { stdout: '2\nline two\n' } });
  });
});

/**
 * Without the OS sandbox the policy also refuses what it cannot follow: the same programs when
 * the command they run is not written in the line, and the redirection and link tricks that
 * carried writes out of the roots. The outside folder is world-writable here, so only the policy
 * stands between the attacker and the canary (commands run as nobody when the tests run as root).
 */
describe('what the policy cannot follow without the OS sandbox is refused', () => {
  let h: ExecutionHarness;
  let before: Record<string, string>;

  beforeAll(async () => {
    h = await createExecutionHarness({
      config: { execution: { sandbox: 'none', allow_unsandboxed_commands: true } },
    });
    chmodSync(h.outside, 0o777);
    chmodSync(join(h.outside, 'dir'), 0o777);
    chmodSync(join(h.outside, 'canary.txt'), 0o666);
    before = h.snapshot(h.outside);
  });
  afterAll(() => h.close());

  const O = () => h.outside;
  const attempts: [string, () => string][] = [
    ['cd then a redirection', () => `cd ${O()} && echo x > pwned.txt`],
    ['cd in a subshell then a redirection', () => `(cd ${O()}; echo x > pwned.txt)`],
    ['pushd then a redirection', () => `pushd ${O()} && echo x > pwned.txt`],
    ['cd .. step by step', () => `cd .. && cd outside && echo x >> canary.txt`],
    ['cd through builtin', () => `builtin cd ${O()}; echo x > pwned.txt`],
    ['a redirection before a cd in a loop', () => `for d in . ${O()}; do echo x > f; cd $d; done`],
    [
      'a symbolic link to the outside, then a write through it',
      () => `ln -s ${O()} l && echo x > l/pwned.txt`,
    ],
    ['a relative link out of the workspace', () => `ln -s ../outside l2 && echo x > l2/pwned.txt`],
    ['a link to a file outside', () => `ln -sf ${O()}/canary.txt c && echo owned > c`],
    ['a hard link to a file outside', () => `ln ${O()}/canary.txt h && echo owned >> h`],
    ['ln -t into the workspace', () => `ln -s -t . ${O()} && echo x > outside/pwned.txt`],
    ['cp -s', () => `cp -s ${O()}/canary.txt c2 && echo owned > c2`],
    ['link(1)', () => `link ${O()}/canary.txt h2 && echo owned >> h2`],
    ['a link target computed at run time', () => `ln -s "$HOME/.." l3 && echo x > l3/x`],
    ['awk with a computed command', () => `awk -v c="rm -rf ${O()}" 'BEGIN { system(c) }'`],
    ['sed running the pattern space', () => `echo 'rm -rf ${O()}' | sed 's/.*/&/e'`],
    ['a here-document bash expands', () => `X='rm -rf ${O()}'; bash <<EOF\n$X\nEOF`],
    ['find -exec with a shell', () => `find ${O()} -maxdepth 0 -exec sh -c 'rm -r "$0"' {} \\;`],
    ['xargs reading its program', () => `echo rm -r ${O()} | xargs -I{} sh -c '{}'`],
    ['make running a Makefile', () => `printf 'all:\\n\\trm -r ${O()}\\n' > Makefile && make`],
    [
      'npm running a package script',
      () => `echo '{"scripts":{"x":"rm -r ${O()}"}}' > package.json && npm run x`,
    ],
    [
      'git running a hook',
      () =>
        `git init -q . && printf '#!/bin/sh\\nrm -r ${O()}\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit && git commit -q --allow-empty -m x`,
    ],
  ];

  it.each(attempts)('%s is refused and nothing outside changes', async (_name, build) => {
    const out = await h.call('run_command', { command: build(), timeout_seconds: 20 });
    expect(out).toMatchObject({ status: 'denied' });
    expect(h.snapshot(h.outside)).toEqual(before);
  });

  it('keeps links and redirections that stay inside the workspace', async () => {
    const out = await h.call('run_command', {
      command: 'mkdir -p sub && ln -s sub inner && echo ok > inner/f.txt && cat sub/f.txt',
    });
    expect(out).toMatchObject({ status: 'ok', data: { stdout: 'ok\n' } });
    const cd = await h.call('run_command', { command: 'cd sub && ls', cwd: '.' });
    expect(cd).toMatchObject({ status: 'ok', data: { stdout: expect.stringContaining('f.txt') } });
  });
});
