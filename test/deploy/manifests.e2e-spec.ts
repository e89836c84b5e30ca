import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse as parseToml } from 'smol-toml';
import { SHUTDOWN_MARGIN_SECONDS } from '../../src/app/shutdown-coordinator';
import { assertSafeBind, UnsafeBindError } from '../../src/auth/bind-safety';
import { loadConfig } from '../../src/config/config.loader';
import { ConfigValidationError, validateConfig } from '../../src/config/config.validation';
import { ServerProcess, startServerProcess } from '../support/server-process';
import {
  filesUnder,
  findObject,
  KUBERNETES_BASE_DIR,
  KUBERNETES_DIR,
  loadYamlFile,
  parseYamlDocuments,
  PROJECT_ROOT,
  readProjectFile,
  which,
  YamlDocument,
} from './support/deploy-files';
import { dockerStages, envOf, parseDockerfile } from './support/dockerfile.parser';
import { schemaProblems, unknownFieldProblems } from './support/kubernetes-schema.validator';
import { PodSpecLike, restrictedViolations } from './support/pod-security.checker';

const BASE = 'deploy/kubernetes/base';
const OVERLAY = 'deploy/kubernetes/overlays/bwrap-sandbox';
const isKustomization = (f: string): boolean => /(^|\/)kustomization\.ya?ml$/.test(f);
const allYamlFiles = filesUnder(KUBERNETES_DIR).filter((f) => /\.ya?ml$/.test(f));
const baseFiles = filesUnder(KUBERNETES_BASE_DIR).filter(
  (f) => /\.ya?ml$/.test(f) && !isKustomization(f),
);
const baseObjects = baseFiles.flatMap(loadYamlFile);
const kustomization = loadYamlFile(`${BASE}/kustomization.yaml`)[0].doc as {
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
};

const deployment = findObject<IDeployment>(baseObjects, 'Deployment', 'agent-runner');
const pod = deployment.spec!.template.spec!;
const container = pod.containers.find((c) => c.name === 'agent-runner')!;
const configMap = findObject<IConfigMap>(baseObjects, 'ConfigMap');
const secret = findObject<ISecret>(baseObjects, 'Secret');
const service = findObject<IService>(baseObjects, 'Service');
const networkPolicy = findObject<INetworkPolicy>(baseObjects, 'NetworkPolicy');
const namespace = findObject<INamespace>(baseObjects, 'Namespace');

const runtimeStage = dockerStages(parseDockerfile(readProjectFile('Dockerfile'))).stages.at(-1)!;
const imageEnv = envOf(runtimeStage);
const configFileEnv = container.env!.find((e) => e.name === 'AGENT_RUNNER_CONFIG_FILE')!.value!;
const configKey = posix.basename(configFileEnv);
const configToml = configMap.data![configKey];
const packageVersion = (JSON.parse(readProjectFile('package.json')) as { version: string }).version;

/** The container's environment as the kubelet would build it, Secret values from `secretData`. */
function containerEnv(secretData: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (ref && ref.key in secretData) env[e.name] = secretData[ref.key];
  }
  return env;
}

/** The example Secret with every placeholder replaced by a fresh, valid key. */
function realSecretData(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.stringData ?? {})) {
    out[k] = v.replace(/REPLACE_ME/g, () => randomBytes(24).toString('hex'));
  }
  return out;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Writes the ConfigMap's config file to a temp folder; returns its path. */
