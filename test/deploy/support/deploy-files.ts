import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../support/server-process';

export { PROJECT_ROOT };
export const DEPLOY_DIR = join(PROJECT_ROOT, 'deploy');
export const KUBERNETES_DIR = join(DEPLOY_DIR, 'kubernetes');
export const KUBERNETES_BASE_DIR = join(KUBERNETES_DIR, 'base');

/** A parsed YAML document with where it came from. */
export interface YamlDocument {
  /** Path relative to the project root, plus `#index` when the file holds several documents. */
  label: string;
  file: string;
  doc: Record<string, unknown>;
}

export function readProjectFile(path: string): string {
  return readFileSync(join(PROJECT_ROOT, path), 'utf8');
}

/** Every file below `dir`, as paths relative to the project root, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(PROJECT_ROOT, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Every document of a YAML stream; empty documents are dropped. */
export function parseYamlDocuments(text: string, file: string): YamlDocument[] {
  const docs = yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
  return docs.map((doc, i) => {
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      throw new Error(`${file}: document ${i} is not a mapping`);
    }
    return {
      label: docs.length > 1 ? `${file}#${i}` : file,
      file,
      doc: doc as Record<string, unknown>,
    };
  });
}

export function loadYamlFile(path: string): YamlDocument[] {
  return parseYamlDocuments(readProjectFile(path), path);
}

/** Finds one Kubernetes object by kind (and name) among documents, or throws. */
export function findObject<T = Record<string, unknown>>(
  docs: YamlDocument[],
  kind: string,
  name?: string,
): T {
  const found = docs.find(
    (d) =>
      d.doc.kind === kind &&
      (name === undefined || (d.doc.metadata as { name?: string } | undefined)?.name === name),
  );
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} in the manifests`);
  return found.doc as T;
}

/** The path of a program on PATH, or null. */
export function which(program: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || null : null;
}

/** Seconds in an nginx or systemd duration such as `90s`, `1h`, `5m`, `45`. */
export function durationSeconds(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/.exec(value.trim());
  if (!m) throw new Error(`not a duration: ${value}`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600 };
  return n * factor[unit];
}
