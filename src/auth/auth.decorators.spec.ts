import { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { InternalError } from '../common/errors';
import { mapError } from '../common/error-body';
import { Caller, CALLER_REQUEST_KEY } from './auth.decorators';
import { CallerIdentity, LOCAL_ADMIN } from '../contracts/caller-identity';

type ParamFactory = (data: unknown, ctx: ExecutionContext) => unknown;

/** The function Nest runs for a @Caller() parameter, taken from a handler's route metadata. */
function callerFactory(): ParamFactory {
  class Probe {
    handler(@Caller() _caller: CallerIdentity): void {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler') as Record<
    string,
    { factory: ParamFactory }
  >;
  return Object.values(args)[0].factory;
}

function contextOf(request: Record<string, unknown>): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('@Caller()', () => {
  const factory = callerFactory();

  it('gives the caller the guard recorded', () => {
    const caller: CallerIdentity = { name: 'alice', role: 'user', authenticated: true };
    expect(factory(undefined, contextOf({ [CALLER_REQUEST_KEY]: caller }))).toBe(caller);
    expect(factory(undefined, contextOf({ [CALLER_REQUEST_KEY]: LOCAL_ADMIN }))).toBe(LOCAL_ADMIN);
  });

  it('fails closed when no guard set a caller: an internal error, never the local admin', () => {
    for (const request of [{}, { [CALLER_REQUEST_KEY]: undefined }]) {
      let thrown: unknown;
      try {
        factory(undefined, contextOf(request));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(InternalError);
      expect(mapError(thrown).body.status_code).toBe(500);
    }
  });
});
