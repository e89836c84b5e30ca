import { Test } from '@nestjs/testing';
import { ToolRegistry } from './tool-registry.service';
import { ToolsController } from './tools.controller';

describe('ToolsController', () => {
  it('returns the usable tools, the disabled ones and the sandbox status', async () => {
    const tools = [{ name: 'read_file', description: 'd', parameters: { type: 'object' } }];
    const disabled = [{ name: 'run_command', reason: 'no OS sandbox' }];
    const sandbox = {
      mode: 'bwrap',
      requested: 'auto',
      bwrap_available: true,
      commands_allowed: true,
    };
    const overview = { tools, disabled_tools: disabled, sandbox };
    const moduleRef = await Test.createTestingModule({
      controllers: [ToolsController],
      providers: [{ provide: ToolRegistry, useValue: { overview: () => overview } }],
    }).compile();
    const sut = moduleRef.get(ToolsController);
    expect(sut.list()).toBe(overview);
  });
});
