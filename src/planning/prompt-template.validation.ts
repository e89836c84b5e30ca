import {
  GlobalTemplate,
  OutputFormat,
  ProjectRules,
  PromptExample,
  PromptTemplateData,
  ScenarioPrompt,
  TemplateIssue,
} from './prompt-template.types';

/**
 * Result of checking one parsed YAML document against the template shape (docs/prompts.md, Writing
 * a template).
 */
export interface TemplateValidation {
  data: PromptTemplateData;
  errors: TemplateIssue[];
  warnings: TemplateIssue[];
}

export const FORMAT_TYPES = ['json', 'structured_text', 'markdown', 'text'] as const;
/** Scenario keys are identifiers clients can send as `context.scenario`. */
export const SCENARIO_KEY = /^[a-z][a-z0-9_]{0,63}$/;
// Bounds what a hostile project file can make us report or walk.
const MAX_ISSUES = 50;

type Obj = Record<string, unknown>;

/**
 * Checks a parsed template document. Unknown keys are warnings (reported, never silently
 * dropped); wrong types are errors. `null` means "not set", as the seed's serializer writes it.
 */
export function validateTemplateData(raw: unknown, source: string): TemplateValidation {
  const v = new Validator(source);
  const data: PromptTemplateData = {};
  if (raw === null || raw === undefined) {
    v.warn('', 'the template is empty');
    return v.result(data);
  }
  if (!isObject(raw)) {
    v.error('', `expected a mapping with global, project and scenarios, got ${kind(raw)}`);
    return v.result(data);
  }
  v.unknownKeys(raw, '', ['global', 'project', 'scenarios']);
  const global = v.object(raw.global, 'global');
  if (global) data.global = readGlobal(v, global);
  const project = v.object(raw.project, 'project');
  if (project) data.project = readProject(v, project);
  const scenarios = v.object(raw.scenarios, 'scenarios');
  if (scenarios) {
    data.scenarios = {};
    for (const [key, value] of Object.entries(scenarios)) {
      const path = `scenarios.${key}`;
      if (!SCENARIO_KEY.test(key)) {
        v.error(path, 'scenario keys are lowercase letters, digits and _ (starting with a letter)');
        continue;
      }
      const s = v.object(value, path);
      if (s) data.scenarios[key] = readScenario(v, s, path);
    }
  }
  return v.result(data);
}

function readGlobal(v: Validator, o: Obj): GlobalTemplate {
  v.unknownKeys(o, 'global', ['system_role', 'output_format', 'constraints']);
  const g: GlobalTemplate = {};
  assign(g, 'system_role', v.string(o.system_role, 'global.system_role'));
  const f = v.object(o.output_format, 'global.output_format');
  if (f) g.output_format = readOutputFormat(v, f);
  assign(g, 'constraints', v.stringList(o.constraints, 'global.constraints'));
  return g;
}

function readOutputFormat(v: Validator, o: Obj): OutputFormat {
  const base = 'global.output_format';
  v.unknownKeys(o, base, ['format_type', 'required_fields', 'field_descriptions']);
  const f: OutputFormat = {};
  const type = v.string(o.format_type, `${base}.format_type`);
  if (type !== undefined) {
    const normalized = type.trim().toLowerCase();
    if ((FORMAT_TYPES as readonly string[]).includes(normalized)) f.format_type = normalized;
    else
      v.warn(
        `${base}.format_type`,
        `unknown format "${type}" (use ${FORMAT_TYPES.join(', ')}); json is used`,
      );
  }
  assign(f, 'required_fields', v.stringList(o.required_fields, `${base}.required_fields`));
  const d = v.object(o.field_descriptions, `${base}.field_descriptions`);
  if (d) {
    const descriptions: Record<string, string> = {};
    for (const [k, value] of Object.entries(d)) {
      const s = v.string(value, `${base}.field_descriptions.${k}`);
      if (s !== undefined) descriptions[k] = s;
    }
    f.field_descriptions = descriptions;
  }
  return f;
}

