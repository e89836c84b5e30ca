import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfigService } from '../../config/app-config.service';
import { loadConfig } from '../../config/config.loader';
import type { SandboxProbe } from './sandbox-probe.service';
import { WorkspaceService } from './workspace.service';

describe('WorkspaceService roots (kept for a second per configuration)', () => {
  let dir: string;
  let outside: string;
  let config: AppConfigService;
  let sut: WorkspaceService;
  let now: jest.SpyInstance<number, []>;

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'agent-runner-roots-')));
    outside = realpathSync(mkdtempSync(join(tmpdir(), 'agent-runner-outside-')));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'docs'));
    config = new AppConfigService(
      loadConfig({
        env: {},
        dotenv: false,
        overrides: { tools: { working_directory: dir, allowed_paths: ['src'] } },
      }),
    );
    sut = new WorkspaceService(config, { commandAccount: () => undefined } as SandboxProbe);
    now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
  });
  afterEach(() => {
    now.mockRestore();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('applies a live change of tools.allowed_paths at once', () => {
    expect(sut.configRoots()).toEqual([join(dir, 'src')]);
    config.update({ tools: { allowed_paths: ['docs'] } });
    expect(sut.configRoots()).toEqual([join(dir, 'docs')]);
  });

  it('keeps the old real path of a root swapped for a link within the second, then drops the escaping entry', () => {
    expect(sut.resolveTaskWorkingDirectory('src')).toBe(join(dir, 'src'));
    rmSync(join(dir, 'src'), { recursive: true });
    symlinkSync(outside, join(dir, 'src'));
    // Within the second: the kept answer is the old, narrower one, never the link's target.
    expect(sut.configRoots()).toEqual([join(dir, 'src')]);
    expect(() => sut.resolveTaskWorkingDirectory(outside)).toThrow(/outside the allowed folders/);
    // A second later the entry resolves outside tools.working_directory and is ignored.
    now.mockReturnValue(1_001_001);
    expect(sut.configRoots()).toEqual([]);
    expect(() => sut.resolveTaskWorkingDirectory()).toThrow(/nowhere to work/);
  });

  it('creates a missing working directory', () => {
    rmSync(dir, { recursive: true, force: true });
    config.update({ tools: { working_directory: join(dir, 'again'), allowed_paths: ['.'] } });
    expect(sut.base()).toBe(join(dir, 'again'));
    expect(sut.resolveTaskWorkingDirectory()).toBe(join(dir, 'again'));
  });
});
