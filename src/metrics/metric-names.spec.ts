import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC } from './metric-names';

/** docs/api.md, Metrics, is the list of metric names dashboards and alerts rely on. */
describe('docs/api.md, Metrics', () => {
  const doc = readFileSync(join(__dirname, '../../docs/api.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Metrics'), doc.indexOf('## Docs'));

  it('lists every metric the service exports, and no other ai_agent_ name', () => {
    const listed = [...section.matchAll(/^\| `(ai_agent_\w+)` \|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual(Object.values(METRIC).sort());
  });
});
