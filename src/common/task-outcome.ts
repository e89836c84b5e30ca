/**
 * How the agent tells whether a task's goal was met. The agent prompt asks the model to end its
 * final answer with a line of its own, `OUTCOME: DONE` or `OUTCOME: NOT DONE`; the built-in
 * offline planner writes the same line. Only the last line counts, so text the model quotes
 * (a file, a command's output) cannot decide it. An answer without the line counts as done:
 * a model that ignores the instruction is not made to fail.
 */

export const OUTCOME_DONE = 'OUTCOME: DONE';
export const OUTCOME_NOT_DONE = 'OUTCOME: NOT DONE';

/** The sentence of the agent prompt that asks for the line. */
export const OUTCOME_INSTRUCTION =
  `End the answer with one last line of its own: \`${OUTCOME_DONE}\` when the task's goal was ` +
  `met, or \`${OUTCOME_NOT_DONE}\` when it was not (a command the task asked for failed, a ` +
  'check did not pass, or you could not finish).';

export interface TaskOutcome {
  /** False only when the answer's last line says the goal was not met. */
  goalMet: boolean;
  /** The answer without the outcome line. */
  text: string;
}

// "OUTCOME: NOT DONE", also as **Outcome**: not done, `OUTCOME: FAILED`, OUTCOME：DONE, …
const OUTCOME_LINE =
  /^[\s>*_`-]*outcome[\s*_`]*[:：][\s*_`]*(done|success|succeeded|met|not[\s_-]+done|not[\s_-]+met|failed|failure)[\s*_`.!]*$/i;

/** Reads and removes the outcome line at the end of a final answer. */
export function readOutcome(answer: string): TaskOutcome {
  const lines = answer.replace(/\s+$/, '').split('\n');
  const match = OUTCOME_LINE.exec(lines[lines.length - 1] ?? '');
  if (!match) return { goalMet: true, text: answer };
  const verdict = match[1].toLowerCase();
  return {
    goalMet: !/^(not|fail)/.test(verdict),
    text: lines.slice(0, -1).join('\n').replace(/\s+$/, ''),
  };
}
