import { parseBindAddress } from '../auth/bind-safety';
import { AppConfigService } from '../config/app-config.service';
import { createHttpApp } from './create-http-app';
import { ServiceLifecycleLogger } from './service-lifecycle.logger';

/** Starts the HTTP service (what `npm start` and `agent-runner serve` run). */
export async function serve(configFile?: string): Promise<void> {
  const app = await createHttpApp({ configFile });
  const { host, port } = parseBindAddress(app.get(AppConfigService).get('service').bind_address);
  await app.listen({ host, port });
  app.get(ServiceLifecycleLogger).listening(app.getHttpServer().address());
}
