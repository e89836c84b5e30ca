import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.loader';
import { ConfigValidationError } from './config.validation';

const SEED_TOML = `
[model]
provider = "zhipu" # zhipu, openai, anthropic, local
model_name = "glm-4"
api_key = "your-api-key"
max_tokens = 4000
temperature = 0.7

[execution]
max_steps = 10
max_retries = 3
retry_delay_seconds = 1
timeout_seconds = 300

[tools]
enable_file_operations = true
enable_command_execution = true
working_directory = "."
allowed_paths = [".", "./src"]
forbidden_commands = ["rm -rf", "format", "fdisk"]

[service]
max_concurrent_tasks = 10
default_task_timeout = 300
enable_metrics = true
log_level = "info"

[service.cors]
allowed_origins = ["*"]
allowed_methods = ["GET", "POST", "DELETE"]
allowed_headers = ["*"]
allow_credentials = false

[service.rate_limiting]
requests_per_minute = 60
burst_size = 10
`;

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('warns when a file that holds keys is readable by other users, and says how to fix it', () => {
    const file = join(dir, 'config.toml');
    writeFileSync(file, '[model]\napi_key = "sk-test-in-a-shared-file-0001"\n', { mode: 0o644 });
    writeFileSync(join(dir, '.env'), 'OPENAI_API_KEY=sk-test-in-dotenv-0001\n', { mode: 0o640 });
    const warned = loadConfig({ cwd: dir, env: {} }).warnings.filter((w) =>
      w.message.includes('readable by other users'),
    );
    expect(warned).toEqual([
      { path: file, message: expect.stringContaining(`mode 0644); run \`chmod 600 ${file}\``) },
      { path: join(dir, '.env'), message: expect.stringContaining('mode 0640') },
    ]);
    chmodSync(file, 0o600);
    chmodSync(join(dir, '.env'), 0o600);
    expect(JSON.stringify(loadConfig({ cwd: dir, env: {} }).warnings)).not.toContain('readable');
    // A shared file without keys is nobody's business.
    writeFileSync(file, '[execution]\nmax_steps = 3\n');
    chmodSync(file, 0o644);
    rmSync(join(dir, '.env'));
    expect(JSON.stringify(loadConfig({ cwd: dir, env: {} }).warnings)).not.toContain('readable');
  });

  it('runs on built-in defaults with no file and no environment', () => {
    const { config, file } = loadConfig({ cwd: dir, env: {} });
    expect(file).toBeUndefined();
    expect(config.service.bind_address).toBe('127.0.0.1:8080');
    expect(config.storage.driver).toBe('sqlite');
    expect(config.model.provider).toBeUndefined();
    expect(config.tools.protected_paths).toEqual(expect.arrayContaining(['.git', '.env']));
  });

  it("accepts the seed README's config.toml unchanged", () => {
    writeFileSync(join(dir, 'config.toml'), SEED_TOML);
    const { config, file } = loadConfig({ cwd: dir, env: {} });
    expect(file).toBe(join(dir, 'config.toml'));
    expect(config.model.provider).toBe('zhipu');
    expect(config.tools.allowed_paths).toEqual(['.', './src']);
    expect(config.service.cors.allowed_methods).toEqual(['GET', 'POST', 'DELETE']);
    expect(config.logging.level).toBe('info');
  });

  it('reads config.yaml when there is no config.toml', () => {
    writeFileSync(join(dir, 'config.yaml'), 'service:\n  max_concurrent_tasks: 3\n');
    expect(loadConfig({ cwd: dir, env: {} }).config.service.max_concurrent_tasks).toBe(3);
  });

  it('layers file < .env < process env < overrides', () => {
    writeFileSync(
      join(dir, 'config.toml'),
      '[service]\nmax_concurrent_tasks = 2\nmax_queued_tasks = 5\nsync_wait_seconds = 7\n',
    );
    writeFileSync(
      join(dir, '.env'),
      'AGENT_RUNNER_MAX_CONCURRENT_TASKS=3\nAGENT_RUNNER_MAX_QUEUED_TASKS=6\n',
    );
    const { config } = loadConfig({
      cwd: dir,
      env: { AGENT_RUNNER_MAX_CONCURRENT_TASKS: '4' },
      overrides: { service: { sync_wait_seconds: 9 } },
    });
    expect(config.service.max_concurrent_tasks).toBe(4);
    expect(config.service.max_queued_tasks).toBe(6);
    expect(config.service.sync_wait_seconds).toBe(9);
  });

  it('maps the named variables, key lists and the generic AGENT_RUNNER__SECTION__KEY form', () => {
    const { config, providerEnvKeys } = loadConfig({
      cwd: dir,
      env: {
        BIND_ADDRESS: '127.0.0.1:9999',
        AGENT_RUNNER_MODEL_PROVIDER: 'deepseek',
        AGENT_RUNNER_TEMPERATURE: '0.2',
        AGENT_RUNNER_ENABLE_METRICS: 'false',
        AGENT_RUNNER_CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        AGENT_RUNNER_AUTH_KEYS: 'alice=alice-key-0123456789abcdef',
        AGENT_RUNNER_ADMIN_KEYS: 'root=root-key-0123456789abcdef00',
        AGENT_RUNNER__SERVICE__RATE_LIMITING__BURST_SIZE: '25',
        DEEPSEEK_API_KEY: 'sk-deepseek-fake-value',
      },
    });
    expect(config.service.bind_address).toBe('127.0.0.1:9999');
    expect(config.model.provider).toBe('deepseek');
    expect(config.model.temperature).toBe(0.2);
    expect(config.service.enable_metrics).toBe(false);
    expect(config.service.cors.allowed_origins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.service.auth.api_keys.map((k) => [k.name, k.role])).toEqual([
      ['alice', 'user'],
      ['root', 'admin'],
    ]);
    expect(config.service.rate_limiting.burst_size).toBe(25);
    expect(providerEnvKeys.deepseek).toBe('sk-deepseek-fake-value');
  });

  it('lists every problem of a bad config with its path, in one error', () => {
    writeFileSync(
      join(dir, 'config.toml'),
      '[model]\nprovider = "skynet"\nmax_tokens = -5\n[service]\nmax_concurrent_tasks = "ten"\ntypo_key = 1\n[storage]\ndriver = "oracle"\n',
    );
    let error: ConfigValidationError | undefined;
    try {
      loadConfig({ cwd: dir, env: { AGENT_RUNNER_MAX_STEPS: 'many' } });
    } catch (e) {
      error = e as ConfigValidationError;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const paths = error!.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'AGENT_RUNNER_MAX_STEPS',
        'model.provider',
        'model.max_tokens',
        'service.max_concurrent_tasks',
        'service.typo_key',
        'storage.driver',
      ]),
    );
    expect(error!.message).toContain('model.provider');
    expect(error!.message).toContain('storage.driver');
  });

  it('reports a TOML syntax error and a missing explicit file clearly', () => {
    writeFileSync(join(dir, 'broken.toml'), '[model\nprovider = ');
    expect(() => loadConfig({ cwd: dir, env: {}, configFile: 'broken.toml' })).toThrow(
      ConfigValidationError,
    );
    expect(() => loadConfig({ cwd: dir, env: {}, configFile: 'missing.toml' })).toThrow(
      /not found/,
    );
    expect(() =>
      loadConfig({ cwd: dir, env: { AGENT_RUNNER_CONFIG_FILE: 'missing.toml' } }),
    ).toThrow(/not found/);
  });

  it('rejects an api key entry with both key and key_sha256, or neither', () => {
    expect(() =>
      loadConfig({
        cwd: dir,
        env: {},
        overrides: {
          service: {
            auth: {
              api_keys: [
                { name: 'a', key: 'a-key-0123456789abcdef', key_sha256: 'a'.repeat(64) },
                { name: 'b' },
              ],
            },
          },
        },
      }),
    ).toThrow(/exactly one of key or key_sha256/);
  });

  it('keeps the header timeout within the request timeout (Node refuses otherwise)', () => {
    const load = (service: Record<string, number>) =>
      loadConfig({ cwd: dir, env: {}, overrides: { service } });
    expect(() => load({ request_timeout_seconds: 5, headers_timeout_seconds: 10 })).toThrow(
      /service\.headers_timeout_seconds: must not exceed service\.request_timeout_seconds \(5\)/,
    );
    expect(
      load({ request_timeout_seconds: 0, headers_timeout_seconds: 10 }).config.service,
    ).toMatchObject({
      request_timeout_seconds: 0,
      headers_timeout_seconds: 10,
      keep_alive_timeout_seconds: 72,
    });
    expect(() => load({ headers_timeout_seconds: 0 })).toThrow(/headers_timeout_seconds/);
  });

  it('ignores prototype-polluting keys', () => {
    writeFileSync(
      join(dir, 'config.yaml'),
      '__proto__:\n  polluted: true\nservice:\n  max_concurrent_tasks: 2\n',
    );
    loadConfig({ cwd: dir, env: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('API key rules', () => {
  it('accepts a short key with a warning, and refuses example placeholders', () => {
    const short = loadConfig({
      env: { AGENT_RUNNER_ADMIN_KEYS: 'root=short-key' },
      dotenv: false,
      cwd: '/nonexistent',
    });
    expect(short.config.service.auth.api_keys[0].key).toBe('short-key');
    expect(short.warnings).toEqual([
      expect.objectContaining({ path: 'service.auth.api_keys.0.key' }),
    ]);
    for (const placeholder of [
      'REPLACE_ME',
      'replace-with-a-long-random-admin-key',
      'your-api-key',
      'changeme',
    ]) {
      expect(() =>
        loadConfig({
          env: { AGENT_RUNNER_ADMIN_KEYS: `root=${placeholder}` },
          dotenv: false,
          cwd: '/nonexistent',
        }),
      ).toThrow(/placeholder/);
    }
  });
});
