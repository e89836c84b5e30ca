import fc from 'fast-check';
import { uuidv7 } from './uuid7';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix ms time in the first 48 bits. */
function timeOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('uuidv7', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the time in ms', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(id).toMatch(V7);
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(after);
    expect(timeOf(uuidv7(0x0123456789ab + 2 ** 40))).toBe(0x0123456789ab + 2 ** 40);
  });

  it('grows strictly in string order, also for thousands of ids in one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7(1_800_000_000_000));
    ids.push(...Array.from({ length: 100 }, () => uuidv7()));
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(V7);
  });

  it('never goes backwards when the clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 47 }), { maxLength: 50 }), (times) => {
        let previous = uuidv7();
        for (const t of times) {
          const next = uuidv7(t);
          expect(next).toMatch(V7);
          expect(next > previous).toBe(true);
          previous = next;
        }
      }),
    );
  });

  it('keeps 62 random bits: ids of one millisecond differ beyond the counter', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => uuidv7(1_900_000_000_000).slice(19)));
    expect(tails.size).toBe(1000);
  });
});
