import { AppConfigService } from '../../config/app-config.service';
import type { PartialConfig } from '../../config/config.schema';
import { loadConfig } from '../../config/config.loader';
import { CommandUserResolver } from '../process/command-user';
import { SandboxProbe } from './sandbox-probe.service';

/** The probe's verdicts on a host whose facts the test sets (what bwrap and slirp4netns did). */
function probeOn(
  overrides: PartialConfig,
  host: { bwrap: boolean; slirp: boolean; failure?: string; networkFailure?: string },
): { sut: SandboxProbe; config: AppConfigService } {
  const config = new AppConfigService(loadConfig({ env: {}, dotenv: false, overrides }));
  const sut = new SandboxProbe(config);
  Object.assign(sut as unknown as Record<string, unknown>, {
    probing: Promise.resolve(),
    available: host.bwrap,
    failure: host.bwrap ? '' : (host.failure ?? 'bwrap is not installed'),
    networkFailure: host.networkFailure,
    programs: {
      bash: '/bin/bash',
      bwrap: host.bwrap ? '/usr/bin/bwrap' : undefined,
      setpriv: '/usr/bin/setpriv',
      slirp4netns: host.slirp ? '/usr/bin/slirp4netns' : undefined,
    },
    users: new CommandUserResolver(0, '/usr/bin/setpriv', () => ({ uid: 65534, gid: 65534 })),
  });
  return { sut, config };
}

describe('SandboxProbe', () => {
  it('disables run_command where bubblewrap cannot run (auto), keeps readiness up, and says how to fix it', async () => {
    const { sut } = probeOn({}, { bwrap: false, slirp: true });
    const status = await sut.probe();
    expect(status).toMatchObject({
      mode: 'none',
      requested: 'auto',
      commands_allowed: false,
      disabled_reason: expect.stringContaining('apt-get install bubblewrap'),
    });
    expect(status.disabled_reason).toContain('execution.allow_unsandboxed_commands = true');
    expect(sut.readiness().ok).toBe(true);
  });

  it('runs commands unsandboxed only with the opt-in', () => {
    const { sut } = probeOn(
      { execution: { sandbox: 'none', allow_unsandboxed_commands: true } },
      { bwrap: true, slirp: true },
    );
    expect(sut.status()).toMatchObject({
      mode: 'none',
      commands_allowed: true,
      unsandboxed_commands_allowed: true,
      run_as: { applied: true, uid: 65534 },
    });
  });

  it('refuses to start with sandbox = "bwrap" and no bubblewrap (readiness would be down)', async () => {
    const { sut } = probeOn(
      { execution: { sandbox: 'bwrap' } },
      { bwrap: false, slirp: true, failure: 'bwrap: setting up uid map: Permission denied' },
    );
    await expect(sut.probe()).rejects.toThrow(/bubblewrap does not work here: bwrap: setting up/);
    expect(sut.readiness().ok).toBe(false);
  });

  it('refuses to start with network = true when slirp4netns is missing or does not work', async () => {
    await expect(
      probeOn({ execution: { network: true } }, { bwrap: true, slirp: false }).sut.probe(),
    ).rejects.toThrow(/execution.network is true .*slirp4netns is not installed/);
    await expect(
      probeOn(
        { execution: { network: true } },
        { bwrap: true, slirp: true, networkFailure: 'slirp4netns could not set up the network' },
      ).sut.probe(),
    ).rejects.toThrow(/could not set up the network/);
  });

  it('refuses a live switch to network = true without slirp4netns', async () => {
    const { sut, config } = probeOn({}, { bwrap: true, slirp: false });
    await sut.onModuleInit();
    expect(() => config.update({ execution: { network: true } })).toThrow(
      /execution.network: slirp4netns is not installed/,
    );
    expect(config.get('execution').network).toBe(false);
    sut.onModuleDestroy();
    config.update({ execution: { network: true } });
    expect(sut.status()).toMatchObject({
      commands_allowed: false,
      disabled_reason: expect.stringContaining('slirp4netns is not installed'),
    });
  });

  it('never lets a root service run commands as root by accident', () => {
    const { sut, config } = probeOn({}, { bwrap: true, slirp: true });
    Object.assign(sut as unknown as Record<string, unknown>, {
      users: new CommandUserResolver(0, '/usr/bin/setpriv', () => 'no such user'),
    });
    config.update({ execution: { run_as_user: 'ghost' } });
    expect(sut.status()).toMatchObject({
      commands_allowed: false,
      disabled_reason: 'commands cannot run as a safe user: no such user',
    });
    Object.assign(sut as unknown as Record<string, unknown>, {
      users: new CommandUserResolver(0, undefined, () => ({ uid: 65534, gid: 65534 })),
    });
    expect(sut.status().disabled_reason).toContain('setpriv (util-linux) is not installed');
  });
});
