/**
 * Callers waiting for something named by a key (a task's end, a batch's end), each for at most
 * a given time. Whoever makes the thing happen wakes its key; shutdown wakes everyone.
 */
export class KeyedWaiters {
  private readonly waiters = new Map<string, Set<() => void>>();

  /**
   * Resolves on `wake(key)`, on `wakeAll()`, or after `ms`. `isDone` is asked once the waiter is
   * registered, so a wake between the caller's last look and now is not missed.
   */
  wait(key: string, ms: number, isDone: () => boolean | Promise<boolean>): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      void Promise.resolve(isDone()).then(
        (finished) => finished && done(),
        () => done(),
      );
    });
  }

  wake(key: string): void {
    for (const done of [...(this.waiters.get(key) ?? [])]) done();
  }

  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const done of [...set]) done();
  }

  /** How many keys have someone waiting. */
  get size(): number {
    return this.waiters.size;
  }
}
