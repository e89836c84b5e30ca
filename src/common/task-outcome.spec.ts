import { OUTCOME_DONE, OUTCOME_NOT_DONE, readOutcome } from './task-outcome';

describe('readOutcome', () => {
  it('reads the last line and removes it from the answer', () => {
    expect(readOutcome(`Ran the tests: 3 failed.\n\n${OUTCOME_NOT_DONE}\n`)).toEqual({
      goalMet: false,
      text: 'Ran the tests: 3 failed.',
    });
    expect(readOutcome(`Wrote hello.py and ran it.\n${OUTCOME_DONE}`)).toEqual({
      goalMet: true,
      text: 'Wrote hello.py and ran it.',
    });
  });

  it.each([
    ['**OUTCOME:** NOT DONE', false],
    ['Outcome: not done.', false],
    ['`OUTCOME: FAILED`', false],
    ['OUTCOME：NOT_DONE', false],
    ['> OUTCOME: not met', false],
    ['**Outcome**: done', true],
    ['OUTCOME: SUCCESS!', true],
  ])('tolerates the way models write it: %s', (line, goalMet) => {
    expect(readOutcome(`Summary.\n\n${line}`)).toEqual({ goalMet, text: 'Summary.' });
  });

  it('counts only the last line, so quoted text cannot decide', () => {
    const quoted = `The log says "${OUTCOME_NOT_DONE}" on line 3.\nAll checks passed.`;
    expect(readOutcome(quoted)).toEqual({ goalMet: true, text: quoted });
    const earlier = `${OUTCOME_NOT_DONE}\nThen I fixed it and the tests pass.`;
    expect(readOutcome(earlier).goalMet).toBe(true);
  });

  it('treats an answer without the line as done, and keeps it whole', () => {
    expect(readOutcome('Done: the README has 3 sections.')).toEqual({
      goalMet: true,
      text: 'Done: the README has 3 sections.',
    });
    expect(readOutcome('OUTCOME: maybe')).toEqual({ goalMet: true, text: 'OUTCOME: maybe' });
    expect(readOutcome('')).toEqual({ goalMet: true, text: '' });
  });
});
