import 'reflect-metadata';
import { ConfigValidationError } from './config/config.validation';
import { UnsafeBindError, parseBindAddress } from './auth/bind-safety';
import { createHttpApp } from './app/create-http-app';
import { StoreIntegrityError } from './agent/store/sqlite-integrity-check';
import { AppConfigService } from './config/app-config.service';
import { ServiceLifecycleLogger } from './app/service-lifecycle.logger';

/** Starts the HTTP service (what `npm start` and `agent-runner serve` run). */
export async function serve(configFile?: string): Promise<void> {
  const app = await createHttpApp({ configFile });
  const { host, port } = parseBindAddress(app.get(AppConfigService).get('service').bind_address);
  await app.listen({ host, port });
  app.get(ServiceLifecycleLogger).listening(app.getHttpServer().address());
}

if (require.main === module) {
  serve().catch((err: unknown) => {
    if (err instanceof ConfigValidationError || err instanceof UnsafeBindError) {
      console.error(err.message);
      process.exit(2);
    }
    if (err instanceof StoreIntegrityError) {
      // A damaged store file: the message says which file and what to do; no stack needed.
      console.error(err.message);
      process.exit(1);
    }
    console.error(err);
    process.exit(1);
  });
}
