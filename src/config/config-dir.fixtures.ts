import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.loader';
import { ConfigIssue, ConfigValidationError } from './config.validation';

/**
 * A temporary folder per test holding (or not) a `config.toml`, and the loader run on it:
 * `load` returns the loaded configuration, `issues` what validation refused (none: []).
 */
export function configDir(prefix: string) {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), prefix))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** `mode`: the file's permissions (private unless a test says otherwise). */
  const load = (env: NodeJS.ProcessEnv, file?: string, mode = 0o600) => {
    const path = join(dir, 'config.toml');
    if (file === undefined) rmSync(path, { force: true });
    else {
      writeFileSync(path, file);
      chmodSync(path, mode);
    }
    return loadConfig({ cwd: dir, env, dotenv: false });
  };
  const issues = (env: NodeJS.ProcessEnv, file?: string): ConfigIssue[] => {
    try {
      load(env, file);
      return [];
    } catch (e) {
      if (!(e instanceof ConfigValidationError)) throw e;
      return e.issues;
    }
  };
  return { load, issues };
}
