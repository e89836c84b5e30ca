import { ApiProperty } from '@nestjs/swagger';
import { ERROR_HTTP_STATUS, ErrorCode } from './errors';

/** One problem of a request (or of a configuration it carries), with where it is. */
export class FieldProblemDto {
  /** Dotted path of the field or configuration key, e.g. `context.environment`, `execution.max_steps`. */
  field!: string;
  /** What is wrong with it. */
  message!: string;
}

/** The one error body of every layer: validation, auth, throttling, unknown routes, domain errors, crashes. */
export class ErrorResponseDto {
  /** HTTP status, repeated in the body. */
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 })
  status_code!: number;
  /** Machine-readable code; the status each code comes with is listed in docs/api.md. */
  @ApiProperty({ enum: Object.keys(ERROR_HTTP_STATUS), enumName: 'ErrorCode' })
  code!: ErrorCode;
  /** What went wrong, for people. */
  message!: string;
  /**
   * `null`; or a list of `{field, message}` (invalid input, every problem found by the check that
   * failed); or an object of facts (`retry_after_seconds`, `limit_bytes`, `status`, …).
   */
  @ApiProperty({
    oneOf: [
      { type: 'array', items: { $ref: '#/components/schemas/FieldProblemDto' } },
      { type: 'object', additionalProperties: true, nullable: true },
    ],
  })
  details!: FieldProblemDto[] | Record<string, unknown> | null;
  /** The request's id, the same as its `x-request-id` response header and in the logs. */
  request_id!: string;
  /** When the error was answered (ISO-8601 UTC). */
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
