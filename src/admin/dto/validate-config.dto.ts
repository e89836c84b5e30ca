import { IsObject } from 'class-validator';

export class ValidateConfigDto {
  /** A partial configuration (file shape), merged onto the built-in defaults and checked. */
  @IsObject()
  config!: Record<string, unknown>;
}

/** One problem or warning, with the dotted path of the key. */
export class ConfigIssueDto {
  /** Dotted path of the key, e.g. `execution.max_steps` (empty for the whole configuration). */
  path!: string;
  /** What is wrong, or why it is probably not what was meant. */
  message!: string;
}

export class ConfigValidationResultDto {
  /** True when the configuration would be accepted. */
  valid!: boolean;
  /** Every problem that makes it invalid (empty when valid). */
  errors!: ConfigIssueDto[];
  /** Values that are valid but probably not what was meant (e.g. no OS sandbox). */
  warnings!: ConfigIssueDto[];
}
