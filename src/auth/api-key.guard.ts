import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfigService } from '../config/app-config.service';
import { AuthenticationError, AuthorizationError } from '../common/errors';
import { ApiKeyService, presentedKey } from './api-key.service';
import { CALLER_REQUEST_KEY, IS_PUBLIC, PUBLIC_UNLESS, REQUIRED_ROLE } from './auth.decorators';
import { LOCAL_ADMIN } from './caller-identity';

interface RouteRules {
  isPublic: boolean;
  unless?: 'protect_metrics' | 'protect_docs';
  role?: string;
}

/**
 * Global guard: deny by default. Every route needs a valid key unless marked @Public (or
 * @PublicUnless with its protect flag off). With no keys configured auth is off; start-up
 * refuses that on a non-loopback bind (see assertSafeBind).
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

    if (!this.keys.enabled) return true;
    if (!identity) {
      throw new AuthenticationError(key === undefined ? undefined : 'The API key is not valid.');
    }
    if (rules.role === 'admin' && identity.role !== 'admin') {
      throw new AuthorizationError('This operation needs an admin API key.');
    }
    return true;
  }
}
