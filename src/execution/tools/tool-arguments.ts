import type { ArgumentSchema } from '../execution.types';

/** Checks raw model arguments against a tool's schema; returns the value or every problem. */
export function validateArguments(
  schema: ArgumentSchema,
  raw: unknown,
):
  { value: Record<string, unknown>; errors?: undefined } | { value?: undefined; errors: string[] } {
  let input = raw;
  if (typeof raw === 'string') {
    try {
      input = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      return { errors: ['arguments are not valid JSON'] };
    }
  }
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input))
    return { errors: ['arguments must be a JSON object'] };
  const value = input as Record<string, unknown>;
  const errors: string[] = [];
  for (const name of schema.required) {
    if (value[name] === undefined || value[name] === null) errors.push(`${name} is required`);
  }
  for (const [name, v] of Object.entries(value)) {
    const prop = schema.properties[name];
    if (!prop) {
      errors.push(
        `unknown argument ${JSON.stringify(name)} (expected ${Object.keys(schema.properties).join(', ')})`,
      );
      continue;
    }
    if (v === undefined || v === null) continue;
    if (prop.type === 'string') {
      if (typeof v !== 'string') errors.push(`${name} must be a string`);
      else if (prop.minLength !== undefined && v.length < prop.minLength)
        errors.push(`${name} must not be empty`);
      else if (prop.maxLength !== undefined && v.length > prop.maxLength)
        errors.push(`${name} is longer than ${prop.maxLength} characters`);
    } else if (prop.type === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v)) errors.push(`${name} must be an integer`);
      else if (prop.minimum !== undefined && v < prop.minimum)
        errors.push(`${name} must be at least ${prop.minimum}`);
      else if (prop.maximum !== undefined && v > prop.maximum)
        errors.push(`${name} must be at most ${prop.maximum}`);
    } else if (typeof v !== 'boolean') {
      errors.push(`${name} must be true or false`);
    }
  }
  const clean = Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined),
  );
  return errors.length ? { errors } : { value: clean };
}
