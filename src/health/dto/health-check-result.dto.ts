import { ApiProperty } from '@nestjs/swagger';

const INDICATOR = { $ref: '#/components/schemas/HealthIndicatorDto' };

/** One readiness check and what it found (its other fields depend on the check). */
export class HealthIndicatorDto {
  /** up when the check passed. */
  status!: 'up' | 'down';
}

/** The health probes' body (the Terminus format), on 200 and on 503 alike. */
export class HealthCheckResultDto {
  /** ok when every check is up, error when one is down, shutting_down while the service stops. */
  status!: 'ok' | 'error' | 'shutting_down';
  /** The checks that are up, by name. */
  @ApiProperty({ type: 'object', additionalProperties: INDICATOR })
  info?: Record<string, HealthIndicatorDto>;
  /** The checks that are down, by name. */
  @ApiProperty({ type: 'object', additionalProperties: INDICATOR })
  error?: Record<string, HealthIndicatorDto>;
  /** Every check, by name. */
  @ApiProperty({ type: 'object', additionalProperties: INDICATOR })
  details!: Record<string, HealthIndicatorDto>;
}
