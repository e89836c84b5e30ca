import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding agent-runner's package.json, found from src/ (tests) and dist/ (built) alike. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'agent-runner') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('agent-runner package.json not found above ' + __dirname);
    dir = parent;
  }
}

let cachedVersion: string | undefined;

/** agent-runner's version from package.json. */
export function packageVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}
