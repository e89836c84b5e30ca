import { Injectable } from '@nestjs/common';
import { ConfigValidationError } from '../config/config.validation';
import { AppConfigService } from '../config/app-config.service';
import { ModelRegistry } from '../model/model.registry';
import { PartialConfig } from '../config/config.schema';
import { checkServiceConfigObject } from '../config/service-config.check';
import type { ConfigViewDto } from './dto/config-view.dto';
import { ConfigValidationResultDto } from './dto/validate-config.dto';
import { UpdateModelConfigDto } from './dto/update-model-config.dto';

/** Use cases behind /api/v1/config*: show, update live, swap the model, validate. */
@Injectable()
export class ConfigAdminService {
  constructor(
    private readonly config: AppConfigService,
    private readonly models: ModelRegistry,
  ) {}

  show(): ConfigViewDto {
    return this.config.redacted() as unknown as ConfigViewDto;
  }

  update(patch: PartialConfig): ConfigViewDto {
    this.config.update(patch);
    return this.show();
  }

  updateModel(dto: UpdateModelConfigDto): ConfigViewDto {
    const patch: Record<string, unknown> = { ...dto };
    const current = this.config.get('model');
    if (dto.provider !== undefined && dto.provider !== this.config.effectiveProvider()) {
      // A new provider starts from its own defaults: never send one provider's key to another.
      for (const k of ['api_key', 'endpoint', 'model_name'] as const) {
        if (dto[k] === undefined && current[k] !== undefined) patch[k] = null;
      }
    }
    // Refuse a swap that would leave new tasks with an unusable model (e.g. no key for it).
    const problems = this.models.validateModelUpdate(patch as PartialConfig['model']);
    if (problems.length) throw new ConfigValidationError(problems, 'model update');
    this.config.update({ model: patch } as PartialConfig);
    return this.show();
  }

  /** The start-up checks on `partial` merged onto the defaults (see checkServiceConfig). */
  validate(partial: Record<string, unknown>): ConfigValidationResultDto {
    const { errors, warnings } = checkServiceConfigObject(partial, this.config.providerEnvKeys);
    return { valid: errors.length === 0, errors, warnings };
  }
}
