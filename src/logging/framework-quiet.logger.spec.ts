import type { LoggerService } from '@nestjs/common';
import { FrameworkQuietLogger } from './framework-quiet.logger';

describe('FrameworkQuietLogger', () => {
  const calls: string[] = [];
  const inner: LoggerService = {
    log: (m: unknown, ...p: unknown[]) => calls.push(`log ${String(m)} ${p.join(',')}`),
    debug: (m: unknown, ...p: unknown[]) => calls.push(`debug ${String(m)} ${p.join(',')}`),
    warn: (m: unknown, ...p: unknown[]) => calls.push(`warn ${String(m)} ${p.join(',')}`),
    error: (m: unknown, ...p: unknown[]) => calls.push(`error ${String(m)} ${p.join(',')}`),
  };
  beforeEach(() => (calls.length = 0));

  it("moves Nest's route and module lines to debug and passes everything else through", () => {
    const sut = new FrameworkQuietLogger(inner);
    sut.log('Mapped {/api/v1/tasks, GET} route', 'RouterExplorer');
    sut.log('TasksController {/api/v1/tasks}:', 'RoutesResolver');
    sut.log('CoreModule dependencies initialized', 'InstanceLoader');
    sut.log('model configuration changed', 'ModelRegistry');
    sut.warn('SANDBOX OFF', 'SandboxProbe');
    sut.error('boom', 'stack', 'RouterExplorer');
    expect(calls).toEqual([
      'debug Mapped {/api/v1/tasks, GET} route RouterExplorer',
      'debug TasksController {/api/v1/tasks}: RoutesResolver',
      'debug CoreModule dependencies initialized InstanceLoader',
      'log model configuration changed ModelRegistry',
      'warn SANDBOX OFF SandboxProbe',
      'error boom stack,RouterExplorer',
    ]);
  });
});
