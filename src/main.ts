import 'reflect-metadata';
import { ConfigValidationError } from './config/config.validation';
import { UnsafeBindError } from './auth/bind-safety';
import { StoreIntegrityError } from './agent/store/sqlite-integrity-check';
import { serve } from './app/serve';

/** `npm start`: the HTTP service on the configuration found in the usual places. */
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
