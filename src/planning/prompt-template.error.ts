import { TemplateIssue } from './prompt-template.types';

/** A template file that cannot be used: unreadable, not YAML, or of the wrong shape. */
export class PromptTemplateError extends Error {
  constructor(
    readonly source: string,
    readonly issues: TemplateIssue[],
  ) {
    super(
      `Invalid prompt template ${source}: ` +
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
    );
    this.name = 'PromptTemplateError';
  }
}
