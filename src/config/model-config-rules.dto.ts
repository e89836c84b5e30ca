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
  TOOL_PROTOCOLS,
  type ModelProvider,
  type ToolProtocol,
} from './config-enums';

/**
 * The keys of the [model] section and their rules, in one place: ModelConfig (config.schema.ts)
 * adds the defaults, and the live model swap (`UpdateModelConfigDto`, PUT /api/v1/config/model)
 * takes them as optional fields. No defaults here, so the swap never sends one it was not given.
 * A `.dto.ts` file: the Swagger plugin publishes these rules and descriptions in the API document
 * (only JSDoc right above a field: a line comment there would hide its description).
 */
export class ModelConfigRules {
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
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_tokens!: number;

  /** Sampling temperature (0 = most deterministic). */
  @IsNumber()
  @Min(0)
  @Max(10)
  temperature!: number;

  /** Time limit of one model request, in seconds. */
  @IsNumber()
  @Min(1)
  @Max(3600)
  timeout_seconds!: number;

  /** Retries of a failed model request (429, 5xx, connection errors). */
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries!: number;

  /** How tools are offered: native function calling, a JSON action protocol, or auto. */
  @IsIn(TOOL_PROTOCOLS)
  tool_protocol!: ToolProtocol;

  /** Cap on in-flight requests shared by every task using the same provider and key. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  max_concurrent_requests!: number;
}
