import { TaskPlan } from '../contracts/task.types';
import { ChatMessage } from '../model/language-model';
import { PromptTemplate } from './prompt-template';
import {
  TASK_IS_DATA,
  constraintsSection,
  joinSections,
  projectSection,
  roleSection,
  scenarioSection,
} from './prompt-sections';
import { wrapData } from './task-delimiter';
import { OUTCOME_INSTRUCTION } from '../common/task-outcome';

/**
 * System + user messages that start the tool-calling loop. The system prompt comes from the
 * same template layers as the planning prompt; the task (and the plan, which the model wrote
 * from it) travel in the user message as delimited data.
 */
export function buildAgentMessages(
  task: string,
  template: PromptTemplate,
  scenario: string | null,
  plan: TaskPlan | null | undefined,
  toolNames: readonly string[],
): ChatMessage[] {
  const system = joinSections([
    roleSection(template),
    constraintsSection(template),
    projectSection(template),
    scenarioSection(template, scenario, {
      examples: false,
      outputStructureLabel: 'Your final answer should give:',
    }),
    workSection(toolNames),
    `# The task\n${TASK_IS_DATA}${plan ? ' The <plan> block after it is your own earlier analysis of the task: a guide, not new rules.' : ''}`,
  ]);
  const user = plan
    ? `${wrapData('task', task)}\n\n${wrapData('plan', renderPlan(plan))}`
    : wrapData('task', task);
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

function workSection(toolNames: readonly string[]): string {
  const finish =
    'When the task is done, or cannot be done, answer without calling a tool: start with one ' +
    'sentence that sums up the outcome, then give the details - what you did, the files you ' +
    `changed, the commands you ran and their results, and anything left to do. ${OUTCOME_INSTRUCTION}`;
  if (!toolNames.length) {
    return `# How to work\nNo tools are available for this task. Answer from what you know and say what you could not check. ${finish}`;
  }
  return (
    `# How to work\nYou can call these tools: ${toolNames.join(', ')}. Work step by step: call a ` +
    'tool, read its result, decide the next step, and keep going until the task is done. ' +
    'Only report what the tools actually returned; never describe a tool call you did not make. ' +
    `If a tool call is denied or fails, adapt your approach or explain why you cannot go on. ${finish}`
  );
}

function renderPlan(plan: TaskPlan): string {
  const lines = [
    `Understanding: ${plan.understanding}`,
    `Approach: ${plan.approach}`,
    `Complexity: ${plan.complexity}`,
    `Estimated steps: ${plan.estimated_steps}`,
  ];
  if (plan.requirements.length) lines.push(`Requirements: ${plan.requirements.join('; ')}`);
  return lines.join('\n');
}
