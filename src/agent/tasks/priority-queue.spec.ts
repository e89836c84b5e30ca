import fc from 'fast-check';
import { TaskPriorityQueue } from './priority-queue';
import { TASK_PRIORITIES, TaskPriority } from '../../contracts/task.types';

describe('TaskPriorityQueue', () => {
  it('orders by priority, then arrival', () => {
    const sut = new TaskPriorityQueue();
    sut.push('a', 'low');
    sut.push('b', 'normal');
    sut.push('c', 'critical');
    sut.push('d', 'normal');
    sut.push('e', 'high');
    sut.push('f', 'critical');
    expect([sut.pop(), sut.pop(), sut.pop(), sut.pop(), sut.pop(), sut.pop(), sut.pop()]).toEqual([
      'c',
      'f',
      'e',
      'b',
      'd',
      'a',
      undefined,
    ]);
  });

  it('skips removed entries and counts only live ones', () => {
    const sut = new TaskPriorityQueue();
    sut.push('a', 'normal');
    sut.push('b', 'normal');
    expect(sut.remove('a')).toBe(true);
    expect(sut.remove('a')).toBe(false);
    expect(sut.size).toBe(1);
    expect(sut.pop()).toBe('b');
    expect(sut.size).toBe(0);
  });

  it('matches a stable sort for any sequence of pushes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TASK_PRIORITIES), { maxLength: 200 }),
        (prios: TaskPriority[]) => {
          const sut = new TaskPriorityQueue();
          prios.forEach((p, i) => sut.push(String(i), p));
          const rank = { critical: 3, high: 2, normal: 1, low: 0 };
          const expected = prios
            .map((p, i) => ({ p, i }))
            .sort((x, y) => rank[y.p] - rank[x.p] || x.i - y.i)
            .map((x) => String(x.i));
          const got: string[] = [];
          for (let id = sut.pop(); id !== undefined; id = sut.pop()) got.push(id);
          expect(got).toEqual(expected);
        },
      ),
    );
  });
});
