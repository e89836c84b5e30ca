import { Complexity } from '../contracts/task.types';
import { planComplexity, planRequirements, planSteps, planText } from './plan-fields';

/** The plan fields found in a model answer (each may be missing) and the form it came in. */
export interface ParsedPlan {
  understanding?: string;
  approach?: string;
  complexity?: Complexity;
  estimated_steps?: number;
  requirements?: string[];
  format: 'json' | 'fenced_json' | 'embedded_json' | 'text';
}

type Field =
  'understanding' | 'approach' | 'complexity' | 'estimated_steps' | 'requirements' | 'steps';

// JSON keys, compared lower-case without separators: "Estimated-Steps" → "estimatedsteps".
const JSON_KEYS: Record<string, Field> = {
  understanding: 'understanding',
  taskunderstanding: 'understanding',
  理解: 'understanding',
  任务理解: 'understanding',
  approach: 'approach',
  strategy: 'approach',
  solution: 'approach',
  方法: 'approach',
  方案: 'approach',
  思路: 'approach',
  complexity: 'complexity',
  difficulty: 'complexity',
  复杂度: 'complexity',
  estimatedsteps: 'estimated_steps',
  estimatedstepcount: 'estimated_steps',
  stepcount: 'estimated_steps',
  numberofsteps: 'estimated_steps',
  stepsestimate: 'estimated_steps',
  预计步骤: 'estimated_steps',
  步骤数: 'estimated_steps',
  requirements: 'requirements',
  requirement: 'requirements',
  dependencies: 'requirements',
  prerequisites: 'requirements',
  requiredtools: 'requirements',
  tools: 'requirements',
  需求: 'requirements',
  依赖: 'requirements',
  要求: 'requirements',
  steps: 'steps',
  plan: 'steps',
  步骤: 'steps',
  计划: 'steps',
};

// Text labels (the seed's UNDERSTANDING:, **Approach**:, ## Complexity …), start of line.
const TEXT_LABELS: ReadonlyArray<[RegExp, Field | 'other']> = [
  [/^(?:task\s+)?understanding|^任务理解|^理解/iu, 'understanding'],
  [/^(?:approach|strategy|solution)|^(?:解决)?方法|^方案|^思路/iu, 'approach'],
  [/^(?:complexity|difficulty)|^复杂度|^难度/iu, 'complexity'],
  [
    /^(?:estimated[\s_-]*steps|number of steps|step[\s_-]*count)|^预计步骤|^步骤数/iu,
    'estimated_steps',
  ],
  [
    /^(?:requirements?|dependencies|prerequisites|required tools)|^需求|^依赖|^要求/iu,
    'requirements',
  ],
  [/^(?:plan|steps)|^执行计划|^计划|^步骤/iu, 'steps'],
  [/^(?:execution|notes?|summary|risks?|output)/iu, 'other'],
];

const MAX_BRACE_CANDIDATES = 20;

/**
 * Reads a plan from a model answer: plain JSON, JSON in a ``` fence, JSON inside prose, or the
 * seed's labelled text. Returns null when no understanding or approach can be found; never
 * throws.
 */
