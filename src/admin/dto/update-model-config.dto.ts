import { PartialType, PickType } from '@nestjs/swagger';
import { ModelSettings } from '../../config/model-settings.dto';

/**
 * A live model swap for tasks started afterwards. Changing `provider` without `api_key`,
 * `endpoint` or `model_name` resets those to the new provider's defaults (its own key variable,
 * endpoint and default model), so one provider's key is never sent to another.
 * The fields and their rules are the [model] section's (ModelSettings), all optional;
 * `max_concurrent_requests` is not swapped live.
 */
export class UpdateModelConfigDto extends PartialType(
  PickType(ModelSettings, [
    'provider',
    'model_name',
    'api_key',
    'endpoint',
    'max_tokens',
    'temperature',
    'tool_protocol',
    'timeout_seconds',
    'max_retries',
  ] as const),
) {}
