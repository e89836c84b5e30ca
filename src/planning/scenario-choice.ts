import { InvalidRequestError } from '../common/errors';
import { PromptTemplate } from './prompt-template';
import { ScenarioChoice, inferScenario } from './scenario-inference';

/**
 * The scenario of a task: the one the client named (`context.scenario`, which must be one of
 * the template's scenarios, else InvalidRequestError → 400), or the one inferred from the task.
 */
export function chooseScenario(
  template: PromptTemplate,
  task: string,
  forced?: string | null,
): ScenarioChoice {
  const known = template.scenarioKeys();
  const requested = typeof forced === 'string' ? forced.trim().toLowerCase() : '';
  if (requested) {
    if (!template.hasScenario(requested)) {
      throw new InvalidRequestError(
        `Unknown scenario ${JSON.stringify(forced)}; known scenarios: ${known.join(', ') || 'none'}.`,
        [{ field: 'context.scenario', message: `must be one of: ${known.join(', ')}` }],
      );
    }
    return { scenario: requested, confidence: 1, forced: true, scores: {} };
  }
  const keywords = Object.fromEntries(known.map((k) => [k, template.scenario(k)?.keywords]));
  return inferScenario(task, { known, keywords });
}
