import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { AppConfigService } from '../config/app-config.service';
import { ReadinessRegistry } from '../contracts/readiness.registry';

/** The process exits within shutdown_grace_seconds plus this, whatever clients do. */
export const SHUTDOWN_MARGIN_SECONDS = 5;
/** Connections still busy this long after the server began to close are cut. */
const FORCE_CLOSE_AFTER_MS = 1000;

type Phase = 'serving' | 'draining' | 'closing';

/**
 * The HTTP service's stop on SIGTERM or SIGINT, bounded by `service.shutdown_grace_seconds`
 * plus 5 s:
 * 1. at once: readiness answers 503, idle keep-alive connections are closed, every answer
 *    carries `Connection: close`; the runner refuses new work and answers waiting callers
 *    (202 + Location) as the app's close begins;
 * 2. running tasks get the grace, then are interrupted (TaskRunnerService);
 * 3. the server closes: event streams end, requests still arriving get 503 in the one error
 *    shape, connections still busy after a second are cut;
 * 4. one log line says how long it took, and the process exits. If anything overruns, a timer
 *    ends the process at the bound with an error line, before systemd or the kubelet kill it.
 */
@Injectable()
export class ShutdownCoordinator implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ShutdownCoordinator.name);
  private phase: Phase = 'serving';
  private unsubscribe = (): void => undefined;

  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly config: AppConfigService,
  ) {}

  /** Shutdown began: answers carry `Connection: close`, readiness is down. */
  get draining(): boolean {
    return this.phase !== 'serving';
  }

  /** The server is closing: requests that still arrive are refused. */
  get closing(): boolean {
    return this.phase === 'closing';
  }

  onModuleInit(): void {
    this.readiness.register({
      name: 'shutdown',
      check: () =>
        this.draining ? { ok: false, reason: 'the service is shutting down' } : { ok: true },
    });
  }

  /** Takes over SIGTERM and SIGINT for the HTTP service (instead of Nest's shutdown hooks). */
  handleSignals(app: INestApplication, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
    const onSignal = (signal: NodeJS.Signals) => void this.stop(app, signal);
    for (const signal of signals) process.on(signal, onSignal);
    this.unsubscribe = () => {
      for (const signal of signals) process.removeListener(signal, onSignal);
    };
  }

  /** Step 1: called as the stop begins. */
  drain(server: Server): void {
    if (this.phase !== 'serving') return;
    this.phase = 'draining';
    server.closeIdleConnections();
  }

  /** Step 3: the HTTP server begins to close (Fastify's preClose). */
  close(server: Server): void {
    this.phase = 'closing';
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), FORCE_CLOSE_AFTER_MS).unref();
  }

  onApplicationShutdown(): void {
    this.unsubscribe();
  }

  private async stop(app: INestApplication, signal: NodeJS.Signals): Promise<void> {
    if (this.phase !== 'serving') return;
    const started = Date.now();
    const boundSeconds =
      this.config.get('service').shutdown_grace_seconds + SHUTDOWN_MARGIN_SECONDS;
    this.logger.log(
      `${signal}: shutting down within ${boundSeconds} s: readiness down, new work refused, idle connections closed`,
    );
    this.drain(app.getHttpServer() as Server);
    // Half a second of the margin is left for the exit itself.
    const deadline = setTimeout(
      () => {
        this.logger.error(
          `shutdown did not finish within ${boundSeconds} s; exiting now (tasks still running end as TASK_INTERRUPTED at the next start)`,
        );
        process.exit(1);
      },
      boundSeconds * 1000 - 500,
    );
    try {
      await app.close();
    } catch (err) {
      this.logger.error(`shutdown failed: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    }
    clearTimeout(deadline);
    this.logger.log(`shutdown complete in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(0);
  }
}
