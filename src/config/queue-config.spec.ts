import { configDir } from './config-dir.fixtures';
import { AppConfigService } from './app-config.service';

const URL_A = 'redis://:pw-from-a-1234@redis-a.internal:6379/0';
const URL_B = 'rediss://app:pw-from-b-5678@redis-b.internal:6380';

/** `[queue]` and service.rate_limiting.storage: the Redis the shared rate limit uses. */
describe('queue config (shared rate limit on Redis)', () => {
  const { load, issues } = configDir('agent-runner-queue-config-');
  const onRedis = '[service.rate_limiting]\nstorage = "redis"\n';

  it('defaults: the memory storage, no url, prefix agent-runner', () => {
    const { config } = load({});
    expect(config.service.rate_limiting.storage).toBe('memory');
    expect(config.queue).toEqual({ prefix: 'agent-runner' });
  });

  it('takes the url from the file, AGENT_RUNNER_QUEUE_URL over it, REDIS_URL last', () => {
    expect(load({}, `${onRedis}[queue]\nurl = "${URL_A}"\n`).config.queue.url).toBe(URL_A);
    expect(
      load({ AGENT_RUNNER_QUEUE_URL: URL_B }, `${onRedis}[queue]\nurl = "${URL_A}"\n`).config.queue
        .url,
    ).toBe(URL_B);
    expect(load({ REDIS_URL: URL_B }, onRedis).config.queue.url).toBe(URL_B);
    expect(
      load({ REDIS_URL: URL_B, AGENT_RUNNER_QUEUE_URL: URL_A }, onRedis).config.queue.url,
    ).toBe(URL_A);
    // another program's REDIS_URL does not concern a deployment that does not use Redis
    expect(load({ REDIS_URL: URL_B }).config.queue.url).toBeUndefined();
  });

  it('refuses storage "redis" without a url, saying where to set one', () => {
    expect(issues({}, onRedis)).toEqual([
      {
        path: 'queue.url',
        message: expect.stringMatching(
          /required when service.rate_limiting.storage is "redis": set queue.url, AGENT_RUNNER_QUEUE_URL or REDIS_URL/,
        ),
      },
    ]);
  });

  it('refuses a url that is not redis://, a bad prefix and an unknown storage', () => {
    expect(issues({ AGENT_RUNNER_QUEUE_URL: 'http://x' }, onRedis)).toEqual([
      { path: 'queue.url', message: expect.stringContaining('redis:// or rediss://') },
    ]);
    expect(issues({}, '[queue]\nprefix = "a b"\n').map((i) => i.path)).toEqual(['queue.prefix']);
    expect(
      issues({}, '[service.rate_limiting]\nstorage = "memcached"\n').map((i) => i.path),
    ).toEqual(['service.rate_limiting.storage']);
  });

  it('masks the password wherever config is shown, and counts it among the secrets', () => {
    const service = new AppConfigService(load({ AGENT_RUNNER_QUEUE_URL: URL_A }, onRedis));
    const shown = service.redacted() as unknown as { queue: Record<string, unknown> };
    expect(shown.queue).toEqual({
      url: 'redis://:****@redis-a.internal:6379/0',
      url_set: true,
      prefix: 'agent-runner',
    });
    expect(JSON.stringify(service.redacted())).not.toContain('pw-from-a-1234');
    expect(service.secrets()).toContain('pw-from-a-1234');
  });

  it('refuses a live change of the storage or of [queue] (restart keys)', () => {
    const service = new AppConfigService(load({ AGENT_RUNNER_QUEUE_URL: URL_A }, onRedis));
    const refused = (patch: Parameters<AppConfigService['check']>[0]) =>
      service.check(patch).errors.map((e) => [e.path, e.message]);
    expect(refused({ service: { rate_limiting: { storage: 'memory' } } })).toEqual([
      ['service.rate_limiting.storage', expect.stringContaining('only at start-up')],
    ]);
    expect(refused({ queue: { prefix: 'other' } })).toEqual([
      ['queue', expect.stringContaining('only at start-up')],
    ]);
    // The limits themselves stay live.
    expect(refused({ service: { rate_limiting: { burst_size: 5 } } })).toEqual([]);
  });
});
