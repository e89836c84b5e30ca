import { Module } from '@nestjs/common';
import { PromptService } from './prompt.service';

/**
 * Prompt templates and planning. Needs the global AppConfigModule. The UnderstandingEngine is
 * created per task (`PromptService.createEngine` or `UnderstandingEngine.withTemplate`) with
 * that task's model and template.
 */
@Module({
  providers: [PromptService],
  exports: [PromptService],
})
export class PlanningModule {}
