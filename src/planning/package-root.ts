import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cachedRoot: string | undefined;

/**
 * The folder holding agent-runner's package.json, found by walking up from this file, so the
 * shipped prompts/ folder resolves the same from src/ (jest), dist/ (built) and node_modules.
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isOurManifest(manifest)) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`agent-runner's package.json not found above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of the built-in template, prompts/default.yaml. */
export function builtInTemplatePath(): string {
  return join(packageRoot(), 'prompts', 'default.yaml');
}

function isOurManifest(file: string): boolean {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
    return parsed.name === 'agent-runner' && existsSync(join(dirname(file), 'prompts'));
  } catch {
    return false;
  }
}
