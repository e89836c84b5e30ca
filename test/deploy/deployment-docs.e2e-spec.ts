import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import {
  DEPLOY_DIR,
  filesUnder,
  PROJECT_ROOT,
  readProjectFile,
  which,
} from './support/deploy-files';

const doc = readProjectFile('docs/deployment.md');

describe('docs/deployment.md', () => {
  it('describes every deployment file (by path, or by its folder for kustomize patches)', () => {
    const files = ['Dockerfile', '.dockerignore', ...filesUnder(DEPLOY_DIR)];
    for (const file of files) {
      const named = doc.includes(`\`${file}\``) || doc.includes(`\`${dirname(file)}/\``);
      expect([file, named]).toEqual([file, true]);
    }
  });

  it('quotes the grace periods the files really use', () => {
    const k8sConfig = readProjectFile('deploy/kubernetes/base/configmap.yaml');
    expect(k8sConfig).toMatch(/shutdown_grace_seconds = 20\n/);
    expect(readProjectFile('deploy/kubernetes/base/deployment.yaml')).toMatch(
      /terminationGracePeriodSeconds: 30\n/,
    );
    expect(doc).toContain('`terminationGracePeriodSeconds: 30`');
    expect(doc).toContain('`service.shutdown_grace_seconds: 20`');
    expect(readProjectFile('deploy/systemd/agent-runner.service')).toContain(
      'TimeoutStopSec=30s\n',
    );
    expect(doc).toContain('`TimeoutStopSec=30s`');
    const systemdConfig = parseToml(readProjectFile('deploy/systemd/config.toml')) as {
      service: { shutdown_grace_seconds: number };
    };
    expect(doc).toContain(
      `\`service.shutdown_grace_seconds\` (${systemdConfig.service.shutdown_grace_seconds} in the example config)`,
    );
  });

  const analyze = which('systemd-analyze');
  if (!analyze) console.warn('systemd-analyze is not installed: the exposure score is not checked');
  (analyze ? it : it.skip)(
    'quotes the exposure score systemd-analyze security gives the unit',
    () => {
      const r = spawnSync(
        analyze!,
        ['security', '--offline=true', join(PROJECT_ROOT, 'deploy/systemd/agent-runner.service')],
        { encoding: 'utf8', timeout: 30_000 },
      );
      const score = /Overall exposure level for agent-runner\.service: (\d+\.\d)/.exec(
        r.stdout,
      )?.[1];
      expect(score).toBeDefined();
      expect(doc).toContain(`\`systemd-analyze security\` rates the unit ${score}`);
    },
  );
});
