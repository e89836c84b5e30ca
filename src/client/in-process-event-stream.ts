import { LOCAL_ADMIN } from '../contracts/caller-identity';
import type { TaskEvent } from '../contracts/task.types';
import type { CoreProviders } from '../library/core-providers';
import { TERMINAL_EVENT_TYPES } from '../contracts/task.types';
import { toWire } from '../common/plain-data';

/** Resolves when `signal` aborts (rejecting with its reason), so a wait can race it. */
export function abortPromise(signals: AbortSignal[]): { promise: Promise<never>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<never>((_, reject) => {
    const active = signals.find((s) => s.aborted);
    if (active) return reject(active.reason);
    const onAbort = (event: Event) => reject((event.target as AbortSignal).reason);
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    dispose = () => signals.forEach((s) => s.removeEventListener('abort', onAbort));
  });
  promise.catch(() => {});
  return { promise, dispose: () => dispose() };
}

/**
 * A task's events in process, with the SSE route's semantics: replay after `afterSeq`, then live,
 * ending after the terminal event (or at once when the caller has already seen it). A task that
 * ends while it is followed always yields its terminal event last, as over HTTP.
 */
export async function* inProcessEvents(
  core: CoreProviders,
  taskId: string,
  afterSeq: number,
  signals: AbortSignal[],
): AsyncGenerator<TaskEvent> {
  await core.tasks.assertVisible(taskId, LOCAL_ADMIN);
  const live: TaskEvent[] = [];
  let wake: (() => void) | undefined;
  // Subscribe before reading the history so nothing falls between the two; seq drops duplicates.
  const unsubscribe = core.events.subscribe(taskId, (event) => {
    live.push(event);
    wake?.();
  });
  try {
    const pending = await core.events.history(taskId, afterSeq);
    let last = afterSeq;
    for (;;) {
      while (pending.length || live.length) {
        const event = (pending.length ? pending.shift() : live.shift())!;
        if (event.seq <= last) continue;
        last = event.seq;
        yield toWire(event);
        if (TERMINAL_EVENT_TYPES.has(event.type)) return;
      }
      if ((await core.tasks.assertVisible(taskId, LOCAL_ADMIN)).terminal) {
        // The end is written, and its terminal event with it, but published only once it is
        // committed (like the SSE route, which replays after that commit): read it from there.
        await core.tasks.terminalsDurable();
        pending.push(...(await core.events.history(taskId, last)));
        if (pending.length || live.length) continue;
        return; // the caller had already seen the end
      }
      const abort = abortPromise(signals);
      try {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), abort.promise]);
      } finally {
        wake = undefined;
        abort.dispose();
      }
    }
  } finally {
    unsubscribe();
  }
}
