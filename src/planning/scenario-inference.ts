import {
  DATA_FILE_EXTENSIONS,
  LEADING_TERM_BONUS,
  NEUTRAL_TERMS,
  SCENARIO_PRIORITY,
  SCENARIO_TERMS,
  STRONG_SCORE,
} from './scenario-keywords';

/** The scenario picked for a task and how sure the pick is (0..1). */
export interface ScenarioChoice {
  /** A scenario key of the template, or null when nothing pointed to one. */
  scenario: string | null;
  confidence: number;
  /** True when the client named the scenario (`context.scenario`). */
  forced: boolean;
  /** Score per scenario that scored at all (for logs and tests). */
  scores: Record<string, number>;
}

export interface InferenceOptions {
  /** Scenario keys that may be picked (the template's); default: the nine built-ins. */
  known?: readonly string[];
  /** Extra words or phrases per scenario (a template's `keywords`), weight 2 each. */
  keywords?: Readonly<Record<string, readonly string[] | undefined>>;
}

interface CompiledTerm {
  scenario: string | null;
  id: string;
  weight: number;
  regex: RegExp;
}

interface Match {
  start: number;
  end: number;
  term: CompiledTerm;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
const KEYWORD_WEIGHT = 2;
const FILE_NAME_WEIGHT = 1;
const FILE_STEM = /^[\w.-]+$/u;
const TOKEN_EDGE = /^[^\w.-]+|[^\w.-]+$/gu;
const POLITE_PREFIX =
  /^(?:(?:please|pls|kindly|can you|could you|would you|help me|i want you to|i need you to|let's|lets|请|帮我|请帮我|麻烦|帮忙)[\s,，]*)*/u;

const BUILT_IN_TERMS: CompiledTerm[] = [
  ...Object.entries(SCENARIO_TERMS).flatMap(([scenario, terms]) =>
    terms.map(([pattern, weight], i) => compile(scenario, `${scenario}#${i}`, pattern, weight)),
  ),
  ...NEUTRAL_TERMS.map((t, i) => compile(null, `neutral#${i}`, escapeRegex(t), 0)),
];

/**
 * Picks the scenario of a task from whole-word and phrase matches in English and Chinese,
 * scored per scenario; ties go to the more specific scenario (SCENARIO_PRIORITY). Returns
 * `scenario: null` when nothing scores.
 */
export function inferScenario(task: string, options: InferenceOptions = {}): ScenarioChoice {
  const scores = scoreScenarios(task, options);
  const order = priorityOrder(options.known);
  let best: string | null = null;
  for (const key of order) {
    if ((scores[key] ?? 0) > (best ? scores[best] : 0)) best = key;
  }
  if (!best) return { scenario: null, confidence: 0, forced: false, scores };
  const top = scores[best];
  const total = Object.values(scores).reduce((a, b) => a + b, 0);
  const confidence = (top / total) * Math.min(1, top / STRONG_SCORE);
  return { scenario: best, confidence: Math.round(confidence * 100) / 100, forced: false, scores };
}

/** Score per scenario (only scenarios that scored appear). */
export function scoreScenarios(
  task: string,
  options: InferenceOptions = {},
): Record<string, number> {
  const text = prepare(task);
  const known = options.known ? new Set(options.known) : undefined;
  const terms = [...BUILT_IN_TERMS, ...keywordTerms(options.keywords)].filter(
    (t) => t.scenario === null || !known || known.has(t.scenario),
  );
  const accepted = acceptLongestMatches(collectMatches(text, terms), text.length);
  const leading = text.match(POLITE_PREFIX)?.[0].length ?? 0;

  const scores: Record<string, number> = {};
  const counted = new Set<string>();
  const bonused = new Set<string>();
  for (const m of accepted) {
    const scenario = m.term.scenario;
    if (scenario === null || counted.has(m.term.id)) continue;
    counted.add(m.term.id);
    let points = m.term.weight;
    if (m.start === leading && !bonused.has(scenario)) {
      bonused.add(scenario);
      points += LEADING_TERM_BONUS;
    }
    scores[scenario] = (scores[scenario] ?? 0) + points;
  }
  if ((!known || known.has('file_operations')) && hasDataFileName(text)) {
    scores.file_operations = (scores.file_operations ?? 0) + FILE_NAME_WEIGHT;
  }
  return scores;
}

/** Lower-case, NFKC, one space between words, paths reduced to their last segment. */
function prepare(task: string): string {
  // token by token, so the work stays linear in the length of the task
  return task
    .normalize('NFKC')
    .toLowerCase()
    .split(/\s+/u)
    .map((token) =>
      /[\\/]/u.test(token)
        ? (token
            .split(/[\\/]+/u)
            .filter(Boolean)
            .pop() ?? '')
        : token,
    )
    .filter(Boolean)
    .join(' ');
}

/** A word such as notes.txt or config.yaml: a data or text file. */
function hasDataFileName(text: string): boolean {
  return text.split(' ').some((token) => {
    const word = token.replace(TOKEN_EDGE, '');
    const dot = word.lastIndexOf('.');
    return dot > 0 && DATA_FILE_EXTENSIONS.has(word.slice(dot + 1)) && FILE_STEM.test(word);
  });
}

function collectMatches(text: string, terms: CompiledTerm[]): Match[] {
  const matches: Match[] = [];
  for (const term of terms) {
    term.regex.lastIndex = 0;
    for (const m of text.matchAll(term.regex)) {
      if (m[0].length) matches.push({ start: m.index, end: m.index + m[0].length, term });
    }
  }
  return matches;
}

/**
 * Longer matches first; a shorter match inside (or overlapping) an accepted one is dropped.
 * The same span may score for several scenarios. Linear in the text: terms are short.
 */
function acceptLongestMatches(matches: Match[], textLength: number): Match[] {
  matches.sort(
    (a, b) =>
      b.end - b.start - (a.end - a.start) || b.term.weight - a.term.weight || a.start - b.start,
  );
  const covered = new Uint8Array(textLength);
  const spans = new Set<string>();
  const accepted: Match[] = [];
  for (const m of matches) {
    const span = `${m.start}:${m.end}`;
    if (!spans.has(span)) {
      if (covered.subarray(m.start, m.end).some((c) => c === 1)) continue;
      covered.fill(1, m.start, m.end);
      spans.add(span);
    }
    accepted.push(m);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

function priorityOrder(known: readonly string[] | undefined): string[] {
  const builtIn = SCENARIO_PRIORITY.filter((s) => !known || known.includes(s));
  return [...builtIn, ...(known ?? []).filter((s) => !builtIn.includes(s as never))];
}

function keywordTerms(keywords: InferenceOptions['keywords']): CompiledTerm[] {
  if (!keywords) return [];
  return Object.entries(keywords).flatMap(([scenario, words]) =>
    (words ?? [])
      .map((w) => w.normalize('NFKC').toLowerCase().trim().replace(/\s+/gu, ' '))
      .filter((w) => w.length > 0)
      .map((w, i) => compile(scenario, `${scenario}#kw${i}`, escapeRegex(w), KEYWORD_WEIGHT)),
  );
}

function compile(
  scenario: string | null,
  id: string,
  pattern: string,
  weight: number,
): CompiledTerm {
  const regex = CJK.test(pattern) ? new RegExp(pattern, 'gu') : wordRegex(pattern);
  return { scenario, id, weight, regex };
}

/** Whole words only: no Latin letter, digit or _ right before or after the match. */
function wordRegex(pattern: string): RegExp {
  return new RegExp(
    `(?<![\\p{Script=Latin}\\p{N}_])(?:${pattern})(?![\\p{Script=Latin}\\p{N}_])`,
    'gu',
  );
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
