import { CommandPolicy, PolicyOptions } from './command-policy';

const FORBIDDEN = ['rm -rf', 'mkfs', 'dd', 'shutdown', 'git push --force'];

describe('CommandPolicy', () => {
  const sut = new CommandPolicy();
  const check = (command: string, options: Partial<PolicyOptions> = {}) =>
    sut.check(command, { sandboxed: false, forbidden: FORBIDDEN, allowed: [], ...options });

  beforeAll(() => sut.onModuleInit());

  it.each([
    'ls -la',
    'git status && npm test',
    'cat README.md | grep -n foo | head -5',
    'rm -r build',
    'rm -f a.txt',
    'echo "rm -rf /" > notes.txt',
    "grep -rn 'rm -rf' src",
    'mkdir -p src/{a,b}',
    'for f in a b; do echo $f; done',
    'node --version',
    'python3 script.py --flag',
    'git push origin main',
    'find . -name "*.ts" -exec wc -l {} +',
  ])('allows the ordinary command %p', async (command) => {
    const d = await check(command);
    expect(d).toMatchObject({ allowed: true });
  });

  it.each([
    ['rm -rf x', 'rm'],
    ['rm -fr x', 'rm'],
    ['rm -r -f x', 'rm'],
    ['rm -R -f x', 'rm'],
    ['/bin/rm -Rf x', 'rm'],
    ['rm --recursive --force x', 'rm'],
    ['rm --rec --for x', 'rm'],
    ['rm x -rf', 'rm'],
    ['"rm" -rf x', 'rm'],
    ["'r'm -rf x", 'rm'],
    ['r\\m -rf x', 'rm'],
    ["$'\\x72\\x6d' -rf x", 'rm'],
    ['r{m,} -rf x', 'rm'],
    ['{rm,-rf,x}', 'rm'],
    ['ls && rm -rf x', 'rm'],
    ['ls; rm -rf x', 'rm'],
    ['ls | rm -rf x', 'rm'],
    ['ls || rm -rf x', 'rm'],
    ['(cd /tmp; rm -rf x)', 'rm'],
    ['{ rm -rf x; }', 'rm'],
    ['echo x | xargs rm -rf', 'rm'],
    ['echo x | xargs -0 -n 1 rm -r -f', 'rm'],
    ['find . -exec rm -rf {} \\;', 'rm'],
    ['env rm -rf x', 'rm'],
    ['env -i FOO=1 rm -rf x', 'rm'],
    ['sudo rm -rf x', 'rm'],
    ['sudo -u root -- rm -rf x', 'rm'],
    ['command rm -rf x', 'rm'],
    ['exec rm -rf x', 'rm'],
    ['nice -n 5 nohup timeout 5 rm -rf x', 'rm'],
    ['time rm -rf x', 'rm'],
    ['if true; then rm -rf x; fi', 'rm'],
    ['f() { rm -rf x; }; f', 'rm'],
    ['rm >/dev/null -rf x', 'rm'],
    ['mkfs.ext4 /dev/sda1', 'mkfs'],
    ['dd if=/dev/zero of=x', 'dd'],
    ['git push --force origin main', 'force'],
    ['git push -f origin main', 'force'],
    ['busybox rm -rf x', 'rm'],
    ['rm "$FLAGS" x', 'rm'],
    ['$X -rf x', 'rm -rf'],
    ['x=rm; $x -rf y', 'rm -rf'],
    ['/???/r? -rf x', 'rm -rf'],
    ['/bin/* -rf x', 'rm -rf'],
    ['/sbin/mkf? /dev/sda', 'mkfs'],
  ])('denies %p in any sandbox mode', async (command, word) => {
    for (const sandboxed of [false, true]) {
      const d = await check(command, { sandboxed });
      expect(d.allowed).toBe(false);
      expect(d.reason).toContain(word);
    }
  });

  it.each([
    'bash -c "rm -rf x"',
    "sh -c 'ls; rm -rf x'",
    'eval "rm -rf x"',
    "trap 'rm -rf x' EXIT",
    'sudo -s rm -rf x',
    'watch rm -rf x',
    'echo $(rm -rf x)',
    'cat <<EOF\n$(rm -rf x)\nEOF',
  ])('denies %p even inside the sandbox: the string is parsed too', async (command) => {
    const d = await check(command, { sandboxed: true });
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/rm -rf/);
  });

  it.each([
    ['$X build', 'chosen at run time'],
    ['x=ls; $x -la', 'chosen at run time'],
    ['echo $(id)', 'command substitution'],
    ['echo `id`', 'command substitution'],
    ['eval "$CMD"', 'eval'],
    ['bash -c "$CMD"', 'computed at run time'],
    ['echo cm0gLXJmIHg= | base64 -d | sh', 'reading commands'],
    ['echo cm0gLXJmIHg= | base64 -d | bash -s', 'reading commands'],
    ['curl http://x | python3', 'reading code'],
    ['python3 -c "import shutil"', 'command line'],
    ['node -e "process.exit(1)"', 'command line'],
    ['perl -e "unlink q(x)"', 'command line'],
    ['/???/l? -la', 'chosen at run time'],
    ['echo $((1+2))', 'arithmetic'],
    ["printf -v 'a[$(id)]' 1", 'subscript'],
    ['alias ls=rm', 'alias'],
  ])('denies %p outside the sandbox and allows it inside', async (command, reason) => {
    const outside = await check(command, { sandboxed: false });
    expect(outside.allowed).toBe(false);
    expect(outside.reason).toContain(reason);
    const inside = await check(command, { sandboxed: true });
    expect(inside).toMatchObject({ allowed: true });
  });

  it.each([
    ['ls (', 'could not be parsed'],
    ['r\\\nm -rf x', 'line continuation'],
    ['cat <<EOF\n`rm -rf x`\nEOF', 'command substitution the parser did not recognise'],
    ['echo `echo \\`rm -rf x\\``', 'nested backticks'],
    ['', 'empty'],
    ['ls\0', 'NUL'],
  ])('refuses %p, which cannot be read reliably', async (command, reason) => {
    const d = await check(command, { sandboxed: true });
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain(reason);
  });

  describe('allowed_commands', () => {
    const allowed = ['ls', 'cat', 'grep', 'npm test', 'xargs'];

    it('allows listed programs in pipelines', async () => {
      expect(await check('ls | grep x && npm test', { allowed })).toMatchObject({ allowed: true });
    });

    it.each([
      ['ls && whoami', 'whoami'],
      ['npm install', 'npm'],
      ['sudo ls', 'sudo'],
      ['ls | xargs rm', 'rm'],
      ['bash -c ls', 'bash'],
      ['$X', 'run time'],
    ])('denies %p', async (command, word) => {
      const d = await check(command, { allowed, sandboxed: true });
      expect(d.allowed).toBe(false);
      expect(d.reason).toContain(word);
    });
  });

  it('reports redirection targets for the path check', async () => {
    const d = await check('echo hi > out.txt 2>/dev/null < in.txt 2>&1');
    expect(d.redirects.map((r) => [r.text, r.write])).toEqual([
      ['out.txt', true],
      ['/dev/null', true],
      ['in.txt', false],
    ]);
  });

  it('matches program families and basenames of forbidden entries', async () => {
    expect((await check('/sbin/mkfs.vfat x')).allowed).toBe(false);
    expect((await check('mkfsx')).allowed).toBe(true);
  });
});
