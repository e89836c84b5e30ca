import { Injectable } from '@nestjs/common';

/** What a readiness check reports: usable or not, plus facts to show. */
export interface ReadinessResult {
  ok: boolean;
  [detail: string]: unknown;
}

export interface ReadinessCheck {
  name: string;
  check: () => ReadinessResult | Promise<ReadinessResult>;
  /** Bound on how long the check may take (default 2000 ms); a slow check counts as down. */
  timeoutMs?: number;
}

/**
 * Pluggable readiness: modules register their checks (config, store, model, sandbox) here and
 * /health/ready runs them all, each bounded by a timeout.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }

  /** Runs one check with its timeout; never throws. */
  async run(check: ReadinessCheck): Promise<ReadinessResult> {
    const timeoutMs = check.timeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(() => check.check()),
        new Promise<ReadinessResult>((resolve) => {
          timer = setTimeout(
            () => resolve({ ok: false, reason: `timed out after ${timeoutMs} ms` }),
            timeoutMs,
          );
        }),
      ]);
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs every check; `ok` only when all are. */
  async runAll(): Promise<{ ok: boolean; checks: Record<string, ReadinessResult> }> {
    const entries = await Promise.all(
      this.list().map(async (c) => [c.name, await this.run(c)] as const),
    );
    return { ok: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
  }
}
