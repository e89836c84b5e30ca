import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfigModule } from '../../../src/config/app-config.module';
import type { PartialConfig } from '../../../src/config/config.schema';
import { deepMerge } from '../../../src/config/deep-merge';
import { ExecutionModule } from '../../../src/execution/execution.module';
import type { ToolContext, ToolOutcome } from '../../../src/execution/execution.types';
import { SandboxProbe } from '../../../src/execution/sandbox/sandbox-probe.service';
import { ToolRegistry } from '../../../src/execution/tool-registry.service';
import { MetricsService } from '../../../src/metrics/metrics.service';

/** Records tool metrics instead of touching prom-client's global registry. */
export class RecordingMetrics {
  readonly calls: { tool: string; outcome: string; seconds: number }[] = [];
  toolCalled(tool: string, outcome: string, seconds: number): void {
    this.calls.push({ tool, outcome, seconds });
  }
}

@Global()
@Module({
  providers: [{ provide: MetricsService, useClass: RecordingMetrics }],
  exports: [MetricsService],
})
class RecordingMetricsModule {}

/** A service-like folder: the workspace tasks use, canaries outside it, the service's own secrets. */
export interface ExecutionHarness {
  module: TestingModule;
  registry: ToolRegistry;
  probe: SandboxProbe;
  metrics: RecordingMetrics;
  /** Scratch folder holding everything below. */
  base: string;
  /** tools.working_directory (real path). */
  workspace: string;
  /** A sibling folder with canary files that must never change or leak. */
  outside: string;
  /** The service's config file, .env and data folder (inside the workspace when `serviceInWorkspace`). */
  secrets: { configFile: string; dotenv: string; dataDir: string };
  ctx(extra?: Partial<ToolContext>): ToolContext;
  call(tool: string, args: unknown, extra?: Partial<ToolContext>): Promise<ToolOutcome>;
  /** Hashes of every file and link under a folder (for "nothing changed" assertions). */
  snapshot(dir: string): Record<string, string>;
  close(): Promise<void>;
}

export const CANARY_TEXT = 'canary: must never change or be read';
export const SECRET_VALUE = 'sk-test-secret-value-0123456789abcdef';

export interface HarnessOptions {
  config?: PartialConfig;
  /** Put the service's config file, .env and data folder inside the workspace (the default-config layout). */
  serviceInWorkspace?: boolean;
}

export async function createExecutionHarness(
  options: HarnessOptions = {},
): Promise<ExecutionHarness> {
  const base = realpathSync(await mkdtemp(join(tmpdir(), 'agent-runner-exec-')));
  // Commands run as nobody when the tests run as root: without bubblewrap they need to pass here.
  chmodSync(base, 0o711);
  const workspace = join(base, 'workspace');
  const outside = join(base, 'outside');
  mkdirSync(join(workspace, 'docs'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(workspace, 'README.md'), '# Demo\nhello world\n');
  writeFileSync(join(workspace, 'docs', 'guide.md'), 'guide\n');
  writeFileSync(join(outside, 'canary.txt'), CANARY_TEXT);
  mkdirSync(join(outside, 'dir'));
  writeFileSync(join(outside, 'dir', 'inner.txt'), CANARY_TEXT);

  const serviceDir = options.serviceInWorkspace ? workspace : join(base, 'service');
  mkdirSync(join(serviceDir, 'data'), { recursive: true });
  const configFile = join(serviceDir, 'config.toml');
  const dotenv = join(serviceDir, '.env');
  const dataDir = join(serviceDir, 'data');
  writeFileSync(configFile, `[model]\napi_key = "${SECRET_VALUE}"\n`);
  writeFileSync(dotenv, `AGENT_RUNNER_API_KEY=${SECRET_VALUE}\n`);
  writeFileSync(join(dataDir, 'agent-runner.db'), 'database');

  const overrides = deepMerge(
    {
      logging: { level: 'silent' },
      tools: { working_directory: workspace },
      storage: { driver: 'memory', path: join(dataDir, 'agent-runner.db') },
    } as Record<string, unknown>,
    (options.config ?? {}) as Record<string, unknown>,
  ) as PartialConfig;
  const module = await Test.createTestingModule({
    imports: [
      AppConfigModule.forRoot({ env: {}, dotenv: false, configFile, cwd: serviceDir, overrides }),
      RecordingMetricsModule,
      ExecutionModule,
    ],
  }).compile();
  module.useLogger(false);
  await module.init();
  const registry = module.get(ToolRegistry);
  const controllers: AbortController[] = [];
  const ctx = (extra: Partial<ToolContext> = {}): ToolContext => {
    const ac = new AbortController();
    controllers.push(ac);
    return {
      task_id: 'task-1',
      workingDirectory: registry.resolveTaskWorkingDirectory(),
      signal: ac.signal,
      ...extra,
    };
  };
  return {
    module,
    registry,
    probe: module.get(SandboxProbe),
    metrics: module.get(MetricsService) as unknown as RecordingMetrics,
    base,
    workspace,
    outside,
    secrets: { configFile, dotenv, dataDir },
    ctx,
    call: (tool, args, extra) => registry.execute(tool, args, ctx(extra)),
    snapshot,
    async close() {
      controllers.forEach((c) => c.abort());
      await module.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (p: string, rel: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out[rel] = `link:${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      out[rel] = `dir:${st.mode}`;
      for (const name of readdirSync(p)) visit(join(p, name), rel ? `${rel}/${name}` : name);
    } else
      out[rel] = `file:${st.mode}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
  };
  if (existsSync(dir)) visit(dir, '');
  return out;
}

/** bubblewrap tests run where it works; elsewhere they are skipped with the reason printed. */
export function bwrapUnavailableReason(): string | undefined {
  for (const p of ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'])
    if (existsSync(p)) return undefined;
  return 'bubblewrap (bwrap) is not installed; install it with `apt-get install -y bubblewrap` to run these tests';
}
