import { ApiProperty, type SchemaObject } from '@nestjs/swagger';

/** One readiness check and what it found; its other fields depend on the check. */
const INDICATOR: SchemaObject = {
  type: 'object',
  description: 'One check: its status and what it found (fields depend on the check).',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'], description: 'up when the check passed.' },
  },
  additionalProperties: true,
};

/** The health probes' body (the Terminus format), on 200 and on 503 alike. */
export class HealthCheckResultDto {
  /** ok when every check is up, error when one is down, shutting_down while the service stops. */
  status!: 'ok' | 'error' | 'shutting_down';
  /** The checks that are up, by name. */
  @ApiProperty({ type: 'object', additionalProperties: INDICATOR })
  info?: Record<string, { status: 'up' | 'down' }>;
  /** The checks that are down, by name. */
  @ApiProperty({ type: 'object', additionalProperties: INDICATOR })
  error?: Record<string, { status: 'up' | 'down' }>;
  /** Every check, by name. */
  @ApiProperty({ type: 'object', additionalProperties: INDICATOR })
  details!: Record<string, { status: 'up' | 'down' }>;
}
