import { Injectable, Logger } from '@nestjs/common';
import { isAbsolute, join, resolve } from 'node:path';
import { TaskPlan } from '../contracts/task.types';
import { AppConfigService } from '../config/app-config.service';
import { ChatMessage, LanguageModel } from '../model/language-model';
import { buildAgentMessages } from './agent-prompt.builder';
import { builtInTemplatePath } from './package-root';
import { LayerFile, PromptLayerLoader } from './prompt-layer.loader';
import { MAX_TEMPLATE_BYTES, PromptTemplate } from './prompt-template';
import { ProjectDocument, TemplateIssue } from './prompt-template.types';
import { chooseScenario } from './scenario-choice';
import { ScenarioChoice } from './scenario-inference';
import { UnderstandingEngine, UnderstandingOptions } from './understanding-engine';

/** Largest project template read from a working directory. */
export const MAX_PROJECT_TEMPLATE_BYTES = 256 * 1024;
/** Largest part of AGENTS.md put into the prompt (the rest is cut, with a marker). */
export const MAX_PROJECT_NOTES_BYTES = 32 * 1024;
/** The project notes file looked for in the working directory. */
export const PROJECT_NOTES_FILE = 'AGENTS.md';
const MAX_CACHED_DIRECTORIES = 256;

/**
 * The prompt layers for a task (docs/prompts.md, The layers): built-in prompts/default.yaml ←
 * `prompts.template` ← the project file and AGENTS.md in the task's working directory. Settings are
 * read at call time and files re-read when they change, so edits apply to the next task without a
 * restart.
 */
@Injectable()
export class PromptService {
  private readonly logger = new Logger(PromptService.name);
  private readonly loader = new PromptLayerLoader();
  private readonly merged = new Map<string, { key: string; template: PromptTemplate }>();

  constructor(private readonly config: AppConfigService) {}

  /** The merged template for a working directory (or only the service layers without one). */
  resolveTemplate(workingDirectory?: string | null): PromptTemplate {
    const layers = this.serviceLayers();
    let project: LayerFile<PromptTemplate> | undefined;
    let notes: LayerFile<ProjectDocument> | undefined;
    const dir = workingDirectory ? resolve(workingDirectory) : undefined;
    if (dir) {
      const projectFile = this.config.get('prompts').project_file;
      project = this.loader.template(resolve(dir, projectFile), {
        maxBytes: MAX_PROJECT_TEMPLATE_BYTES,
        within: dir,
      });
      notes = this.loader.document(join(dir, PROJECT_NOTES_FILE), {
        maxBytes: MAX_PROJECT_NOTES_BYTES,
        within: dir,
      });
    }
    const all: LayerFile<PromptTemplate | ProjectDocument>[] = [...layers, project, notes].filter(
      (l): l is LayerFile<PromptTemplate> | LayerFile<ProjectDocument> => !!l,
    );
    for (const layer of all) {
      if (!layer.fresh) continue;
      if (layer.issue) this.report(layer.issue, 'prompt layer skipped');
      const warnings = layer.value instanceof PromptTemplate ? layer.value.warnings : [];
      for (const w of warnings) this.report(w, 'prompt template warning');
    }

    const key = all.map((l) => l.stamp).join('\n');
    const cacheKey = dir ?? '';
    const hit = this.merged.get(cacheKey);
    if (hit && hit.key === key) return hit.template;

    const [builtIn, configured] = layers;
    if (!builtIn.value)
      throw new Error(`built-in prompt template unusable: ${builtIn.issue?.message}`);
    let template = builtIn.value;
    if (configured?.value) template = template.merge(configured.value);
    if (project?.value) template = template.merge(project.value);
    if (notes?.value) template = template.withProjectDocument(notes.value);
    template = template.withWarnings(
      all.map((l) => l.issue).filter((i): i is TemplateIssue => !!i),
    );
    this.remember(cacheKey, key, template);
    return template;
  }

  /** Scenario keys a client may name in `context.scenario`. */
  knownScenarios(template: PromptTemplate = this.resolveTemplate()): string[] {
    return template.scenarioKeys();
  }

  /**
   * `forced` (context.scenario) when given - InvalidRequestError if the template has no such
   * scenario - else the scenario inferred from the task's words (null when none scores).
   */
  inferScenario(task: string, forced?: string | null, template?: PromptTemplate): ScenarioChoice {
    return chooseScenario(template ?? this.resolveTemplate(), task, forced);
  }

  /** System + user messages that start the tool-calling loop (see agent-prompt.builder). */
  buildAgentMessages(
    task: string,
    template: PromptTemplate,
    scenario: string | null,
    plan: TaskPlan | null | undefined,
    toolNames: readonly string[],
  ): ChatMessage[] {
    return buildAgentMessages(task, template, scenario, plan, toolNames);
  }

  /** An UnderstandingEngine over `model` with the given (usually resolved) template. */
  createEngine(
    model: LanguageModel,
    template: PromptTemplate,
    options: Omit<UnderstandingOptions, 'template'> = {},
  ): UnderstandingEngine {
    return UnderstandingEngine.withTemplate(model, template, options);
  }

  private serviceLayers(): [LayerFile<PromptTemplate>, LayerFile<PromptTemplate>?] {
    const builtIn = this.loader.template(builtInTemplatePath(), {
      maxBytes: MAX_TEMPLATE_BYTES,
      required: true,
    });
    const configuredPath = this.config.get('prompts').template;
    if (!configuredPath) return [builtIn];
    const path = isAbsolute(configuredPath)
      ? configuredPath
      : resolve(process.cwd(), configuredPath);
    return [builtIn, this.loader.template(path, { maxBytes: MAX_TEMPLATE_BYTES, required: true })];
  }

  private report(issue: TemplateIssue, what: string): void {
    this.logger.warn({ source: issue.source, path: issue.path }, `${what}: ${issue.message}`);
  }

  private remember(dir: string, key: string, template: PromptTemplate): void {
    this.merged.delete(dir);
    this.merged.set(dir, { key, template });
    if (this.merged.size > MAX_CACHED_DIRECTORIES) {
      const oldest = this.merged.keys().next().value;
      if (oldest !== undefined) this.merged.delete(oldest);
    }
  }
}
