import { buildChildEnvironment, environmentProblems } from './child-environment';

describe('buildChildEnvironment', () => {
  const serviceEnv = {
    AGENT_RUNNER_API_KEY: 'sk-secret',
    OPENAI_API_KEY: 'sk-x',
    LANG: 'en_US.UTF-8',
    HOME: '/root',
    PATH: '/evil',
  };

  it('keeps no service variable but the locale', () => {
    const env = buildChildEnvironment({
      home: '/tmp/h',
      marker: { name: 'M', value: '1' },
      serviceEnv,
    });
    expect(env).toMatchObject({ LANG: 'en_US.UTF-8', HOME: '/tmp/h', TMPDIR: '/tmp/h', M: '1' });
    expect(JSON.stringify(env)).not.toContain('sk-');
    expect(env.PATH).not.toContain('/evil');
  });

  it('adds task variables except those that inject code or override ours', () => {
    const env = buildChildEnvironment({
      home: '/h',
      marker: { name: 'M', value: '1' },
      serviceEnv,
      task: {
        CI: '1',
        LD_PRELOAD: '/x.so',
        NODE_OPTIONS: '-r x',
        BASH_ENV: '/x',
        HOME: '/root',
        M: 'forged',
      },
    });
    expect(env.CI).toBe('1');
    expect(env).not.toHaveProperty('LD_PRELOAD');
    expect(env).not.toHaveProperty('NODE_OPTIONS');
    expect(env).not.toHaveProperty('BASH_ENV');
    expect(env.HOME).toBe('/h');
    expect(env.M).toBe('1');
  });

  it('explains refused names', () => {
    expect(environmentProblems({ OK_1: 'x', PATH: 'y', lower: 'z', AGENT_RUNNER_X: 'w' })).toEqual([
      'PATH: may not be set by a task',
      'lower: names must match [A-Z_][A-Z0-9_]*',
      'AGENT_RUNNER_X: may not be set by a task',
    ]);
  });
});
