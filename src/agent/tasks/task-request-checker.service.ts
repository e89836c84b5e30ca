import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '../../common/errors';
import { ToolRegistry } from '../../execution/tool-registry.service';
import { PromptService } from '../../planning/prompt.service';
import { TaskRequestChecker } from './task-request.checker';
import { TaskRequest } from '../../contracts/task.types';

/** Checks a request against the live tools, scenarios and allowed roots before it is accepted. */
@Injectable()
export class TaskRequestCheckerService extends TaskRequestChecker {
  constructor(
    private readonly tools: ToolRegistry,
    private readonly prompts: PromptService,
  ) {
    super();
  }

  check(request: TaskRequest): TaskRequest {
    const problems: { field: string; message: string }[] = [];
    const context = request.context;
    if (context?.tools) {
      const unknown = this.tools.unknownTools(context.tools);
      if (unknown.length)
        problems.push({
          field: 'context.tools',
          message: `unknown or disabled tools: ${unknown.join(', ')}`,
        });
    }
    for (const message of this.tools.environmentProblems(context?.environment)) {
      problems.push({ field: 'context.environment', message });
    }
    let workingDirectory: string | undefined;
    try {
      workingDirectory = this.tools.resolveTaskWorkingDirectory(context?.working_directory);
    } catch (e) {
      if (!(e instanceof InvalidRequestError)) throw e;
      problems.push({ field: 'context.working_directory', message: e.message });
    }
    if (workingDirectory && context?.constraints?.allowed_paths) {
      try {
        this.tools.validateAllowedPaths(workingDirectory, context.constraints.allowed_paths);
      } catch (e) {
        if (!(e instanceof InvalidRequestError)) throw e;
        problems.push({ field: 'context.constraints.allowed_paths', message: e.message });
      }
    }
    if (context?.scenario !== undefined) {
      const template = this.prompts.resolveTemplate(workingDirectory ?? null);
      const known = this.prompts.knownScenarios(template);
      if (!known.includes(context.scenario)) {
        problems.push({
          field: 'context.scenario',
          message: `unknown scenario "${context.scenario}"; known: ${known.join(', ')}`,
        });
      }
    }
    if (problems.length) {
      throw new InvalidRequestError(
        `Invalid request: ${problems.map((p) => p.message).join('; ')}`,
        problems,
      );
    }
    return { ...request, priority: request.priority ?? 'normal' };
  }
}
