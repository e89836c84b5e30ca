import type { ModuleMetadata } from '@nestjs/common';
import { Test, TestingModule, TestingModuleBuilder } from '@nestjs/testing';
import { CommanderOptionsType, CommandRunnerModule, CommandRunnerService } from 'nest-commander';

/**
 * `CommandTestFactory` as the nest-commander-testing package defines it (createTestingCommand +
 * run, over @nestjs/testing), kept here because that package is not a dependency of the project.
 * Commands are built by the real CommandRunnerModule; providers can be swapped with
 * `overrideProvider` before `compile()`.
 */
export class CommandTestFactory {
  static createTestingCommand(
    metadata: ModuleMetadata & { imports: NonNullable<ModuleMetadata['imports']> },
    options?: CommanderOptionsType,
  ): TestingModuleBuilder {
    return Test.createTestingModule({
      ...metadata,
      imports: [...metadata.imports, CommandRunnerModule.forModule(undefined, options)],
    });
  }

  /** Runs `args` (without `node script`) through the commands, then closes the module. */
  static async run(app: TestingModule, args: string[] = []): Promise<void> {
    await app.init();
    try {
      await app.get(CommandRunnerService).run(['node', 'agent-runner', ...args]);
    } finally {
      await app.close();
    }
  }
}