function readProject(v: Validator, o: Obj): ProjectRules {
  v.unknownKeys(o, 'project', ['tech_stack', 'conventions', 'context', 'architecture']);
  const p: ProjectRules = {};
  assign(p, 'tech_stack', v.stringList(o.tech_stack, 'project.tech_stack'));
  assign(p, 'conventions', v.stringList(o.conventions, 'project.conventions'));
  assign(p, 'context', v.string(o.context, 'project.context'));
  assign(p, 'architecture', v.string(o.architecture, 'project.architecture'));
  return p;
}

function readScenario(v: Validator, o: Obj, path: string): ScenarioPrompt {
  v.unknownKeys(o, path, [
    'name',
    'description',
    'instructions',
    'output_structure',
    'examples',
    'keywords',
  ]);
  const s: ScenarioPrompt = {};
  assign(s, 'name', v.string(o.name, `${path}.name`));
  assign(s, 'description', v.string(o.description, `${path}.description`));
  assign(s, 'instructions', v.stringList(o.instructions, `${path}.instructions`));
  assign(s, 'output_structure', v.string(o.output_structure, `${path}.output_structure`, true));
  assign(s, 'keywords', v.stringList(o.keywords, `${path}.keywords`));
  if (o.examples !== undefined && o.examples !== null) {
    if (!Array.isArray(o.examples))
      v.error(`${path}.examples`, `expected a list, got ${kind(o.examples)}`);
    else {
      const examples: PromptExample[] = [];
      o.examples.forEach((e, i) => {
        const ep = `${path}.examples[${i}]`;
        const eo = v.object(e, ep);
        if (!eo) return;
        v.unknownKeys(eo, ep, ['input', 'output']);
        const input = v.string(eo.input, `${ep}.input`);
        const output = v.string(eo.output, `${ep}.output`, true);
        if (input === undefined || output === undefined)
          v.error(ep, 'an example needs input and output');
        else examples.push({ input, output });
      });
      s.examples = examples;
    }
  }
  return s;
}

function assign<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (isObject(x)) return 'a mapping';
  return `a ${typeof x}`;
}

class Validator {
  private readonly errors: TemplateIssue[] = [];
  private readonly warnings: TemplateIssue[] = [];

  constructor(private readonly source: string) {}

  result(data: PromptTemplateData): TemplateValidation {
    return { data, errors: this.errors, warnings: this.warnings };
  }

  error(path: string, message: string): void {
    if (this.errors.length < MAX_ISSUES) this.errors.push({ source: this.source, path, message });
  }

  warn(path: string, message: string): void {
    if (this.warnings.length < MAX_ISSUES)
      this.warnings.push({ source: this.source, path, message });
  }

  unknownKeys(o: Obj, base: string, known: string[]): void {
    for (const key of Object.keys(o)) {
      if (!known.includes(key)) {
        this.warn(
          base ? `${base}.${key}` : key,
          `unknown key (expected one of: ${known.join(', ')}); ignored`,
        );
      }
    }
  }

  /** A mapping, or undefined when absent/null (error when of another type). */
  object(x: unknown, path: string): Obj | undefined {
    if (x === undefined || x === null) return undefined;
    if (isObject(x)) return x;
    this.error(path, `expected a mapping, got ${kind(x)}`);
    return undefined;
  }

  /** A string; numbers and booleans are read as text; mappings only where `allowObject`. */
  string(x: unknown, path: string, allowObject = false): string | undefined {
    if (x === undefined || x === null) return undefined;
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    if (allowObject && (isObject(x) || Array.isArray(x))) return JSON.stringify(x, null, 2);
    this.error(path, `expected text, got ${kind(x)}`);
    return undefined;
  }

  /** A list of strings; a single string is accepted as a one-item list, with a warning. */
  stringList(x: unknown, path: string): string[] | undefined {
    if (x === undefined || x === null) return undefined;
    if (typeof x === 'string') {
      this.warn(path, 'expected a list; read as a one-item list');
      return [x];
    }
    if (!Array.isArray(x)) {
      this.error(path, `expected a list of text, got ${kind(x)}`);
      return undefined;
    }
    const out: string[] = [];
    x.forEach((item, i) => {
      const s = this.string(item, `${path}[${i}]`);
      if (s !== undefined) out.push(s);
    });
    return out;
  }
}
