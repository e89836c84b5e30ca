import { Complexity } from '../contracts/task.types';

/** Longest understanding/approach kept from a model answer. */
export const MAX_PLAN_TEXT = 4000;
/** Most requirements kept, and the longest one. */
export const MAX_REQUIREMENTS = 50;
export const MAX_REQUIREMENT_TEXT = 500;

const COMPLEXITY_WORDS: ReadonlyArray<[RegExp, Complexity]> = [
  [/^(?:simple|easy|trivial|low|basic|straightforward|small|简单|容易|低)/u, 'simple'],
  [/^(?:moderate|medium|intermediate|average|normal|mid|中等|一般|中)/u, 'moderate'],
  [/^(?:complex|hard|difficult|high|advanced|large|very complex|复杂|困难|高)/u, 'complex'],
];

const NONE = /^(?:none|n\/a|na|nothing|no requirements|not applicable|无|没有|暂无)\.?$/iu;

/** Text from a model value: strings trimmed, numbers as text, arrays joined; else undefined. */
export function planText(value: unknown): string | undefined {
  if (typeof value === 'string') return clip(value.trim(), MAX_PLAN_TEXT) || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => planText(v)).filter((v): v is string => !!v);
    if (!items.length) return undefined;
    return clip(items.map((v, i) => `${i + 1}. ${v}`).join('\n'), MAX_PLAN_TEXT);
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of ['text', 'description', 'summary', 'value']) {
      if (typeof o[key] === 'string') return planText(o[key]);
    }
  }
  return undefined;
}

/** simple|moderate|complex from words in English or Chinese, any case, or a 1–10 rating. */
export function planComplexity(value: unknown): Complexity | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return complexityFromRating(value);
  if (typeof value !== 'string') return undefined;
  const word = value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^[\s*_"'`[(]+/u, '')
    .trim();
  for (const [re, complexity] of COMPLEXITY_WORDS) if (re.test(word)) return complexity;
  const rating = /^(\d+(?:\.\d+)?)\s*(?:\/\s*10)?/u.exec(word);
  return rating ? complexityFromRating(Number(rating[1])) : undefined;
}

/** A step count from a number or text such as "3", "3-5 steps", "about 4". */
export function planSteps(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const numbers = value.normalize('NFKC').match(/\d+(?:\.\d+)?/gu);
  if (!numbers) return undefined;
  // "3-5 steps": plan for the upper end
  return Math.round(Math.max(...numbers.slice(0, 2).map(Number)));
}

/** A clean list from an array, or from text split on commas, semicolons or new lines. */
export function planRequirements(value: unknown): string[] {
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'string') items = value.split(/[\n,;，；、]/u);
  else if (value && typeof value === 'object') {
    items = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
      typeof v === 'string' ? `${k}: ${v}` : k,
    );
  } else return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    const text = requirementText(item);
    if (!text || NONE.test(text) || seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    out.push(clip(text, MAX_REQUIREMENT_TEXT));
    if (out.length >= MAX_REQUIREMENTS) break;
  }
  return out;
}

/** The estimate that goes with a complexity when the model gave none (the seed's 1/5/10). */
export function stepsForComplexity(complexity: Complexity): number {
  return { simple: 1, moderate: 5, complex: 10 }[complexity];
}

/** The complexity that goes with a step estimate when the model gave none. */
export function complexityForSteps(steps: number): Complexity {
  if (steps <= 2) return 'simple';
  return steps <= 6 ? 'moderate' : 'complex';
}

function requirementText(item: unknown): string | undefined {
  if (typeof item === 'string') return stripBullet(item);
  if (typeof item === 'number') return String(item);
  if (item && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    for (const key of ['name', 'requirement', 'tool', 'description', 'path', 'command']) {
      if (typeof o[key] === 'string') return stripBullet(o[key] as string);
    }
    return JSON.stringify(item);
  }
  return undefined;
}

function stripBullet(s: string): string {
  return s
    .trim()
    .replace(/^(?:[-*+•]|\d+[.)、])\s*/u, '')
    .replace(/^`(.*)`$/u, '$1')
    .trim();
}

function complexityFromRating(n: number): Complexity {
  if (n <= 3) return 'simple';
  return n <= 6 ? 'moderate' : 'complex';
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
