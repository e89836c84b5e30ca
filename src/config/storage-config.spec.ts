import { configDir } from './config-dir.fixtures';
import { AppConfigService } from './app-config.service';
import { collectSecrets, maskUrl, redactConfig } from './config.redaction';

const URL_A = 'postgres://app:pw-from-a-1234@db-a.internal:5432/agent?sslmode=require';
const URL_B = 'postgresql://app:pw-from-b-5678@db-b.internal/agent';

/** `[storage]` for the PostgreSQL driver: url, pool_size, their variables and their redaction. */
describe('storage config (postgres)', () => {
  const { load, issues } = configDir('agent-runner-storage-config-');

  it('defaults: sqlite, no url, a pool of 10', () => {
    const { storage } = load({}).config;
    expect(storage).toMatchObject({ driver: 'sqlite', pool_size: 10 });
    expect(storage.url).toBeUndefined();
  });

  it('takes the url from the file, AGENT_RUNNER_STORAGE_URL over it', () => {
    const file = `[storage]\ndriver = "postgres"\nurl = "${URL_A}"\npool_size = 25\n`;
    expect(load({}, file).config.storage).toMatchObject({ url: URL_A, pool_size: 25 });
    expect(load({ AGENT_RUNNER_STORAGE_URL: URL_B }, file).config.storage.url).toBe(URL_B);
  });

  it('takes DATABASE_URL only for the postgres driver, and only when the url is set nowhere else', () => {
    const postgres = { AGENT_RUNNER_STORAGE_DRIVER: 'postgres' };
    expect(load({ ...postgres, DATABASE_URL: URL_B }).config.storage.url).toBe(URL_B);
    expect(
      load({ ...postgres, DATABASE_URL: URL_B, AGENT_RUNNER_STORAGE_URL: URL_A }).config.storage
        .url,
    ).toBe(URL_A);
    expect(
      load({ DATABASE_URL: URL_B }, `[storage]\ndriver = "postgres"\nurl = "${URL_A}"\n`).config
        .storage.url,
    ).toBe(URL_A);
    // another program's DATABASE_URL does not concern a SQLite deployment
    expect(load({ DATABASE_URL: 'mysql://x@y/z' }).config.storage).toMatchObject({
      driver: 'sqlite',
    });
    expect(load({ DATABASE_URL: 'mysql://x@y/z' }).config.storage.url).toBeUndefined();
  });

  it('refuses the postgres driver without a url, saying where to set one', () => {
    expect(issues({ AGENT_RUNNER_STORAGE_DRIVER: 'postgres' })).toEqual([
      {
        path: 'storage.url',
        message: expect.stringMatching(
          /required when storage.driver is "postgres": set storage.url, AGENT_RUNNER_STORAGE_URL or DATABASE_URL/,
        ),
      },
    ]);
  });

  it('refuses a url that is not postgres://, and a pool size outside 1..100', () => {
    const env = {
      AGENT_RUNNER_STORAGE_DRIVER: 'postgres',
      AGENT_RUNNER_STORAGE_URL: 'mysql://a@b/c',
    };
    expect(issues(env)).toEqual([
      { path: 'storage.url', message: expect.stringContaining('postgres:// or postgresql://') },
    ]);
    for (const size of [0, 101]) {
      const file = `[storage]\ndriver = "postgres"\nurl = "${URL_A}"\npool_size = ${size}\n`;
      expect(issues({}, file).map((i) => i.path)).toEqual(['storage.pool_size']);
    }
  });

  it('masks the password wherever config is shown, keeping where it points', () => {
    expect(maskUrl(URL_A)).toBe('postgres://app:****@db-a.internal:5432/agent?sslmode=require');
    expect(maskUrl('postgres://app@db/agent?password=hunter2222&sslmode=disable')).toBe(
      'postgres://app@db/agent?password=****&sslmode=disable',
    );
    expect(maskUrl('not a url at all, secret')).toBe('****cret');
    const shown = redactConfig({ storage: { driver: 'postgres', url: URL_A } });
    expect(shown).toEqual({
      storage: {
        driver: 'postgres',
        url: 'postgres://app:****@db-a.internal:5432/agent?sslmode=require',
        url_set: true,
      },
    });
    const service = new AppConfigService(
      load({ AGENT_RUNNER_STORAGE_DRIVER: 'postgres', AGENT_RUNNER_STORAGE_URL: URL_A }),
    );
    expect(JSON.stringify(service.redacted())).not.toContain('pw-from-a-1234');
    expect(service.secrets()).toContain('pw-from-a-1234');
  });

  it('counts the password (decoded) and the whole url among the secrets to scrub', () => {
    const url = 'postgres://app:p%40ss-word@db/agent';
    expect(collectSecrets({ storage: { url } })).toEqual(['p@ss-word', url]);
    expect(collectSecrets({ storage: { url: 'postgres://app@db/agent' } })).toEqual([]);
  });

  it('warns when a file that holds the database password is readable by others', () => {
    const file = `[storage]\ndriver = "postgres"\nurl = "${URL_A}"\n`;
    const warned = load({}, file, 0o644).warnings;
    expect(warned.map((w) => w.message)).toEqual([
      expect.stringContaining('readable by other users'),
    ]);
  });
});
