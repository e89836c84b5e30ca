import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfigService } from '../config/app-config.service';
import { AuthenticationError, AuthorizationError } from '../common/errors';
import { ApiKeyService, presentedKey } from './api-key.service';
import { CALLER_REQUEST_KEY, IS_PUBLIC, PUBLIC_UNLESS, REQUIRED_ROLE } from './auth.decorators';
import { LOCAL_ADMIN } from '../contracts/caller-identity';

interface RouteRules {
  isPublic: boolean;
  unless?: 'protect_metrics' | 'protect_docs';
  role?: string;
}

/** Why an admin route is refused when no API key is configured at all. */
export const NO_ADMIN_KEY_MESSAGE =
  'Admin routes always need an admin API key, and none is configured. Configure one ' +
  '(service.auth.api_keys with role = "admin", or AGENT_RUNNER_ADMIN_KEYS=name=key) and restart; ' +
  'without HTTP, `agent-runner config show` and `agent-runner config validate` work on the files.';

/**
 * Global guard: deny by default. Every route needs a valid key unless marked @Public (or
 * @PublicUnless with its protect flag off). With no keys configured auth is off for the task
 * routes only (start-up refuses that on a non-loopback bind, see assertSafeBind); admin routes
 * always need an admin key, so nothing running on the host (a task's command included) can
 * change the service's configuration through a loopback bind.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly config: AppConfigService,
  ) {}

  /** Route metadata never changes after start-up: read once per handler, not per request. */
  private readonly rules = new WeakMap<object, RouteRules>();

  private rulesFor(context: ExecutionContext): RouteRules {
    const handler = context.getHandler();
    let rules = this.rules.get(handler);
    if (!rules) {
      const targets = [handler, context.getClass()];
      rules = {
        isPublic: !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets),
        unless: this.reflector.getAllAndOverride<RouteRules['unless']>(PUBLIC_UNLESS, targets),
        role: this.reflector.getAllAndOverride<string>(REQUIRED_ROLE, targets),
      };
      this.rules.set(handler, rules);
    }
    return rules;
  }

  canActivate(context: ExecutionContext): boolean {
    const rules = this.rulesFor(context);
    const req = context
      .switchToHttp()
      .getRequest<Record<string, unknown> & { headers: Record<string, string | undefined> }>();
    const key = presentedKey(req.headers);
    const identity = key !== undefined && this.keys.enabled ? this.keys.identify(key) : null;
    // Record who is calling even on open routes, so throttling and logs can use it.
    req[CALLER_REQUEST_KEY] = identity ?? (this.keys.enabled ? undefined : LOCAL_ADMIN);

    if (rules.isPublic) return true;
    if (rules.unless && !this.config.get('service').auth[rules.unless]) return true;

    if (!this.keys.enabled) {
      // A task's own commands can reach a loopback bind: with auth off they must not be admins.
      if (rules.role === 'admin') throw new AuthorizationError(NO_ADMIN_KEY_MESSAGE);
      return true;
    }
    if (!identity) {
      throw new AuthenticationError(key === undefined ? undefined : 'The API key is not valid.');
    }
    if (rules.role === 'admin' && identity.role !== 'admin') {
      throw new AuthorizationError('This operation needs an admin API key.');
    }
    return true;
  }
}
