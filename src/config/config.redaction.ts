import { clonePlain, isPlainObject } from './deep-merge';

const SECRET_KEY = /^(api_key|key|secret|token|password|client_secret)$/i;

/** "****abcd": enough to recognise a key, never enough to use it. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : '****';
}

/** Keys whose value is a connection URL that may carry a password (storage.url). */
const URL_KEY = /^url$/;
/** Query parameters of a connection URL that carry a secret. */
const SECRET_PARAM = /^(password|sslpassword)$/i;

/**
 * A connection URL fit to show: scheme, user, host, port, database and options stay, the
 * password (and any password parameter) becomes `****`; what cannot be parsed is masked whole.
 */
export function maskUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return maskSecret(value);
  }
  if (url.password) url.password = '****';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, '****');
  }
  return url.toString();
}

/** The secret parts of a connection URL: the password, and any password parameter. */
function urlSecrets(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [value];
  }
  const found = [...url.searchParams.entries()]
    .filter(([name]) => SECRET_PARAM.test(name))
    .map(([, v]) => v);
  if (url.password) found.push(decodeURIComponent(url.password), value);
  return found;
}

/**
 * A copy of the configuration (or any plain data) fit to show: every secret value is masked and
 * flagged with `<name>_set: true`. Used by every place that shows config (HTTP, CLI, logs).
 */
export function redactConfig<T>(config: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (SECRET_KEY.test(k) && typeof v === 'string') {
        out[k] = maskSecret(v);
        out[`${k}_set`] = true;
      } else if (URL_KEY.test(k) && typeof v === 'string') {
        out[k] = maskUrl(v);
        out[`${k}_set`] = true;
      } else {
        out[k] = walk(v);
      }
    }
    return out;
  };
  return walk(clonePlain(config)) as T;
}

/** Every secret in a configuration, to scrub from text that might echo one. */
export function collectSecrets(config: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isPlainObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (SECRET_KEY.test(k) && typeof v === 'string' && v.length >= 4) found.push(v);
        else if (URL_KEY.test(k) && typeof v === 'string')
          found.push(...urlSecrets(v).filter((s) => s.length >= 4));
        else walk(v);
      }
    }
  };
  walk(config);
  return found;
}
