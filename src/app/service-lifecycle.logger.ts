import { Injectable, Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { packageVersion } from '../common/package-info';
import { AppConfigService } from '../config/app-config.service';
import { SandboxProbe } from '../execution/sandbox/sandbox-probe.service';
import { ModelRegistry } from '../model/model.registry';

/** What the service runs with, for its start-up line. */
export interface ServiceSummary {
  version: string;
  url: string;
  store: string;
  model: string;
  sandbox: string;
}

/**
 * The service's line when it listens: where, on which store, model and sandbox. The lines
 * about stopping are the ShutdownCoordinator's, which knows the signal and the time it took.
 */
@Injectable()
export class ServiceLifecycleLogger {
  private readonly logger = new Logger('AgentRunner');

  constructor(
    private readonly config: AppConfigService,
    private readonly models: ModelRegistry,
    private readonly sandbox: SandboxProbe,
  ) {}

  summary(address: AddressInfo | string | null): ServiceSummary {
    const storage = this.config.get('storage');
    const model = this.models.describe();
    return {
      version: packageVersion(),
      url: listeningUrl(address),
      store: storage.driver === 'sqlite' ? `sqlite ${storage.path}` : storage.driver,
      model: model.offline
        ? 'offline (built-in planner, no AI)'
        : `${model.provider}/${model.model_name}${model.ready ? '' : ` (not ready: ${model.reason ?? 'unknown'})`}`,
      sandbox: this.sandbox.status().mode,
    };
  }

  /** "agent-runner 0.1.0 listening on http://127.0.0.1:8080 · store … · model … · sandbox …". */
  listening(address: AddressInfo | string | null): void {
    const s = this.summary(address);
    this.logger.log(
      { ...s },
      `agent-runner ${s.version} listening on ${s.url} · store ${s.store} · model ${s.model} · sandbox ${s.sandbox}`,
    );
  }
}

function listeningUrl(address: AddressInfo | string | null): string {
  if (!address) return 'an unknown address';
  if (typeof address === 'string') return address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
