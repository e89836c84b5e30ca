import { join } from 'node:path';
import { packageRoot } from '../common/package-info';

export { packageRoot };

/** Absolute path of the built-in template, prompts/default.yaml (shipped in the package). */
export function builtInTemplatePath(): string {
  return join(packageRoot(), 'prompts', 'default.yaml');
}
