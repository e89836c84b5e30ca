/** Public API of the planning module (prompt templates, scenario inference, UnderstandingEngine). */
export { PlanningModule } from './planning.module';
export { PromptService } from './prompt.service';
export { PromptTemplate } from './prompt-template';
export { PromptTemplateError } from './prompt-template.error';
export type {
  GlobalTemplate,
  OutputFormat,
  ProjectDocument,
  ProjectRules,
  PromptExample,
  PromptTemplateData,
  ScenarioPrompt,
  TemplateIssue,
} from './prompt-template.types';
export { UnderstandingEngine } from './understanding-engine';
export type {
  PlanSource,
  PlanningOutcome,
  UnderstandingContext,
  UnderstandingOptions,
} from './understanding-engine';
export { inferScenario } from './scenario-inference';
export type { ScenarioChoice } from './scenario-inference';
export { chooseScenario } from './scenario-choice';
export { parsePlanAnswer } from './plan-parser';
export { buildAgentMessages } from './agent-prompt.builder';
export { buildPlanMessages } from './plan-prompt.builder';
export { wrapData, unwrapData } from './task-delimiter';
