import type { ExamplesObject } from '@nestjs/swagger';

/**
 * Request examples of the configuration routes (Swagger UI sends the first as it is). Each is
 * accepted by a service on its defaults and changes nothing it did not already have.
 */
export const CONFIG_EXAMPLES: Record<'update' | 'model' | 'validate', ExamplesObject> = {
  update: {
    max_steps: { summary: 'Set the step limit', value: { execution: { max_steps: 10 } } },
  },
  model: {
    temperature: { summary: 'Set the temperature', value: { temperature: 0.7 } },
  },
  validate: {
    concurrency: {
      summary: 'Check a concurrency limit',
      value: { config: { service: { max_concurrent_tasks: 4 } } },
    },
  },
};
