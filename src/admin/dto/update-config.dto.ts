import { IsObject, IsOptional } from 'class-validator';

/**
 * A partial configuration, same shape as the config file. Only the sections given change; each
 * is validated in depth against the schema (errors carry the key's path).
 */
export class UpdateConfigDto {
  /** [model] section: provider, model_name, api_key, endpoint, max_tokens, temperature, … */
  @IsOptional()
  @IsObject()
  model?: Record<string, unknown>;

  /** [execution] section: max_steps, timeout_seconds, sandbox, network, planning, … */
  @IsOptional()
  @IsObject()
  execution?: Record<string, unknown>;

  /** [tools] section: enable_*, working_directory, allowed_paths, forbidden_commands, … */
  @IsOptional()
  @IsObject()
  tools?: Record<string, unknown>;

  /** [service] section (bind_address and max_body_bytes need a restart). */
  @IsOptional()
  @IsObject()
  service?: Record<string, unknown>;

  /** [storage] section (needs a restart; refused live). */
  @IsOptional()
  @IsObject()
  storage?: Record<string, unknown>;

  /** [queue] section (needs a restart; refused live). */
  @IsOptional()
  @IsObject()
  queue?: Record<string, unknown>;

  /** [prompts] section: template, project_file. */
  @IsOptional()
  @IsObject()
  prompts?: Record<string, unknown>;

  /** [logging] section: level (live), format (restart). */
  @IsOptional()
  @IsObject()
  logging?: Record<string, unknown>;
}
