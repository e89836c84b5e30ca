import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiKeyAuth } from '../auth/auth.decorators';
import { ApiErrorResponses, BODY_ERRORS } from '../common/api-error-responses.decorator';
import { PartialConfig } from '../config/config.schema';
import { ConfigAdminService } from './config-admin.service';
import { CONFIG_EXAMPLES } from './dto/config-examples';
import { ConfigViewDto } from './dto/config-view.dto';
import { UpdateConfigDto } from './dto/update-config.dto';
import { UpdateModelConfigDto } from './dto/update-model-config.dto';
import { ConfigValidationResultDto, ValidateConfigDto } from './dto/validate-config.dto';

/** Configuration routes: admin keys only; secrets are always redacted in answers. */
@ApiTags('config')
@ApiKeyAuth()
@AdminOnly()
@ApiErrorResponses(403)
@Controller('api/v1/config')
export class ConfigController {
  constructor(private readonly configAdmin: ConfigAdminService) {}

  /** The effective configuration, same shape as the config file, secrets redacted. Admin only. */
  @Get()
  @ApiOperation({ summary: 'Read the configuration' })
  @ApiOkResponse({ type: ConfigViewDto, description: 'The effective configuration.' })
  show(): ConfigViewDto {
    return this.configAdmin.show();
  }

  /**
   * Updates sections live: the body (file shape) is merged onto the current configuration and
   * the result validated as a whole; when anything is invalid nothing changes. Keys that apply
   * only at start-up are refused. Admin only.
   */
  @Put()
  @ApiOperation({ summary: 'Update the configuration live' })
  @ApiBody({ type: UpdateConfigDto, examples: CONFIG_EXAMPLES.update })
  @ApiOkResponse({ type: ConfigViewDto, description: 'The new effective configuration.' })
  @ApiErrorResponses(...BODY_ERRORS)
  update(@Body() dto: UpdateConfigDto): ConfigViewDto {
    return this.configAdmin.update({ ...dto } as PartialConfig);
  }

  /**
   * Swaps the model for tasks started afterwards; running tasks keep theirs. Changing the
   * provider alone resets its key, endpoint and model name to the new provider's defaults. A swap
   * that would leave new tasks without a usable model is refused. Admin only.
   */
  @Put('model')
  @ApiOperation({ summary: 'Swap the model live' })
  @ApiBody({ type: UpdateModelConfigDto, examples: CONFIG_EXAMPLES.model })
  @ApiOkResponse({ type: ConfigViewDto, description: 'The new effective configuration.' })
  @ApiErrorResponses(...BODY_ERRORS)
  updateModel(@Body() dto: UpdateModelConfigDto): ConfigViewDto {
    return this.configAdmin.updateModel({ ...dto });
  }

  /**
   * Checks a partial configuration merged onto the built-in defaults, with the checks start-up
   * runs; changes nothing. An invalid configuration is a 200 with `valid: false`. Admin only.
   */
  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a configuration' })
  @ApiBody({ type: ValidateConfigDto, examples: CONFIG_EXAMPLES.validate })
  @ApiOkResponse({ type: ConfigValidationResultDto, description: 'The verdict.' })
  @ApiErrorResponses(...BODY_ERRORS)
  validate(@Body() dto: ValidateConfigDto): ConfigValidationResultDto {
    return this.configAdmin.validate(dto.config);
  }
}
