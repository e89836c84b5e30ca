import { summarizeText } from './file-summary';

describe('summarizeText', () => {
  it('finds title, headings, first paragraph and counts in markdown', () => {
    const readme = [
      '# Agent Runner',
      '',
      '[![build](https://x/badge.svg)](https://x)',
      '',
      'Runs **AI agents** in a [sandbox](docs/sandbox.md).',
      'Plans first, then acts.',
      '',
      '```bash',
      '# not a heading',
      'npm start',
      '```',
      '',
      '## Install',
      'npm i',
      '',
      'Usage',
      '-----',
      'text',
      '',
    ].join('\n');
    expect(summarizeText(readme)).toEqual({
      title: 'Agent Runner',
      headings: ['Agent Runner', 'Install', 'Usage'],
      first_paragraph: 'Runs AI agents in a sandbox. Plans first, then acts.',
      lines: 18,
      words: expect.any(Number),
    });
  });

  it('counts words in Latin scripts and Han characters', () => {
    expect(summarizeText("it's a test-case, 3 words?").words).toBe(5);
    expect(summarizeText('你好世界 hello').words).toBe(5);
  });

  it('handles plain text and empty files', () => {
    expect(summarizeText('just one line')).toEqual({
      headings: [],
      first_paragraph: 'just one line',
      lines: 1,
      words: 3,
    });
    expect(summarizeText('')).toEqual({ headings: [], lines: 0, words: 0 });
    expect(summarizeText('a\r\nb\r\n').lines).toBe(2);
  });

  it('shortens a long first paragraph', () => {
    const s = summarizeText('word '.repeat(500));
    expect(s.first_paragraph!.length).toBeLessThanOrEqual(400);
    expect(s.first_paragraph!.endsWith('…')).toBe(true);
  });
});
