import { Test } from '@nestjs/testing';
import { SandboxProbe } from './sandbox/sandbox-probe.service';
import { ToolRegistry } from './tool-registry.service';
import { ToolsController } from './tools.controller';

describe('ToolsController', () => {
  it('returns the enabled tools and the sandbox status', async () => {
    const tools = [{ name: 'read_file', description: 'd', parameters: { type: 'object' } }];
    const sandbox = {
      mode: 'bwrap',
      requested: 'auto',
      bwrap_available: true,
      commands_allowed: true,
    };
    const moduleRef = await Test.createTestingModule({
      controllers: [ToolsController],
      providers: [
        { provide: ToolRegistry, useValue: { definitions: () => tools } },
        { provide: SandboxProbe, useValue: { status: () => sandbox } },
      ],
    }).compile();
    const sut = moduleRef.get(ToolsController);
    expect(sut.list()).toEqual({ tools, sandbox });
  });
});
