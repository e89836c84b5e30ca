import { readOutcome } from '../../common/task-outcome';
import { TaskArtifact, TaskResult } from '../../contracts/task.types';

/** Longest summary: the answer's first paragraph, cut here. */
const MAX_SUMMARY_CHARS = 500;

/**
 * The result of a task the model finished: its final answer as details, the first paragraph as
 * the summary, whether it says the goal was met (docs/api.md, `GET /api/v1/tasks/{id}`), and the artifacts.
 */
export function composeResult(
  answer: string,
  artifacts: TaskArtifact[],
  startedAt: string | null,
): TaskResult {
  const outcome = readOutcome(answer);
  const text = outcome.text.trim() || '(the model gave no final answer text)';
  const firstParagraph = text.split(/\n\s*\n/)[0].trim();
  const summary =
    firstParagraph.length > MAX_SUMMARY_CHARS
      ? `${firstParagraph.slice(0, MAX_SUMMARY_CHARS - 3)}...`
      : firstParagraph;
  const startedMs = Date.parse(startedAt ?? new Date().toISOString());
  return {
    success: outcome.goalMet,
    summary,
    details: text,
    artifacts,
    execution_time: Math.round((Date.now() - startedMs) / 10) / 100,
  };
}