function writeConfigFile(dir: string): string {
  const file = join(dir, configKey);
  writeFileSync(file, configToml);
  return file;
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('holds only parseable YAML whose documents are Kubernetes objects or kustomize files', () => {
    expect(allYamlFiles.length).toBeGreaterThan(5);
    for (const file of allYamlFiles) {
      for (const { label, doc } of loadYamlFile(file)) {
        expect([label, typeof doc.apiVersion, typeof doc.kind]).toEqual([
          label,
          'string',
          'string',
        ]);
        if (isKustomization(file)) continue;
        expect([label, (doc.metadata as { name?: unknown } | undefined)?.name]).toEqual([
          label,
          expect.any(String),
        ]);
      }
    }
  });

  it.each(baseObjects.map((d) => [d.label, d] as const))(
    '%s matches the Kubernetes schema',
    (_label, d) => {
      expect(schemaProblems(d.doc)).toEqual([]);
    },
  );

  it('uses no field the Kubernetes API does not define (strict type check of every object)', () => {
    expect(unknownFieldProblems(baseObjects)).toEqual([]);
  });

  it('the validators catch a misspelt field, a wrong type and a missing required field', () => {
    const typo = clone(deployment) as unknown as Record<string, unknown> & IDeployment;
    const ctx = typo.spec!.template.spec!.containers[0].securityContext as Record<string, unknown>;
    ctx.readOnlyRootFileSystem = ctx.readOnlyRootFilesystem;
    delete ctx.readOnlyRootFilesystem;
    const problems = unknownFieldProblems([{ label: 'typo', file: 'typo', doc: typo }]);
    expect(problems.join('\n')).toContain('readOnlyRootFileSystem');

    const wrongType = clone(deployment);
    (wrongType.spec!.template.spec!.securityContext as Record<string, unknown>).runAsUser = 'app';
    expect(schemaProblems(wrongType as unknown as Record<string, unknown>).join('\n')).toMatch(
      /runAsUser must be integer/,
    );

    const missing = clone(deployment) as unknown as { spec: Record<string, unknown> };
    delete missing.spec.selector;
    expect(schemaProblems(missing as unknown as Record<string, unknown>).join('\n')).toMatch(
      /selector/,
    );
  });

  it('kustomization.yaml lists every manifest of the base except the example Secret', () => {
    const listed = kustomization.resources.map((r) => `${BASE}/${r}`).sort();
    const expected = baseFiles.filter((f) => !f.endsWith('secret.example.yaml')).sort();
    expect(listed).toEqual(expected);
    // Applying placeholders would overwrite the operator's real Secret.
    expect(kustomization.resources).not.toContain('secret.example.yaml');
  });

  it('pins the image to the package version (Deployment and kustomize images:)', () => {
    expect(container.image).toBe(`agent-runner:${packageVersion}`);
    expect(kustomization.images).toEqual([
      { name: 'agent-runner', newName: 'agent-runner', newTag: packageVersion },
    ]);
  });

  describe('the Deployment', () => {
    it('runs one replica replaced with Recreate (SQLite is single-writer on a ReadWriteOnce volume)', () => {
      expect(deployment.spec!.replicas).toBe(1);
      expect(deployment.spec!.strategy?.type).toBe('Recreate');
      const claims = baseObjects.filter((d) => d.doc.kind === 'PersistentVolumeClaim');
      for (const c of claims) {
        expect((c.doc.spec as { accessModes: string[] }).accessModes).toEqual(['ReadWriteOnce']);
      }
    });

    it('probes /health/live (startup, liveness) and /health/ready (readiness) on the HTTP port', () => {
      const portName = container.ports!.find((p) => p.containerPort === 8080)!.name;
      expect(container.startupProbe?.httpGet).toEqual({ path: '/health/live', port: portName });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: portName });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: portName });
      // Readiness checks are bounded at 2 s each; the probe must wait longer than that.
      expect(container.readinessProbe!.timeoutSeconds).toBeGreaterThan(2);
      const startupBudget =
        container.startupProbe!.periodSeconds! * container.startupProbe!.failureThreshold!;
      expect(startupBudget).toBeGreaterThanOrEqual(30);
    });

    it('matches the image: port, user, data and workspace paths', () => {
      const expose = runtimeStage.instructions.find((i) => i.keyword === 'EXPOSE')!.args;
      expect(container.ports!.map((p) => String(p.containerPort))).toEqual([expose]);
      expect(imageEnv.BIND_ADDRESS).toBe(`0.0.0.0:${expose}`);
      const user = runtimeStage.instructions.find((i) => i.keyword === 'USER')!.args;
      expect(`${pod.securityContext!.runAsUser}:${pod.securityContext!.runAsGroup}`).toBe(user);
      const mounts = Object.fromEntries(container.volumeMounts!.map((m) => [m.name, m]));
      expect(mounts.data.mountPath).toBe(dirname(imageEnv.AGENT_RUNNER_STORAGE_PATH));
      expect(mounts.workspace.mountPath).toBe(imageEnv.AGENT_RUNNER_WORKING_DIRECTORY);
    });

    it('sets CPU, memory and ephemeral-storage requests and limits', () => {
      for (const kind of ['requests', 'limits'] as const) {
        expect(Object.keys(container.resources?.[kind] ?? {}).sort()).toEqual([
          'cpu',
          'ephemeral-storage',
          'memory',
        ]);
      }
    });

    it('runs non-root on a read-only root filesystem: only data, workspace and /tmp are writable', () => {
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      const writable = container
        .volumeMounts!.filter((m) => !m.readOnly)
        .map((m) => m.mountPath)
        .sort();
      expect(writable).toEqual(['/tmp', '/var/lib/agent-runner', '/workspace']);
      expect(container.volumeMounts!.find((m) => m.name === 'config')!.readOnly).toBe(true);
    });

    it('meets the "restricted" Pod Security Standard its namespace enforces', () => {
      expect(namespace.metadata!.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(restrictedViolations(pod as PodSpecLike)).toEqual([]);
    });

    it('gives running tasks time to stop: terminationGracePeriodSeconds > grace + 5 s', () => {
      const grace = (parseToml(configToml) as { service: { shutdown_grace_seconds: number } })
        .service.shutdown_grace_seconds;
      expect(grace).toBeGreaterThan(0);
      // The service exits within grace + 5 s (ShutdownCoordinator); SIGKILL must come later.
      expect(pod.terminationGracePeriodSeconds!).toBeGreaterThan(grace + SHUTDOWN_MARGIN_SECONDS);
    });

    it('takes keys only from the Secret and the config file from the ConfigMap', () => {
      for (const e of container.env!) {
        if (/KEY/.test(e.name)) {
          expect([e.name, e.value]).toEqual([e.name, undefined]);
          expect(e.valueFrom?.secretKeyRef?.name).toBe(secret.metadata!.name);
          expect(Object.keys(secret.stringData!)).toContain(e.valueFrom!.secretKeyRef!.key);
        }
      }
      const configMount = container.volumeMounts!.find((m) => m.name === 'config')!;
      expect(posix.dirname(configFileEnv)).toBe(configMount.mountPath);
      const volumes = Object.fromEntries(pod.volumes!.map((v) => [v.name, v]));
      expect(volumes.config.configMap?.name).toBe(configMap.metadata!.name);
      expect(configToml).toEqual(expect.any(String));
      const claimNames = baseObjects
        .filter((d) => d.doc.kind === 'PersistentVolumeClaim')
        .map((d) => (d.doc.metadata as { name: string }).name)
        .sort();
      expect(
        [volumes.data, volumes.workspace].map((v) => v.persistentVolumeClaim?.claimName).sort(),
      ).toEqual(claimNames);
      expect(volumes.tmp.emptyDir?.sizeLimit).toBeDefined();
    });

    it('is selected by the Service and let in by the NetworkPolicy on the container port', () => {
      const labels = deployment.spec!.template.metadata!.labels!;
      expect(labels).toMatchObject(service.spec!.selector!);
      expect(service.spec!.ports!.map((p) => p.targetPort)).toEqual([container.ports![0].name]);
      expect(labels).toMatchObject(networkPolicy.spec!.podSelector.matchLabels!);
      const ingressPorts = networkPolicy.spec!.ingress!.flatMap((r) => r.ports ?? []);
      expect(ingressPorts.map((p) => p.port)).toContain(container.ports![0].containerPort);
      const egressPorts = networkPolicy
        .spec!.egress!.flatMap((r) => r.ports ?? [])
        .map((p) => p.port);
      expect(egressPorts).toEqual(expect.arrayContaining([53, 443]));
    });
  });

  describe('config.toml in the ConfigMap', () => {
    it('is a valid agent-runner configuration without warnings', () => {
      const result = validateConfig(parseToml(configToml));
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
      expect(result.valid).toBe(true);
    });

    it('does not set what the image environment overrides (that would be dead configuration)', () => {
      const parsed = parseToml(configToml) as Record<string, Record<string, unknown>>;
      expect(parsed.service?.bind_address).toBeUndefined();
      expect(parsed.storage?.path).toBeUndefined();
      expect(parsed.tools?.working_directory).toBeUndefined();
      expect(parsed.service?.persist_config_updates).toBe(false); // the ConfigMap is read-only
    });

    it('with the Secret filled in, loads and passes the public-bind rule', () => {
      const dir = mkdtempSync(join(tmpdir(), 'agent-runner-k8s-config-'));
      try {
        const env = {
          ...containerEnv(realSecretData()),
          AGENT_RUNNER_CONFIG_FILE: writeConfigFile(dir),
        };
        const { config } = loadConfig({ env, dotenv: false, cwd: dir });
        expect(config.service.bind_address).toBe('0.0.0.0:8080');
        expect(config.service.auth.api_keys.map((k) => k.role).sort()).toEqual(['admin', 'user']);
        expect(() => assertSafeBind(config)).not.toThrow();
        expect(config.storage.path).toBe(imageEnv.AGENT_RUNNER_STORAGE_PATH);
        expect(config.tools.working_directory).toBe(imageEnv.AGENT_RUNNER_WORKING_DIRECTORY);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses to start with the example placeholders, and without keys on 0.0.0.0', () => {
      const dir = mkdtempSync(join(tmpdir(), 'agent-runner-k8s-config-'));
      try {
        const file = writeConfigFile(dir);
        const placeholders = {
          ...containerEnv(secret.stringData!),
          AGENT_RUNNER_CONFIG_FILE: file,
        };
        expect(() => loadConfig({ env: placeholders, dotenv: false, cwd: dir })).toThrow(
          ConfigValidationError,
        );
        expect(() => loadConfig({ env: placeholders, dotenv: false, cwd: dir })).toThrow(
          /placeholder/,
        );
        const noKeys = { ...containerEnv({}), AGENT_RUNNER_CONFIG_FILE: file };
        const { config } = loadConfig({ env: noKeys, dotenv: false, cwd: dir });
        expect(() => assertSafeBind(config)).toThrow(UnsafeBindError);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('the example Secret holds placeholders only, in stringData', () => {
    expect(secret.data).toBeUndefined();
    const values = Object.values(secret.stringData ?? {});
    expect(values.length).toBeGreaterThanOrEqual(3);
    for (const v of values) {
      // Whatever is not the literal placeholder is a short key name, never key material.
      expect(v.replace(/REPLACE_ME/g, '')).toMatch(/^([a-z]{1,16}=)?$/);
    }
  });

  describe('the built server started with the Kubernetes configuration', () => {
    let dir: string;
    let server: ServerProcess | undefined;
    let secretData: Record<string, string>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'agent-runner-k8s-run-'));
      mkdirSync(join(dir, 'data'));
      mkdirSync(join(dir, 'workspace'));
      secretData = realSecretData();
      const env: Record<string, string> = {
        ...containerEnv(secretData),
        AGENT_RUNNER_CONFIG_FILE: writeConfigFile(dir),
        // The volumes' mount paths, moved into the temp folder.
        AGENT_RUNNER_STORAGE_PATH: join(dir, 'data', 'agent-runner.db'),
        AGENT_RUNNER_WORKING_DIRECTORY: join(dir, 'workspace'),
      };
      delete env.BIND_ADDRESS; // startServerProcess binds a free loopback port instead
      server = await startServerProcess({ cwd: dir, env });
    });

    afterAll(async () => {
      await server?.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('is ready: store, model, sandbox and queue checks are up', async () => {
      const res = await fetch(`${server!.baseUrl}/health/ready`);
      const body = (await res.json()) as { status: string; info: Record<string, unknown> };
      expect([res.status, body.status]).toEqual([200, 'ok']);
      expect(Object.keys(body.info)).toEqual(
        expect.arrayContaining(['config', 'store', 'model', 'sandbox', 'queue']),
      );
    });

    it('enforces the keys from the Secret and shows the ConfigMap values, redacted', async () => {
      const admin = secretData.AGENT_RUNNER_ADMIN_KEYS.split('=')[1];
      const anonymous = await fetch(`${server!.baseUrl}/api/v1/config`);
      expect(anonymous.status).toBe(401);
      const res = await fetch(`${server!.baseUrl}/api/v1/config`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      const config = JSON.parse(text) as { service: { max_concurrent_tasks: number } };
      const expected = (parseToml(configToml) as { service: { max_concurrent_tasks: number } })
        .service.max_concurrent_tasks;
      expect(config.service.max_concurrent_tasks).toBe(expected);
      for (const value of Object.values(secretData)) {
        for (const key of value.split(',').map((p) => p.split('=').pop()!)) {
          expect(text).not.toContain(key);
        }
      }
    });

    it('stops cleanly on SIGTERM (what the kubelet sends first): the store is closed', async () => {
      const db = join(dir, 'data', 'agent-runner.db');
      expect(existsSync(`${db}-wal`)).toBe(true);
      // Nest closes the app, then re-raises the signal (the Unix convention for a clean stop).
      const ended = await server!.stop('SIGTERM');
      server = undefined;
      expect([0, 'SIGTERM']).toContain(ended);
      // Closing the last connection checkpoints the WAL into the file and removes it.
      expect(existsSync(`${db}-wal`)).toBe(false);
      expect(existsSync(db)).toBe(true);
    });
  });

  describe('rendered with kustomize (kubectl kustomize)', () => {
    const kubectl = which('kubectl');
    if (!kubectl) {
      console.warn('kubectl is not installed: the kustomize rendering checks do not run here');
    }
    const render = (dir: string): YamlDocument[] => {
      const r = spawnSync(kubectl!, ['kustomize', join(PROJECT_ROOT, dir)], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
      return parseYamlDocuments(r.stdout, `kustomize ${dir}`).map((d, i) => ({
        ...d,
        label: `${dir} ${String(d.doc.kind)}/${String((d.doc.metadata as { name: string }).name)}#${i}`,
      }));
    };
    const run = kubectl ? it : it.skip;

    run('the base renders exactly the listed objects, all schema-valid', () => {
      const rendered = render(BASE);
      const key = (d: YamlDocument): string =>
        `${String(d.doc.kind)}/${String((d.doc.metadata as { name: string }).name)}`;
      const expected = baseObjects
        .filter((d) => d.doc.kind !== 'Secret')
        .map(key)
        .sort();
      expect(rendered.map(key).sort()).toEqual(expected);
      expect(rendered.flatMap((d) => schemaProblems(d.doc))).toEqual([]);
      expect(unknownFieldProblems(rendered)).toEqual([]);
    });

    run('the bwrap-sandbox overlay is schema-valid and turns on what bubblewrap needs', () => {
      const rendered = render(OVERLAY);
      expect(rendered.flatMap((d) => schemaProblems(d.doc))).toEqual([]);
      expect(unknownFieldProblems(rendered)).toEqual([]);
      const dep = findObject<IDeployment>(rendered, 'Deployment');
      const spec = dep.spec!.template.spec!;
      const c = spec.containers[0];
      expect(spec.hostUsers).toBe(false);
      expect(c.securityContext?.procMount).toBe('Unmasked');
      expect(c.env).toEqual(
        expect.arrayContaining([{ name: 'AGENT_RUNNER_SANDBOX', value: 'bwrap' }]),
      );
      // Everything else of the base's hardening is kept.
      expect(c.securityContext).toMatchObject(container.securityContext!);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      // It leaves the restricted profile, so its namespace must not enforce that profile.
      expect(restrictedViolations(spec as PodSpecLike).length).toBeGreaterThan(0);
      const ns = findObject<INamespace>(rendered, 'Namespace');
      expect(ns.metadata!.labels!['pod-security.kubernetes.io/enforce']).toBe('privileged');
    });
  });
});
