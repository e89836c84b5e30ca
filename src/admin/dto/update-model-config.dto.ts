import { PartialType, PickType } from '@nestjs/swagger';
import { ModelConfigRules } from '../../config/model-config-rules.dto';

/**
 * A live model swap for tasks started afterwards. Changing `provider` without `api_key`,
 * `endpoint` or `model_name` resets those to the new provider's defaults (its own key variable,
 * endpoint and default model), so one provider's key is never sent to another.
 * The fields and their rules are the [model] section's (ModelConfigRules), all optional;
 * `max_concurrent_requests` is not swapped live.
 */
export class UpdateModelConfigDto extends PartialType(
  PickType(ModelConfigRules, [
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
