import {
  PromptExample,
  PromptTemplateData,
  ProjectRules,
  ScenarioPrompt,
} from './prompt-template.types';

/**
 * Lays `overlay` over `base` (docs/prompts.md, The layers): single settings (system_role,
 * format_type, a scenario's name, description, output_structure) are replaced; lists (constraints,
 * conventions, tech_stack, required_fields, instructions, examples, keywords) and the project's
 * context and architecture texts accumulate, without duplicates; maps merge key by key.
 */
export function mergeTemplateData(
  base: PromptTemplateData,
  overlay: PromptTemplateData,
): PromptTemplateData {
  const out: PromptTemplateData = structuredClone(base);
  if (overlay.global) {
    const g = (out.global ??= {});
    const o = overlay.global;
    if (o.system_role !== undefined) g.system_role = o.system_role;
    g.constraints = union(g.constraints, o.constraints);
    if (o.output_format) {
      const f = (g.output_format ??= {});
      const of = o.output_format;
      if (of.format_type !== undefined) f.format_type = of.format_type;
      f.required_fields = union(f.required_fields, of.required_fields);
      if (of.field_descriptions) {
        f.field_descriptions = { ...f.field_descriptions, ...of.field_descriptions };
      }
    }
    prune(g);
  }
  if (overlay.project) out.project = mergeProject(out.project ?? {}, overlay.project);
  if (overlay.scenarios) {
    const scenarios = (out.scenarios ??= {});
    for (const [key, s] of Object.entries(overlay.scenarios)) {
      scenarios[key] = mergeScenario(scenarios[key] ?? {}, s);
    }
  }
  return out;
}

function mergeProject(base: ProjectRules, o: ProjectRules): ProjectRules {
  const p: ProjectRules = { ...base };
  p.tech_stack = union(base.tech_stack, o.tech_stack);
  p.conventions = union(base.conventions, o.conventions);
  p.context = joinText(base.context, o.context);
  p.architecture = joinText(base.architecture, o.architecture);
  prune(p);
  return p;
}

function mergeScenario(base: ScenarioPrompt, o: ScenarioPrompt): ScenarioPrompt {
  const s: ScenarioPrompt = { ...base };
  if (o.name !== undefined) s.name = o.name;
  if (o.description !== undefined) s.description = o.description;
  if (o.output_structure !== undefined) s.output_structure = o.output_structure;
  s.instructions = union(base.instructions, o.instructions);
  s.keywords = union(base.keywords, o.keywords);
  s.examples = unionExamples(base.examples, o.examples);
  prune(s);
  return s;
}

function union(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a && !b) return undefined;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of [...(a ?? []), ...(b ?? [])]) {
    const key = item.trim();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

function unionExamples(
  a: PromptExample[] | undefined,
  b: PromptExample[] | undefined,
): PromptExample[] | undefined {
  if (!a && !b) return undefined;
  const seen = new Set<string>();
  return [...(a ?? []), ...(b ?? [])].filter((e) => {
    const key = `${e.input.trim()}\u0000${e.output.trim()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function joinText(a: string | undefined, b: string | undefined): string | undefined {
  if (!a?.trim()) return b;
  if (!b?.trim() || a.includes(b.trim())) return a;
  return `${a.trimEnd()}\n\n${b.trim()}`;
}

function prune(o: object): void {
  const rec = o as Record<string, unknown>;
  for (const key of Object.keys(rec)) if (rec[key] === undefined) delete rec[key];
}
