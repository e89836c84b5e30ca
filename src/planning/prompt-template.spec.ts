import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS } from '../contracts/task.types';
import { packageRoot } from './package-root';
import { parsePlanAnswer } from './plan-parser';
import { PromptTemplate } from './prompt-template';
import { PromptTemplateError } from './prompt-template.error';

const SEED_STYLE = `
global:
  system_role: You are a Rust expert.
  output_format:
    format_type: structured_text
    required_fields: [UNDERSTANDING, APPROACH, PLAN, EXECUTION]
    field_descriptions:
      UNDERSTANDING: Brief understanding of the task
      APPROACH: High-level approach
  constraints:
    - Use idiomatic Rust
project: null
scenarios:
  code_generation:
    name: Code Generation
    description: Generate new code
    instructions:
      - Follow Rust conventions
    output_structure: null
    examples: []
`;

describe('PromptTemplate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prompt-template-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('the built-in prompts/default.yaml', () => {
    const builtIn = PromptTemplate.builtIn();

    it('loads without warnings and has a role, an output format and constraints', () => {
      expect(builtIn.warnings).toEqual([]);
      expect(builtIn.global.system_role).toMatch(/agent/i);
      expect(builtIn.outputFormat.format_type).toBe('json');
      expect(builtIn.outputFormat.required_fields).toEqual([
        'understanding',
        'approach',
        'complexity',
        'estimated_steps',
        'requirements',
      ]);
      expect(builtIn.global.constraints!.length).toBeGreaterThan(3);
    });

    it('has the nine scenarios, each complete, in the order of docs/prompts.md', () => {
      expect(builtIn.scenarioKeys()).toEqual([...SCENARIOS]);
      for (const key of SCENARIOS) {
        const s = builtIn.scenario(key)!;
        expect(s.name).toBeTruthy();
        expect(s.description).toBeTruthy();
        expect(s.instructions!.length).toBeGreaterThanOrEqual(3);
        expect(s.output_structure).toBeTruthy();
        expect(s.examples).toHaveLength(1);
      }
    });

    it.each([...SCENARIOS])('%s: its example answer is a full plan our parser reads', (key) => {
      const example = PromptTemplate.builtIn().scenario(key)!.examples![0];
      const plan = parsePlanAnswer(example.output)!;
      expect(plan.format).toBe('json');
      expect(plan.understanding && plan.approach && plan.complexity).toBeTruthy();
      expect(plan.estimated_steps).toBeGreaterThan(0);
      expect(Array.isArray(plan.requirements)).toBe(true);
    });
  });

  it('reads a seed-style template (nulls, upper-case fields, structured_text)', () => {
    const t = PromptTemplate.parse(SEED_STYLE, 'seed.yaml');
    expect(t.warnings).toEqual([]);
    expect(t.project).toBeUndefined();
    expect(t.outputFormat.format_type).toBe('structured_text');
    expect(t.scenario('code_generation')).toEqual({
      name: 'Code Generation',
      description: 'Generate new code',
      instructions: ['Follow Rust conventions'],
      examples: [],
    });
  });

  it('reports unknown keys as warnings with their path, and keeps the rest', () => {
    const t = PromptTemplate.parse(
      `
global:
  system_role: r
  temperature: 0.2
projects: {}
scenarios:
  testing:
    name: T
    instructionz: [x]
`,
      'x.yaml',
    );
    expect(t.warnings.map((w) => w.path)).toEqual([
      'projects',
      'global.temperature',
      'scenarios.testing.instructionz',
    ]);
    expect(t.warnings.every((w) => w.source === 'x.yaml' && /unknown key/.test(w.message))).toBe(
      true,
    );
    expect(t.global.system_role).toBe('r');
    expect(t.scenario('testing')!.name).toBe('T');
  });

  it('refuses wrong types, listing every problem with its path', () => {
    let error: PromptTemplateError | undefined;
    try {
      PromptTemplate.parse(
        `
global:
  system_role: [not, text]
  constraints: {a: 1}
scenarios:
  Bad-Key: {}
  testing:
    examples:
      - input: only input
`,
        'bad.yaml',
      );
    } catch (e) {
      error = e as PromptTemplateError;
    }
    expect(error).toBeInstanceOf(PromptTemplateError);
    expect(error!.issues.map((i) => i.path)).toEqual([
      'global.system_role',
      'global.constraints',
      'scenarios.Bad-Key',
      'scenarios.testing.examples[0]',
    ]);
  });

  it.each([
    ['not YAML', 'global: [unclosed', /not valid YAML/],
    ['a list at the top', '- a\n- b', /expected a mapping/],
    ['a scalar at the top', 'just text', /expected a mapping/],
  ])('refuses %s', (_label, text, message) => {
    expect(() => PromptTemplate.parse(text, 't.yaml')).toThrow(message);
  });

  it('is lenient where the meaning is clear', () => {
    const t = PromptTemplate.parse(
      `
global:
  constraints: Only one constraint
scenarios:
  testing:
    name: 42
    examples:
      - input: Add a test
        output: {understanding: U, approach: A}
`,
      'lenient.yaml',
    );
    expect(t.global.constraints).toEqual(['Only one constraint']);
    expect(t.warnings.map((w) => w.path)).toEqual(['global.constraints']);
    expect(t.scenario('testing')!.name).toBe('42');
    expect(JSON.parse(t.scenario('testing')!.examples![0].output)).toEqual({
      understanding: 'U',
      approach: 'A',
    });
  });

  it('warns about an empty file and about an unknown format_type', () => {
    expect(PromptTemplate.parse('', 'empty.yaml').warnings[0].message).toMatch(/empty/);
    const t = PromptTemplate.parse('global:\n  output_format:\n    format_type: xml\n', 'f.yaml');
    expect(t.outputFormat.format_type).toBeUndefined();
    expect(t.warnings[0].path).toBe('global.output_format.format_type');
  });

  it('writes and reads back the same template (toFile / fromFile)', () => {
    const file = join(dir, 'round-trip.yaml');
    PromptTemplate.builtIn().toFile(file);
    const back = PromptTemplate.fromFile(file);
    expect(back.data).toEqual(PromptTemplate.builtIn().data);
    expect(back.sources).toEqual([file]);
  });

  it('fromFile names the file when it cannot be read', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => PromptTemplate.fromFile(missing)).toThrow(PromptTemplateError);
    expect(() => PromptTemplate.fromFile(missing)).toThrow(missing);
  });

  describe('merge', () => {
    const base = PromptTemplate.parse(
      `
global:
  system_role: Base role
  constraints: [Be safe, Be brief]
  output_format:
    field_descriptions: {understanding: base u, approach: base a}
project:
  tech_stack: [Node]
  context: Base context
scenarios:
  testing:
    name: Testing
    instructions: [Use jest]
    examples: [{input: i, output: o}]
`,
      'base.yaml',
    );
    const overlay = PromptTemplate.parse(
      `
global:
  system_role: Overlay role
  constraints: [Be brief, Use TypeScript]
  output_format:
    field_descriptions: {approach: overlay a}
project:
  tech_stack: [Node, NestJS]
  conventions: [Class per file]
  context: Overlay context
scenarios:
  testing:
    instructions: [Use jest, Name the subject sut]
  migration:
    name: Migration
    keywords: [migrate]
`,
      'overlay.yaml',
    );
    const merged = base.merge(overlay);

    it('replaces single settings and accumulates lists without duplicates', () => {
      expect(merged.global.system_role).toBe('Overlay role');
      expect(merged.global.constraints).toEqual(['Be safe', 'Be brief', 'Use TypeScript']);
      expect(merged.outputFormat.field_descriptions).toEqual({
        understanding: 'base u',
        approach: 'overlay a',
      });
      expect(merged.project).toEqual({
        tech_stack: ['Node', 'NestJS'],
        conventions: ['Class per file'],
        context: 'Base context\n\nOverlay context',
      });
    });

    it('merges scenarios key by key and adds new ones', () => {
      expect(merged.scenario('testing')).toEqual({
        name: 'Testing',
        instructions: ['Use jest', 'Name the subject sut'],
        examples: [{ input: 'i', output: 'o' }],
      });
      expect(merged.scenarioKeys()).toEqual(['testing', 'migration']);
      expect(merged.sources).toEqual(['base.yaml', 'overlay.yaml']);
    });

    it('leaves both layers unchanged (templates are immutable)', () => {
      expect(base.global.system_role).toBe('Base role');
      expect(base.scenarioKeys()).toEqual(['testing']);
      expect(Object.isFrozen(merged.data.global!.constraints)).toBe(true);
    });
  });

  it('ships example templates that load cleanly over the built-in one', () => {
    const examples = join(packageRoot(), 'prompts', 'examples');
    const files = readdirSync(examples).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const t = PromptTemplate.builtIn().merge(PromptTemplate.fromFile(join(examples, f)));
      expect(t.warnings).toEqual([]);
      expect(t.project?.tech_stack?.length).toBeGreaterThan(0);
    }
  });
});
