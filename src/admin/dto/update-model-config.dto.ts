import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import {
  MODEL_PROVIDERS,
  ModelProvider,
  TOOL_PROTOCOLS,
  ToolProtocol,
} from '../../config/config.schema';

/**
 * A live model swap for tasks started afterwards. Changing `provider` without `api_key`,
 * `endpoint` or `model_name` resets those to the new provider's defaults (its own key variable,
 * endpoint and default model), so one provider's key is never sent to another.
 */
export class UpdateModelConfigDto {
  /** The model provider (offline: the built-in planner, no AI). */
  @IsOptional()
  @IsIn(MODEL_PROVIDERS)
  provider?: ModelProvider;

  /** The model's name at the provider, e.g. gpt-4o-mini. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model_name?: string;

  /** The provider key (write-only; never shown back). */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  api_key?: string;

  /** The provider's OpenAI-compatible base URL (http or https). */
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'endpoint must be an http(s) URL' })
  endpoint?: string;

  /** Most tokens one answer may have. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_tokens?: number;

  /** Sampling temperature (0 = most deterministic). */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(10)
  temperature?: number;

  /** How tools are offered: native function calling, a JSON action protocol, or auto. */
  @IsOptional()
  @IsIn(TOOL_PROTOCOLS)
  tool_protocol?: ToolProtocol;

  /** Time limit of one model request, in seconds. */
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(3600)
  timeout_seconds?: number;

  /** Retries of a failed model request (429, 5xx, connection errors). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries?: number;
}
