import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, DECORATORS } from '@nestjs/swagger';
import { CallerIdentity, LOCAL_ADMIN } from '../contracts/caller-identity';

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

/** The authenticated caller (key name and role) of the current request. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): CallerIdentity => {
  const req = ctx.switchToHttp().getRequest<Record<string, unknown>>();
  return (req[CALLER_REQUEST_KEY] as CallerIdentity | undefined) ?? LOCAL_ADMIN;
});
