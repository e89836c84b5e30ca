import { ApiProperty } from '@nestjs/swagger';

const SECTION = { type: 'object', additionalProperties: true } as const;

/** The `model` section as shown: the file's keys plus what the service worked out. */
export class ModelConfigViewDto {
  /** The provider in effect: the configured one, else openai when a key is set, else offline. */
  effective_provider!: string;
  /** Whether a model key is in effect (model.api_key or the provider's own variable). */
  api_key_set!: boolean;
  /** The key, masked (`****abcd`), when one is in effect; never the key itself. */
  api_key?: string;
}

/**
 * The effective configuration, same shape as the config file (docs/configuration.md) with every
 * secret masked (`"****abcd"`, plus `<name>_set: true`). Each section holds the keys of its
 * table in the file; keys that are not set are absent.
 */
export class ConfigViewDto {
  /** [model]: provider, model_name, endpoint, max_tokens, temperature, …, plus `effective_provider` and `api_key_set`. */
  @ApiProperty({
    allOf: [{ $ref: '#/components/schemas/ModelConfigViewDto' }, SECTION],
  })
  model!: ModelConfigViewDto & Record<string, unknown>;
  /** [execution]: max_steps, timeout_seconds, sandbox, network, planning, … */
  @ApiProperty(SECTION)
  execution!: Record<string, unknown>;
  /** [tools]: enable_*, working_directory, allowed_paths, forbidden_commands, limits, … */
  @ApiProperty(SECTION)
  tools!: Record<string, unknown>;
  /** [service]: bind_address, concurrency and queue limits, auth (keys masked), cors, rate_limiting, … */
  @ApiProperty(SECTION)
  service!: Record<string, unknown>;
  /** [storage]: driver, path, retention_days. */
  @ApiProperty(SECTION)
  storage!: Record<string, unknown>;
  /** [queue]: url (password masked, plus `url_set`), prefix: the Redis the replicas share. */
  @ApiProperty(SECTION)
  queue!: Record<string, unknown>;
  /** [prompts]: template, project_file. */
  @ApiProperty(SECTION)
  prompts!: Record<string, unknown>;
  /** [logging]: level, format. */
  @ApiProperty(SECTION)
  logging!: Record<string, unknown>;
}
