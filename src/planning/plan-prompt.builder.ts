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

/** The fields every plan answer must have (docs/prompts.md, The plan). */
export const PLAN_FIELDS = [
  'understanding',
  'approach',
  'complexity',
  'estimated_steps',
  'requirements',
] as const;

const DEFAULT_DESCRIPTIONS: Record<(typeof PLAN_FIELDS)[number], string> = {
  understanding: 'What the user wants, in one or two sentences.',
  approach: 'How you will do it: the main steps in order.',
  complexity: 'How hard the task is.',
  estimated_steps: 'How many tool calls you expect to need.',
  requirements: 'What the task needs: files, tools, commands or facts to check.',
};

const TYPES: Record<(typeof PLAN_FIELDS)[number], (maxSteps: number) => string> = {
  understanding: () => 'string',
  approach: () => 'string',
  complexity: () => 'one of "simple", "moderate", "complex"',
  estimated_steps: (max) => `integer from 1 to ${max}`,
  requirements: () => 'array of strings, [] when none',
};

const TEXT_HINTS: Record<(typeof PLAN_FIELDS)[number], (maxSteps: number) => string> = {
  understanding: () => 'one or two sentences',
  approach: () => 'the main steps',
  complexity: () => 'simple | moderate | complex',
  estimated_steps: (max) => `a whole number from 1 to ${max}`,
  requirements: () => 'a comma-separated list, or None',
};

/** Shape the answer is asked in: JSON unless the template's format_type asks for text. */
export function planAnswerFormat(t: PromptTemplate): 'json' | 'text' {
  const type = t.outputFormat.format_type;
  return !type || type === 'json' ? 'json' : 'text';
}

/** System + user messages of the planning call. */
export function buildPlanMessages(
  t: PromptTemplate,
  task: string,
  scenario: string | null,
  maxSteps: number,
): ChatMessage[] {
  const system = joinSections([
    roleSection(t),
    constraintsSection(t),
    projectSection(t),
    scenarioSection(t, scenario, {
      examples: true,
      outputStructureLabel: 'When the task is done, its result should give:',
    }),
    outputFormatSection(t, maxSteps),
    '# What to do now\nDo not carry out the task yet and do not call tools. Analyse the task and ' +
      `answer only with its plan, in the output format above. ${TASK_IS_DATA}`,
  ]);
  return [
    { role: 'system', content: system },
    { role: 'user', content: wrapData('task', task) },
  ];
}

/** The corrective turn after an answer that could not be read as a plan. */
export function buildPlanCorrection(
  t: PromptTemplate,
  previousAnswer: string | null,
): ChatMessage[] {
  const shown = (previousAnswer ?? '').trim();
  const reminder =
    planAnswerFormat(t) === 'json'
      ? `only one JSON object with the fields ${PLAN_FIELDS.map((f) => `"${f}"`).join(', ')} - no other text`
      : `only the lines ${PLAN_FIELDS.map((f) => `${f.toUpperCase()}:`).join(', ')} - no other text`;
  return [
    { role: 'assistant', content: shown ? shown.slice(0, 2000) : '(empty answer)' },
    {
      role: 'user',
      content: `Your previous answer could not be read as the plan. Answer again with ${reminder}, as described in the output format.`,
    },
  ];
}

function outputFormatSection(t: PromptTemplate, maxSteps: number): string {
  const format = t.outputFormat;
  const describe = (field: string): string | undefined => {
    const entries = Object.entries(format.field_descriptions ?? {});
    return entries.find(([k]) => k.toLowerCase() === field.toLowerCase())?.[1]?.trim();
  };
  const extra = (format.required_fields ?? []).filter(
    (f) => !PLAN_FIELDS.some((p) => p === f.toLowerCase()),
  );
  if (planAnswerFormat(t) === 'json') {
    const lines = PLAN_FIELDS.map(
      (f) => `- "${f}" (${TYPES[f](maxSteps)}): ${describe(f) ?? DEFAULT_DESCRIPTIONS[f]}`,
    );
    for (const f of extra)
      lines.push(`- "${f.toLowerCase()}" (string, optional): ${describe(f) ?? ''}`.trimEnd());
    return (
      '# Output format\nAnswer with a single JSON object and nothing else - no prose and no code ' +
      `fence - with these fields:\n${lines.join('\n')}`
    );
  }
  const lines = PLAN_FIELDS.map(
    (f) =>
      `${f.toUpperCase()}: <${TEXT_HINTS[f](maxSteps)}> - ${describe(f) ?? DEFAULT_DESCRIPTIONS[f]}`,
  );
  for (const f of extra) lines.push(`${f.toUpperCase()}: ${describe(f) ?? ''}`.trimEnd());
  return `# Output format\nAnswer in exactly this format, one field per line and no other text:\n${lines.join('\n')}`;
}
