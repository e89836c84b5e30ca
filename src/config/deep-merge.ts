export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Merges plain objects into `target`, later sources winning; arrays and scalars are replaced,
 * never concatenated. Prototype-polluting keys are dropped.
 */
export function deepMerge<T extends Record<string, unknown>>(
  target: T,
  ...sources: (Record<string, unknown> | undefined)[]
): T {
  for (const source of sources) {
    if (!source) continue;
    for (const [key, value] of Object.entries(source)) {
      if (FORBIDDEN_KEYS.has(key) || value === undefined) continue;
      const current = (target as Record<string, unknown>)[key];
      if (isPlainObject(value)) {
        const base = isPlainObject(current) ? current : {};
        (target as Record<string, unknown>)[key] = deepMerge({ ...base }, value);
      } else {
        (target as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
      }
    }
  }
  return target;
}

/** A deep copy of plain data (objects, arrays, scalars). */
export function clonePlain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
