import { TaskPriority } from '../../contracts/task.types';

const RANK: Record<TaskPriority, number> = { critical: 3, high: 2, normal: 1, low: 0 };

interface Entry {
  id: string;
  rank: number;
  seq: number;
}

/**
 * Waiting tasks ordered by priority (critical > high > normal > low), then arrival.
 * A binary heap with lazy removal, so cancelling a queued task is O(1).
 */
export class TaskPriorityQueue {
  private heap: Entry[] = [];
  private readonly live = new Set<string>();
  private nextSeq = 0;

  get size(): number {
    return this.live.size;
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  push(id: string, priority: TaskPriority): void {
    if (this.live.has(id)) return;
    this.live.add(id);
    this.heap.push({ id, rank: RANK[priority], seq: this.nextSeq++ });
    this.up(this.heap.length - 1);
  }

  /** Removes a waiting task; returns whether it was waiting. */
  remove(id: string): boolean {
    return this.live.delete(id);
  }

  /** The next task to run, or undefined. */
  pop(): string | undefined {
    while (this.heap.length) {
      const top = this.heap[0];
      const last = this.heap.pop()!;
      if (this.heap.length) {
        this.heap[0] = last;
        this.down(0);
      }
      if (this.live.delete(top.id)) return top.id;
    }
    return undefined;
  }

  private before(a: Entry, b: Entry): boolean {
    return a.rank !== b.rank ? a.rank > b.rank : a.seq < b.seq;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l], h[m])) m = l;
      if (r < h.length && this.before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
