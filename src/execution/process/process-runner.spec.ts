import { commandLine, ProcessRunner, RunRequest } from './process-runner';
import { PidsCgroups } from './pids-cgroups.service';

const request = (over: Partial<RunRequest> = {}): RunRequest => ({
  command: 'echo hi',
  cwd: '/tmp',
  env: { PATH: '/usr/bin:/bin', M: '1' },
  marker: 'M=1',
  timeoutMs: 5000,
  maxOutputBytes: 1024,
  limits: { memoryMb: 0, cpuSeconds: 0, maxProcesses: 0, maxFileSizeMb: 0 },
  bashPath: '/bin/bash',
  ...over,
});

describe('commandLine', () => {
  const limits = { memoryMb: 1, cpuSeconds: 2, maxProcesses: 3, maxFileSizeMb: 4 };

  it('puts prlimit first, then bubblewrap, then bash -c', () => {
    expect(
      commandLine(
        request({
          limits,
          prlimitPath: '/usr/bin/prlimit',
          bwrap: { path: '/usr/bin/bwrap', args: ['--x'] },
        }),
      ),
    ).toEqual([
      '/usr/bin/prlimit',
      '--core=0',
      '--as=1048576',
      '--cpu=2:3',
      '--nproc=3',
      '--fsize=4194304',
      '--',
      '/usr/bin/bwrap',
      '--x',
      '/bin/bash',
      '--noprofile',
      '--norc',
      '-c',
      'echo hi',
    ]);
  });

  it('drops privileges right before bash, inside bubblewrap', () => {
    const argv = commandLine(
      request({
        bwrap: { path: '/usr/bin/bwrap', args: ['--x'] },
        dropPrivileges: ['/usr/bin/setpriv', '--reuid=65534', '--'],
      }),
    );
    expect(argv.slice(argv.indexOf('--x'))).toEqual([
      '--x',
      '/usr/bin/setpriv',
      '--reuid=65534',
      '--',
      '/bin/bash',
      '--noprofile',
      '--norc',
      '-c',
      'echo hi',
    ]);
  });

  it('leaves the process limit to the pids cgroup when there is one (RLIMIT_NPROC counts the whole user)', () => {
    const cgroup = {
      procsFile: '/cg/cgroup.procs',
      exceeded: () => false,
      killAll: () => 0,
      remove: () => undefined,
    };
    const argv = commandLine(request({ limits, prlimitPath: '/usr/bin/prlimit' }), cgroup);
    expect(argv.slice(0, 6)).toEqual([
      '/bin/bash',
      '--noprofile',
      '--norc',
      '-c',
      'echo $$ > "$0" && exec "$@"',
      '/cg/cgroup.procs',
    ]);
    expect(argv.join(' ')).not.toContain('--nproc');
    expect(argv).toContain('--as=1048576');
  });

  it('falls back to a ulimit prologue that passes the command as data', () => {
    const argv = commandLine(request({ limits, command: 'x; $(y)' }));
    expect(argv.slice(0, 4)).toEqual(['/bin/bash', '--noprofile', '--norc', '-c']);
    expect(argv[4]).toBe(
      'ulimit -c 0 && ulimit -v 1024 && ulimit -t 2 && ulimit -u 3 && ulimit -f 4096 && exec "$@"',
    );
    expect(argv.slice(-2)).toEqual(['-c', 'x; $(y)']);
  });
});

describe('ProcessRunner', () => {
  const sut = new ProcessRunner(new PidsCgroups());

  it('runs with the given environment and closed stdin', async () => {
    const r = await sut.run(request({ command: 'echo "$M"; cat; exit 4' }));
    expect(r).toMatchObject({
      exit_code: 4,
      stdout: '1\n',
      stderr: '',
      timed_out: false,
      aborted: false,
    });
  });

  it('does not start when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await sut.run(request({ signal: ac.signal }))).toMatchObject({
      aborted: true,
      exit_code: 130,
    });
  });

  it('times out with SIGTERM first', async () => {
    const r = await sut.run(
      request({ command: 'trap "echo term; exit 7" TERM; sleep 5 & wait', timeoutMs: 300 }),
    );
    expect(r).toMatchObject({ timed_out: true, exit_code: 7, stdout: 'term\n' });
  });
});