export function parsePlanAnswer(answer: string | null | undefined): ParsedPlan | null {
  if (typeof answer !== 'string') return null;
  const text = answer
    .replace(/^\uFEFF/u, '')
    .replace(/<think>[\s\S]*?<\/think>/giu, '')
    .trim();
  if (!text) return null;

  const whole = planFromJsonText(text, 'json');
  if (whole) return whole;
  for (const m of text.matchAll(/```[^\n`]*\n([\s\S]*?)```/gu)) {
    const fenced = planFromJsonText(m[1], 'fenced_json');
    if (fenced) return fenced;
  }
  for (const candidate of braceBlocks(text)) {
    const embedded = planFromJsonText(candidate, 'embedded_json');
    if (embedded) return embedded;
  }
  return planFromLabelledText(text);
}

function planFromJsonText(text: string, format: ParsedPlan['format']): ParsedPlan | null {
  const value = parseJsonLeniently(text.trim());
  return value === undefined ? null : planFromValue(value, format, 0);
}

function planFromValue(
  value: unknown,
  format: ParsedPlan['format'],
  depth: number,
): ParsedPlan | null {
  if (depth > 2) return null;
  if (typeof value === 'string') {
    const inner = parseJsonLeniently(value.trim());
    return inner === undefined ? null : planFromValue(inner, format, depth + 1);
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const plan = planFromValue(item, format, depth + 1);
      if (plan) return plan;
    }
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const fields: Partial<Record<Field, unknown>> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field =
      JSON_KEYS[
        key
          .normalize('NFKC')
          .toLowerCase()
          .replace(/[\s_-]+/gu, '')
      ];
    if (field && fields[field] === undefined) fields[field] = v;
  }
  const plan = assemble(fields, format);
  if (plan) return plan;
  // a wrapper such as {"plan": {...}} or {"result": {...}}
  for (const v of Object.values(value as Record<string, unknown>)) {
    if (v && typeof v === 'object') {
      const inner = planFromValue(v, format, depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}

function assemble(
  fields: Partial<Record<Field, unknown>>,
  format: ParsedPlan['format'],
): ParsedPlan | null {
  const plan: ParsedPlan = { format };
  const understanding = planText(fields.understanding);
  let approach = planText(fields.approach);
  const steps = fields.steps;
  if (!approach && steps !== undefined && typeof steps !== 'number') approach = planText(steps);
  if (!understanding && !approach) return null;
  if (understanding) plan.understanding = understanding;
  if (approach) plan.approach = approach;
  const complexity = planComplexity(fields.complexity);
  if (complexity) plan.complexity = complexity;
  const estimated =
    planSteps(fields.estimated_steps) ??
    (typeof steps === 'number'
      ? planSteps(steps)
      : Array.isArray(steps) && steps.length
        ? steps.length
        : undefined);
  if (estimated !== undefined) plan.estimated_steps = estimated;
  if (fields.requirements !== undefined) plan.requirements = planRequirements(fields.requirements);
  return plan;
}

/** JSON.parse, then again after common slips: trailing commas, smart quotes, single quotes. */
function parseJsonLeniently(text: string): unknown {
  if (!text || !/^[[{"]/u.test(text)) return undefined;
  const attempts = [text];
  const repaired = text.replace(/[\u201C\u201D]/gu, '"').replace(/,\s*([}\]])/gu, '$1');
  attempts.push(repaired);
  if (!repaired.includes('"')) attempts.push(repaired.replace(/'/gu, '"'));
  for (const attempt of attempts) {
    try {
      return JSON.parse(attempt) as unknown;
    } catch {
      // try the next repair
    }
  }
  return undefined;
}

/** Balanced {...} blocks in prose, outermost first, ignoring braces inside strings. */
function braceBlocks(text: string): string[] {
  const blocks: string[] = [];
  let start = text.indexOf('{');
  while (start >= 0 && blocks.length < MAX_BRACE_CANDIDATES) {
    const end = matchingBrace(text, start);
    if (end < 0) break;
    blocks.push(text.slice(start, end + 1));
    start = text.indexOf('{', start + 1);
  }
  return blocks;
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

interface Section {
  field: Field | 'other';
  head: string;
  lines: string[];
}

function planFromLabelledText(text: string): ParsedPlan | null {
  const sections: Section[] = [];
  let current: Section | undefined;
  for (const raw of text.split(/\r?\n/u)) {
    if (/^\s*```/u.test(raw)) continue;
    const label = matchLabel(raw);
    if (label) {
      current = { field: label.field, head: label.rest, lines: [] };
      sections.push(current);
    } else if (current && raw.trim()) {
      current.lines.push(raw.trim());
    }
  }
  const fields: Partial<Record<Field, unknown>> = {};
  for (const s of sections) {
    if (s.field === 'other' || fields[s.field] !== undefined) continue;
    fields[s.field] = sectionValue(s);
  }
  const plan = assemble(fields, 'text');
  if (plan && fields.requirements === undefined) delete plan.requirements;
  return plan;
}

function sectionValue(s: Section): unknown {
  const all = [s.head, ...s.lines].filter((l) => l.length > 0);
  switch (s.field) {
    case 'requirements':
      return [...(s.head ? planRequirements(s.head) : []), ...s.lines];
    case 'steps':
      return s.lines.length ? [s.head, ...s.lines].filter(Boolean) : s.head;
    case 'complexity':
    case 'estimated_steps':
      return all[0];
    default: {
      const bulleted = s.lines.some((l) => /^(?:[-*+•]|\d+[.)])\s/u.test(l));
      return all.join(bulleted ? '\n' : ' ');
    }
  }
}

/** A label at the start of a line: `UNDERSTANDING:`, `**Approach**:`, `## Complexity`, `- Steps:`. */
function matchLabel(line: string): { field: Field | 'other'; rest: string } | null {
  let s = line.trim();
  const heading = /^#{1,6}\s*/u.exec(s);
  if (heading) s = s.slice(heading[0].length);
  s = s.replace(/^(?:[-+•]\s+|\d+[.)]\s+)/u, '');
  const emphasis = /^[*_]{1,3}/u.exec(s);
  if (emphasis) s = s.slice(emphasis[0].length);
  for (const [re, field] of TEXT_LABELS) {
    const m = re.exec(s);
    if (!m) continue;
    const after = /^[ \t]*[*_]{0,3}[ \t]*([:：])?[ \t]*[*_]{0,3}[ \t]*/u.exec(s.slice(m[0].length));
    const rest = s.slice(m[0].length + (after?.[0].length ?? 0)).trim();
    const colon = Boolean(after?.[1]);
    const closed = Boolean(emphasis) && /[*_]/u.test(after?.[0] ?? '');
    // "Approach is to…" is prose; a label ends in a colon, or is a heading or bold line alone
    if (colon || ((heading || closed) && !rest)) return { field, rest };
  }
  if (heading || /^[A-Z][A-Z _]{2,30}:/u.test(line.trim())) return { field: 'other', rest: '' };
  return null;
}
