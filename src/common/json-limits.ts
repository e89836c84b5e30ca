import { InvalidRequestError } from './errors';

/**
 * Bounds on the shape of any JSON input, checked before anything walks it. Validation
 * (class-transformer) costs about a microsecond per value and, for each object, time that grows
 * with the square of its key count; deep nesting overflows its recursion. With these bounds the
 * largest input costs a few milliseconds to refuse, whatever route it is sent to.
 */
export interface JsonLimits {
  maxDepth: number;
  maxKeysPerObject: number;
  maxValues: number;
}

export const JSON_LIMITS: Readonly<JsonLimits> = {
  /** Arrays and objects nested in each other. */
  maxDepth: 64,
  /** Keys of one object (metadata, environment and any other free-form object included). */
  maxKeysPerObject: 256,
  /** Array items plus object members in the whole input. */
  maxValues: 10_000,
};

const messages = (limits: JsonLimits) => ({
  depth: `JSON nested deeper than ${limits.maxDepth} levels`,
  keys: `a JSON object with more than ${limits.maxKeysPerObject} keys`,
  values: `more than ${limits.maxValues} JSON values`,
});

/** The error for input over a limit: 400 INVALID_REQUEST, the problem named on `body`. */
export function jsonLimitError(problem: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid request: ${problem}.`, [
    { field: 'body', message: problem },
  ]);
}

/**
 * Checks JSON text in one pass over its characters (strings skipped), before it is parsed.
 * Returns the first limit it breaks, or undefined. Malformed text is left to the parser.
 */
export function jsonTextProblem(
  text: string,
  limits: JsonLimits = JSON_LIMITS,
): string | undefined {
  const say = messages(limits);
  const entries: number[] = [];
  const inObject: boolean[] = [];
  let values = 0;
  let first = false;
  const entry = (): string | undefined => {
    const top = entries.length - 1;
    if (top < 0) return undefined;
    entries[top]++;
    if (++values > limits.maxValues) return say.values;
    if (inObject[top] && entries[top] > limits.maxKeysPerObject) return say.keys;
    return undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (first) {
      first = false;
      // the container's first entry, unless it is empty
      if (c !== 0x5d && c !== 0x7d) {
        const problem = entry();
        if (problem) return problem;
      }
    }
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (entries.length >= limits.maxDepth) return say.depth;
      entries.push(0);
      inObject.push(c === 0x7b);
      first = true;
    } else if (c === 0x7d || c === 0x5d) {
      entries.pop();
      inObject.pop();
    } else if (c === 0x2c) {
      const problem = entry();
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * The same limits for a value already parsed (the library's and the CLI's input, which never
 * crosses the HTTP parser). Iterative: a deep value cannot overflow the stack here.
 */
export function jsonValueProblem(
  value: unknown,
  limits: JsonLimits = JSON_LIMITS,
): string | undefined {
  const say = messages(limits);
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let values = 0;
  while (pending.length) {
    const item = pending.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > limits.maxDepth) return say.depth;
    const children = Array.isArray(item.value)
      ? item.value
      : Object.values(item.value as Record<string, unknown>);
    if (!Array.isArray(item.value) && children.length > limits.maxKeysPerObject) return say.keys;
    values += children.length;
    if (values > limits.maxValues) return say.values;
    for (const child of children) pending.push({ value: child, depth });
  }
  return undefined;
}
