import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentRunnerConfig } from './config.schema';
import { ENV_VARIABLES } from './config.loader';

/** docs/configuration.md is the reference: every key and every variable must be in it. */
describe('docs/configuration.md', () => {
  const doc = readFileSync(join(__dirname, '../../docs/configuration.md'), 'utf8');

  it('documents every key of the schema', () => {
    const missing: string[] = [];
    const defaults = new AgentRunnerConfig() as unknown as Record<string, Record<string, unknown>>;
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const [key, value] of Object.entries(node)) {
        if (value && typeof value === 'object' && !Array.isArray(value))
          walk(value as Record<string, unknown>, `${path}.${key}`);
        else if (!doc.includes(`| \`${key}\` |`)) missing.push(`${path}.${key}`);
      }
    };
    for (const [section, value] of Object.entries(defaults)) walk(value, section);
    for (const optional of [
      'provider',
      'model_name',
      'api_key',
      'endpoint',
      'log_level',
      'template',
    ]) {
      if (!doc.includes(`| \`${optional}\` |`)) missing.push(optional);
    }
    expect(missing).toEqual([]);
  });

  it('documents every environment variable', () => {
    expect(Object.keys(ENV_VARIABLES).filter((v) => !doc.includes(v))).toEqual([]);
  });
});
