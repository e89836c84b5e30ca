import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { METRIC } from '../../src/metrics/metric-names';
import { PROJECT_ROOT, readProjectFile, which } from './support/deploy-files';

const RULES_PATH = 'deploy/prometheus/alerts.yaml';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (
  yaml.load(readProjectFile(RULES_PATH)) as { groups: { name: string; rules: AlertRule[] }[] }
).groups.flatMap((g) => g.rules);

const promtool = which('promtool');

/** Runs `promtool test rules` on one test case against the shipped rules. */
function promtoolTest(test: Record<string, unknown>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-runner-alerts-'));
  try {
    const file = join(dir, 'test.yaml');
    writeFileSync(
      file,
      yaml.dump({
        rule_files: [join(PROJECT_ROOT, RULES_PATH)],
        evaluation_interval: '1m',
        tests: [{ interval: '1m', ...test }],
      }),
    );
    const r = spawnSync(promtool!, ['test', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const target = { instance: 'a:8080', job: 'agent-runner' };
const series = (name: string, labels: Record<string, string>, values: string) => ({
  series: `${name}{${Object.entries({ ...labels, ...target })
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`,
  values,
});

describe('Prometheus alerts (deploy/prometheus/alerts.yaml)', () => {
  it('every rule has a severity and a summary, and uses only metrics the service exports', () => {
    const known = new Set<string>(Object.values(METRIC));
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const r of rules) {
      expect([r.alert, r.labels.severity]).toEqual([
        r.alert,
        expect.stringMatching(/^(critical|warning|info)$/),
      ]);
      expect([r.alert, typeof r.annotations.summary]).toEqual([r.alert, 'string']);
      for (const [name] of r.expr.matchAll(/\bai_agent_\w+/g)) {
        const base = name.replace(/_(count|sum|bucket)$/, '');
        expect([r.alert, name, known.has(name) || known.has(base)]).toEqual([r.alert, name, true]);
      }
    }
  });

  const missing = promtool ? null : 'promtool is not installed (.ci/run installs it)';
  if (missing) console.warn(`promtool checks do not run here: ${missing}`);
  const run = missing ? it.skip : it;

  run('passes promtool check rules', () => {
    const r = spawnSync(promtool!, ['check', 'rules', join(PROJECT_ROOT, RULES_PATH)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect([r.status, r.stdout + r.stderr]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  run(
    'fire on the situations they describe, and stay quiet otherwise (promtool test rules)',
    () => {
      const cases: [string, Record<string, unknown>][] = [
        [
          'down',
          {
            input_series: [series('up', {}, '1 0 0 0 0')],
            alert_rule_test: [
              {
                eval_time: '4m',
                alertname: 'AgentRunnerDown',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'critical', ...target },
                    exp_annotations: { summary: 'agent-runner a:8080 does not answer /metrics' },
                  },
                ],
              },
              { eval_time: '1m', alertname: 'AgentRunnerDown', exp_alerts: [] },
            ],
          },
        ],
        [
          'interrupted tasks',
          {
            input_series: [series(METRIC.tasksFailed, { code: 'TASK_INTERRUPTED' }, '0 0 2 2 2')],
            alert_rule_test: [
              {
                eval_time: '4m',
                alertname: 'AgentRunnerTasksInterrupted',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'info', code: 'TASK_INTERRUPTED', ...target },
                    exp_annotations: {
                      summary: 'Tasks were interrupted by a restart of a:8080 in the last hour',
                    },
                  },
                ],
              },
            ],
          },
        ],
        [
          'model errors',
          {
            input_series: [
              series(
                METRIC.modelRequests,
                { provider: 'openai', model: 'm', outcome: 'error' },
                '0+6x30',
              ),
              series(
                METRIC.modelRequests,
                { provider: 'openai', model: 'm', outcome: 'success' },
                '0+6x30',
              ),
              series(
                METRIC.modelRequests,
                { provider: 'ollama', model: 'l', outcome: 'success' },
                '0+6x30',
              ),
            ],
            alert_rule_test: [
              {
                eval_time: '30m',
                alertname: 'AgentRunnerModelErrors',
                exp_alerts: [
                  {
                    exp_labels: {
                      severity: 'warning',
                      provider: 'openai',
                      model: 'm',
                      instance: 'a:8080',
                    },
                    exp_annotations: {
                      summary:
                        'openai/m: more than 10% of model calls fail after retries (key, quota or provider outage)',
                    },
                  },
                ],
              },
            ],
          },
        ],
        [
          'store errors',
          {
            input_series: [
              series(
                METRIC.storeErrors,
                { operation: 'commit' },
                '0 0 3 9 15 21 27 27 27 27 27 27',
              ),
            ],
            alert_rule_test: [
              {
                eval_time: '5m',
                alertname: 'AgentRunnerStoreErrors',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'critical', instance: 'a:8080' },
                    exp_annotations: {
                      summary:
                        'The task store of a:8080 fails to write (disk full or I/O errors): see /health/ready',
                    },
                  },
                ],
              },
              { eval_time: '1m', alertname: 'AgentRunnerStoreErrors', exp_alerts: [] },
              { eval_time: '11m', alertname: 'AgentRunnerStoreErrors', exp_alerts: [] },
            ],
          },
        ],
        [
          'queue',
          {
            input_series: [series(METRIC.queuedTasks, {}, '170x10')],
            alert_rule_test: [
              {
                eval_time: '10m',
                alertname: 'AgentRunnerQueueNearlyFull',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'warning', ...target },
                    exp_annotations: {
                      summary:
                        "170 tasks waiting on a:8080: raise max_concurrent_tasks (if the model's rate limit allows) or add a deployment",
                    },
                  },
                ],
              },
              { eval_time: '3m', alertname: 'AgentRunnerQueueNearlyFull', exp_alerts: [] },
            ],
          },
        ],
      ];
      for (const [name, test] of cases) {
        const r = promtoolTest(test);
        expect([name, r.status, r.output]).toEqual([name, 0, expect.stringContaining('SUCCESS')]);
      }
    },
  );
});
