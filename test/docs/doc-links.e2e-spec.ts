import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(page: string): Set<string> {
  const out = new Set<string>();
  let inFence = false;
  for (const line of readFileSync(join(ROOT, page), 'utf8').split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]);
    let name = base;
    for (let n = 1; out.has(name); n++) name = `${base}-${n}`;
    out.add(name);
  }
  return out;
}

/** Relative links and path-like code spans (`../x`) of a page, as written. */
function references(page: string): string[] {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  const spans = [...text.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1]);
  return [...links, ...spans].filter((t) => !/^[a-z]+:/i.test(t));
}

/** The documentation points only at the repository itself: no file outside it, no dead link. */
describe('links of the documentation', () => {
  it.each(PAGES)(
    '%s links only files inside the repository, and only anchors that exist',
    (page) => {
      const broken: string[] = [];
      for (const target of references(page)) {
        const [path, anchor] = target.split('#');
        const file = path ? resolve(dirname(join(ROOT, page)), path) : join(ROOT, page);
        const inside = !relative(ROOT, file).startsWith('..');
        if (!inside || !existsSync(file)) broken.push(`${target}: not a file of the repository`);
        else if (anchor && file.endsWith('.md') && !anchors(relative(ROOT, file)).has(anchor))
          broken.push(`${target}: no such heading`);
      }
      expect(broken).toEqual([]);
    },
  );
});
