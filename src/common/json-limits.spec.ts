import fc from 'fast-check';
import { JSON_LIMITS, jsonTextProblem, jsonValueProblem } from './json-limits';

describe('JSON limits', () => {
  const small = { maxDepth: 4, maxKeysPerObject: 3, maxValues: 12 };

  it('refuses depth, width and size beyond the limits, and nothing within them', () => {
    expect(jsonTextProblem('[[[[1]]]]', small)).toBeUndefined();
    expect(jsonTextProblem('[[[[[1]]]]]', small)).toMatch(/nested deeper than 4 levels/);
    expect(jsonTextProblem('{"a":1,"b":2,"c":3}', small)).toBeUndefined();
    expect(jsonTextProblem('{"a":1,"b":2,"c":3,"d":4}', small)).toMatch(/more than 3 keys/);
    // arrays may be longer than an object may be wide, up to the total
    expect(jsonTextProblem('[1,2,3,4,5,6,7,8,9,10,11,12]', small)).toBeUndefined();
    expect(jsonTextProblem('[1,2,3,4,5,6,7,8,9,10,11,12,13]', small)).toMatch(/more than 12/);
    expect(jsonTextProblem('{}', small)).toBeUndefined();
    expect(jsonTextProblem('[[],{},[]]', small)).toBeUndefined();
  });

  it('reads strings as text: brackets, commas and escaped quotes inside them do not count', () => {
    const tricky = JSON.stringify({ a: '[[[[[[,,,,{{{{', b: 'say \\"[[[[[[\\"', c: '\\' });
    expect(jsonTextProblem(tricky, small)).toBeUndefined();
    expect(jsonValueProblem(JSON.parse(tricky), small)).toBeUndefined();
  });

  it('scans text and walks values alike, for any JSON (both refuse it or neither does)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 7 }), (value) => {
        const text = JSON.stringify(value);
        // When several limits are broken, each may name a different one first.
        expect(jsonTextProblem(text, small) === undefined).toBe(
          jsonValueProblem(value, small) === undefined,
        );
        // Pretty-printed text is the same structure.
        expect(jsonTextProblem(JSON.stringify(value, null, 2), small)).toBe(
          jsonTextProblem(text, small),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonValueProblem(deep)).toMatch(/nested deeper than 64 levels/);
    expect(jsonTextProblem('['.repeat(100_000))).toMatch(/nested deeper than 64 levels/);
  });

  it('defaults: 64 levels, 256 keys per object, 10,000 values', () => {
    expect(JSON_LIMITS).toEqual({ maxDepth: 64, maxKeysPerObject: 256, maxValues: 10_000 });
  });
});
