import { IsObject } from 'class-validator';

export class ValidateConfigDto {
  /** A partial configuration (file shape), merged onto the built-in defaults and checked. */
  @IsObject()
  config!: Record<string, unknown>;
}

/** One problem or warning, with the dotted path of the key. */
export class ConfigIssueDto {
  path!: string;
  message!: string;
}

export class ConfigValidationResultDto {
  valid!: boolean;
  errors!: ConfigIssueDto[];
  warnings!: ConfigIssueDto[];
}
