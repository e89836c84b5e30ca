import { readFileSync, writeFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { builtInTemplatePath } from './package-root';
import { PromptTemplateError } from './prompt-template.error';
import {
  GlobalTemplate,
  OutputFormat,
  ProjectDocument,
  ProjectRules,
  PromptTemplateData,
  ScenarioPrompt,
  TemplateIssue,
} from './prompt-template.types';
import { validateTemplateData } from './prompt-template.validation';
import { mergeTemplateData } from './template-merge';

/** Largest template file read (a template is prose; anything bigger is a mistake). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

let builtIn: PromptTemplate | undefined;

/**
 * A prompt template (docs/prompts.md): one YAML layer, or several merged. Immutable: `merge` and
 * `withProjectDocument` return new templates. Unknown keys found while loading are kept in
 * `warnings`; structural errors throw `PromptTemplateError`.
 */
export class PromptTemplate {
  private constructor(
    private readonly content: PromptTemplateData,
    /** The files (or labels) this template was built from, lowest layer first. */
    readonly sources: readonly string[],
    readonly warnings: readonly TemplateIssue[],
    /** Project notes found in the working directory (AGENTS.md). */
    readonly projectDocuments: readonly ProjectDocument[] = [],
  ) {
    deepFreeze(content);
  }

  /** Builds a template from parsed YAML/JSON data; throws PromptTemplateError when invalid. */
  static fromObject(raw: unknown, source = 'inline'): PromptTemplate {
    const { data, errors, warnings } = validateTemplateData(raw, source);
    if (errors.length) throw new PromptTemplateError(source, errors);
    return new PromptTemplate(data, [source], warnings);
  }

  /** Parses YAML text (seed-compatible). */
  static parse(text: string, source = 'inline'): PromptTemplate {
    let raw: unknown;
    try {
      raw = yaml.load(text, { filename: source });
    } catch (e) {
      throw new PromptTemplateError(source, [
        { source, path: '', message: `not valid YAML: ${(e as Error).message}` },
      ]);
    }
    return PromptTemplate.fromObject(raw, source);
  }

  /** Reads one template file (the seed's `PromptTemplate::from_file`). */
  static fromFile(path: string): PromptTemplate {
    let text: string;
    try {
      const bytes = readFileSync(path);
      if (bytes.length > MAX_TEMPLATE_BYTES) {
        throw new Error(`larger than ${MAX_TEMPLATE_BYTES} bytes`);
      }
      text = bytes.toString('utf8');
    } catch (e) {
      throw new PromptTemplateError(path, [
        { source: path, path: '', message: `cannot read: ${(e as Error).message}` },
      ]);
    }
    return PromptTemplate.parse(text, path);
  }

  /** The built-in prompts/default.yaml shipped with the package (read once). */
  static builtIn(): PromptTemplate {
    return (builtIn ??= PromptTemplate.fromFile(builtInTemplatePath()));
  }

  /** A template with nothing in it (renders with generic wording). */
  static empty(source = 'empty'): PromptTemplate {
    return new PromptTemplate({}, [source], []);
  }

  /** This template with `overlay` laid over it (see mergeTemplateData for the rules). */
  merge(overlay: PromptTemplate): PromptTemplate {
    return new PromptTemplate(
      mergeTemplateData(this.content, overlay.content),
      [...this.sources, ...overlay.sources],
      [...this.warnings, ...overlay.warnings],
      [...this.projectDocuments, ...overlay.projectDocuments],
    );
  }

  /** This template plus a project document (AGENTS.md) rendered as project context. */
  withProjectDocument(doc: ProjectDocument): PromptTemplate {
    return new PromptTemplate(this.content, [...this.sources, doc.source], this.warnings, [
      ...this.projectDocuments,
      doc,
    ]);
  }

  /** This template with extra warnings attached (e.g. a layer file that was skipped). */
  withWarnings(extra: TemplateIssue[]): PromptTemplate {
    if (!extra.length) return this;
    return new PromptTemplate(
      this.content,
      this.sources,
      [...this.warnings, ...extra],
      this.projectDocuments,
    );
  }

  /** The template data (frozen; clone before changing). */
  get data(): Readonly<PromptTemplateData> {
    return this.content;
  }

  get global(): Readonly<GlobalTemplate> {
    return this.content.global ?? {};
  }

  get outputFormat(): Readonly<OutputFormat> {
    return this.content.global?.output_format ?? {};
  }

  get project(): Readonly<ProjectRules> | undefined {
    return this.content.project;
  }

  /** Scenario keys in file order. */
  scenarioKeys(): string[] {
    return Object.keys(this.content.scenarios ?? {});
  }

  scenario(key: string): Readonly<ScenarioPrompt> | undefined {
    const scenarios = this.content.scenarios ?? {};
    return Object.prototype.hasOwnProperty.call(scenarios, key) ? scenarios[key] : undefined;
  }

  hasScenario(key: string): boolean {
    return this.scenario(key) !== undefined;
  }

  /** YAML text in the seed's layout (global, project, scenarios). */
  toYaml(): string {
    return yaml.dump(this.content, { noRefs: true, lineWidth: 100, sortKeys: false });
  }

  /** Writes the template as YAML (the seed's `PromptTemplate::to_file`). */
  toFile(path: string): void {
    writeFileSync(path, this.toYaml(), 'utf8');
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
