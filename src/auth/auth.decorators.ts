import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, DECORATORS } from '@nestjs/swagger';
import { InternalError } from '../common/errors';
import type { CallerIdentity } from '../contracts/caller-identity';

export const IS_PUBLIC = 'agent-runner:public';
export const PUBLIC_UNLESS = 'agent-runner:public-unless';
export const REQUIRED_ROLE = 'agent-runner:role';
/** Where the API-key guard leaves the caller on the request. */
export const CALLER_REQUEST_KEY = 'agentRunnerCaller';

/** An open route: no API key needed (health probes); documented with `security: []`. */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(DECORATORS.API_SECURITY, []));

/** Open unless the named `service.auth` flag is true (metrics, docs). */
export const PublicUnless = (flag: 'protect_metrics' | 'protect_docs') =>
  SetMetadata(PUBLIC_UNLESS, flag);

/** Only admin keys (every /api/v1/config* route). */
export const AdminOnly = () => SetMetadata(REQUIRED_ROLE, 'admin');

/** Swagger: the operation needs an API key (either header form). */
export const ApiKeyAuth = () => applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('api_key'));

/**
 * The caller (key name and role) of the current request, as the API-key guard recorded it (the
 * local admin when auth is off). Fails closed: a route the guard let through without a caller
 * (an open route) has none, and reading it there is a programming error, answered 500.
 */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): CallerIdentity => {
  const req = ctx.switchToHttp().getRequest<Record<string, unknown>>();
  const caller = req[CALLER_REQUEST_KEY] as CallerIdentity | undefined;
  if (!caller) throw new InternalError('No caller identity on this request.');
  return caller;
});
