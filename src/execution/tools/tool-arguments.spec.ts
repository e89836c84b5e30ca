import type { ArgumentSchema } from '../execution.types';
import { validateArguments } from './tool-arguments';

const schema: ArgumentSchema = {
  type: 'object',
  properties: {
    path: { type: 'string', description: 'p', minLength: 1, maxLength: 5 },
    n: { type: 'integer', description: 'n', minimum: 1, maximum: 3 },
    flag: { type: 'boolean', description: 'f' },
  },
  required: ['path'],
  additionalProperties: false,
};

describe('validateArguments', () => {
  it('accepts objects and JSON text, dropping nulls', () => {
    expect(validateArguments(schema, { path: 'a', n: null })).toEqual({ value: { path: 'a' } });
    expect(validateArguments(schema, '{"path":"a","flag":true}')).toEqual({
      value: { path: 'a', flag: true },
    });
  });

  it('lists every problem', () => {
    expect(validateArguments(schema, { n: 1.5, flag: 'yes', extra: 1 }).errors).toEqual([
      'path is required',
      'n must be an integer',
      'flag must be true or false',
      'unknown argument "extra" (expected path, n, flag)',
    ]);
    expect(validateArguments(schema, { path: '', n: 9 }).errors).toEqual([
      'path must not be empty',
      'n must be at most 3',
    ]);
    expect(validateArguments(schema, { path: '123456' }).errors).toEqual([
      'path is longer than 5 characters',
    ]);
    expect(validateArguments(schema, '[1]').errors).toEqual(['arguments must be a JSON object']);
    expect(validateArguments(schema, '{').errors).toEqual(['arguments are not valid JSON']);
  });
});
