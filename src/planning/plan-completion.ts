import { Complexity, TaskPlan } from '../contracts/task.types';
import { complexityForSteps, stepsForComplexity } from './plan-fields';
import { ParsedPlan } from './plan-parser';

/** Default bound of `estimated_steps` when the caller gives none. */
export const DEFAULT_MAX_ESTIMATED_STEPS = 50;
const DIRECT_APPROACH =
  'Carry out the task directly with the available tools, checking each result.';

/** A full TaskPlan from what the model gave: missing fields filled, the estimate bounded. */
export function completePlan(
  parsed: ParsedPlan,
  task: string,
  scenario: string | null,
  maxSteps: number,
): TaskPlan {
  const complexity: Complexity =
    parsed.complexity ??
    (parsed.estimated_steps !== undefined
      ? complexityForSteps(parsed.estimated_steps)
      : 'moderate');
  return {
    understanding: parsed.understanding ?? oneLine(task),
    approach: parsed.approach ?? DIRECT_APPROACH,
    complexity,
    estimated_steps: bound(parsed.estimated_steps ?? stepsForComplexity(complexity), maxSteps),
    requirements: parsed.requirements ?? [],
    scenario,
  };
}

/** The plan used when the model's answers could not be read: built from the task alone. */
export function minimalPlan(task: string, scenario: string | null, maxSteps: number): TaskPlan {
  const text = task.trim();
  const sentences = text.split(/[.!?。！？\n]+/u).filter((s) => s.trim()).length;
  const complexity: Complexity = text.length <= 120 && sentences <= 1 ? 'simple' : 'moderate';
  return {
    understanding: oneLine(task),
    approach: DIRECT_APPROACH,
    complexity,
    estimated_steps: bound(complexity === 'simple' ? 2 : stepsForComplexity(complexity), maxSteps),
    requirements: [],
    scenario,
  };
}

function bound(steps: number, max: number): number {
  const upper = Math.max(1, Math.floor(max));
  return Math.min(upper, Math.max(1, Math.round(Number.isFinite(steps) ? steps : 1)));
}

function oneLine(task: string): string {
  const line = task.replace(/\s+/gu, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}
