/**
 * The prompt template data (docs/prompts.md, Writing a template), as written in YAML (snake_case
 * keys, seed-compatible). Every part is optional in one layer; the built-in prompts/default.yaml
 * fills them all.
 */

/** How the model should shape its planning answer. */
export interface OutputFormat {
  /** `json` (default) or the seed's `structured_text` / `markdown` line format. */
  format_type?: string;
  /** Fields the answer must contain (the plan's five fields are always required). */
  required_fields?: string[];
  /** One line per field telling the model what to put there. */
  field_descriptions?: Record<string, string>;
}

/** Rules for every task: the agent's role, answer format and constraints. */
export interface GlobalTemplate {
  system_role?: string;
  output_format?: OutputFormat;
  constraints?: string[];
}

/** What the agent should know about the project it works in. */
export interface ProjectRules {
  tech_stack?: string[];
  conventions?: string[];
  context?: string;
  architecture?: string;
}

/** A few-shot example: a task and the answer we want for it. */
export interface PromptExample {
  input: string;
  output: string;
}

/** Instructions for one kind of task (code_generation, debugging, …). */
export interface ScenarioPrompt {
  name?: string;
  description?: string;
  instructions?: string[];
  /** What the final answer of such a task should contain. */
  output_structure?: string;
  examples?: PromptExample[];
  /** Extra words or phrases that point to this scenario (extension; used by inference). */
  keywords?: string[];
}

/** One template layer or the merged result. */
export interface PromptTemplateData {
  global?: GlobalTemplate;
  project?: ProjectRules;
  scenarios?: Record<string, ScenarioPrompt>;
}

/** A problem found in a template file: where and what. */
export interface TemplateIssue {
  /** The file (or label) the issue comes from. */
  source: string;
  /** Dotted path inside the template, e.g. `scenarios.testing.instructions[2]`. */
  path: string;
  message: string;
}

/** A text document added as project context (e.g. AGENTS.md in the working directory). */
export interface ProjectDocument {
  source: string;
  content: string;
  truncated: boolean;
}
