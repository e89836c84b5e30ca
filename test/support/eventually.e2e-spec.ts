import { stripVTControlCharacters } from 'node:util';
import { eventually } from './eventually';

describe('eventually()', () => {
  it('retries until the assertion holds and returns what it returned', async () => {
    let calls = 0;
    const value = await eventually(() => {
      calls++;
      expect(calls).toBeGreaterThanOrEqual(3);
      return `after ${calls}`;
    });
    expect(value).toBe('after 3');
  });

  it('awaits an async assertion', async () => {
    let calls = 0;
    const value = await eventually(async () => {
      await Promise.resolve();
      if (++calls < 2) throw new Error('not yet');
      return calls;
    });
    expect(value).toBe(2);
  });

  it('fails with the last assertion error, saying what was awaited and for how long', async () => {
    let calls = 0;
    const failure = await eventually(() => expect(++calls).toBe(0), {
      timeoutMs: 60,
      intervalMs: 5,
      what: 'the counter to be 0',
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    const message = stripVTControlCharacters(failure?.message ?? '');
    expect(message).toMatch(
      /^eventually: the counter to be 0: not met within 60 ms \(\d+ attempts\); last failure:\n/,
    );
    expect(message).toContain('expect(received).toBe(expected)');
    expect(message).toContain(`Received: ${calls}`);
    expect(calls).toBeGreaterThan(1);
  });

  it('fails when an attempt is still pending at the deadline', async () => {
    await expect(
      eventually(() => new Promise<never>(() => undefined), { timeoutMs: 30 }),
    ).rejects.toThrow(
      /not met within 30 ms \(1 attempt\); last failure:\nthe last attempt was still pending/,
    );
  });
});
