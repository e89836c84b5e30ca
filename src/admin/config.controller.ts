import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiKeyAuth } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { PartialConfig } from '../config/config.schema';
import { ConfigAdminService } from './config-admin.service';
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

  /** The effective configuration, secrets redacted. */
  @Get()
  @ApiOperation({ summary: 'Effective configuration (secrets redacted)' })
  @ApiOkResponse({ description: 'The configuration, same shape as the file' })
  show(): Record<string, unknown> {
    return this.configAdmin.show();
  }

  /** Updates sections live (validated as a whole; nothing changes when anything is invalid). */
  @Put()
  @ApiOperation({ summary: 'Update configuration sections live' })
  @ApiErrorResponses(400)
  update(@Body() dto: UpdateConfigDto): Record<string, unknown> {
    return this.configAdmin.update({ ...dto } as PartialConfig);
  }

  /** Swaps the model for tasks started afterwards; running tasks keep theirs. */
  @Put('model')
  @ApiOperation({ summary: 'Swap the model live' })
  @ApiErrorResponses(400)
  updateModel(@Body() dto: UpdateModelConfigDto): Record<string, unknown> {
    return this.configAdmin.updateModel({ ...dto });
  }

  /** Checks a partial configuration merged onto the defaults; changes nothing. */
  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a partial configuration' })
  @ApiErrorResponses(400)
  validate(@Body() dto: ValidateConfigDto): ConfigValidationResultDto {
    return this.configAdmin.validate(dto.config);
  }
}
