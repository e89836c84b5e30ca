'use strict';
/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package
 * or source folder, the view used to find the hotspots listed in docs/performance.md.
 *   node bench/lib/profile-summary.js <file.cpuprofile> [top=25]
 */
const fs = require('node:fs');

function summarise(file, top = 25) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) || 0) + (dt[i] || 0));
  }
  const total = dt.reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byGroup = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const url = cf.url.replace(/^file:\/\//, '');
    const key = `${cf.functionName || '(anon)'} ${url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) || 0) + us);
    let group = url ? url : `(${cf.functionName})`;
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm) group = nm[1];
    else if (url.includes('/dist/')) group = `dist/${url.split('/dist/')[1].split('/')[0]}`;
    else if (url.startsWith('node:')) group = url.split('/')[0];
    byGroup.set(group, (byGroup.get(group) || 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`.padStart(6);
  const lines = [`total ${(total / 1000).toFixed(0)} ms`, '', 'by group:'];
  for (const [k, us] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`${pct(us)}  ${k}`);
  lines.push('', 'by function (self):');
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`${pct(us)}  ${k}`);
  return lines.join('\n');
}

module.exports = { summarise };

if (require.main === module) {
  process.stdout.write(`${summarise(process.argv[2], Number(process.argv[3] || 25))}\n`);
}
