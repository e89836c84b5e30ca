import { createHash } from 'node:crypto';

/** Canonical JSON (sorted keys, undefined dropped): equal requests give equal text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .filter((k) => record[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash an idempotent replay is compared by: same id, same request, whatever the key order. */
export function requestHash(request: object): string {
  return createHash('sha256').update(canonical(request)).digest('hex');
}
