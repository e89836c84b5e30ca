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
  /** One of SPEC 4's providers. */
  @IsOptional()
  @IsIn(MODEL_PROVIDERS)
  provider?: ModelProvider;

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

  /** OpenAI-compatible base URL. */
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'endpoint must be an http(s) URL' })
  endpoint?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_tokens?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(10)
  temperature?: number;

  @IsOptional()
  @IsIn(TOOL_PROTOCOLS)
  tool_protocol?: ToolProtocol;

  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(3600)
  timeout_seconds?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries?: number;
}
