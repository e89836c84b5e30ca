import { ParsedPlan, parsePlanAnswer } from './plan-parser';

type Expected = Partial<ParsedPlan> | null;

/** Model answers as they come back from real providers, and what must be read from them. */
const ANSWERS: Array<[label: string, answer: string | null | undefined, expected: Expected]> = [
  [
    'plain JSON',
    '{"understanding":"Read the file","approach":"Use read_file","complexity":"simple","estimated_steps":1,"requirements":["read_file"]}',
    {
      format: 'json',
      understanding: 'Read the file',
      approach: 'Use read_file',
      complexity: 'simple',
      estimated_steps: 1,
      requirements: ['read_file'],
    },
  ],
  [
    'JSON in a ```json fence with prose around it',
    'Here is the plan:\n```json\n{"understanding": "Summarize README", "approach": "Read then summarize", "complexity": "Simple", "estimated_steps": "2", "requirements": []}\n```\nLet me know!',
    { format: 'fenced_json', complexity: 'simple', estimated_steps: 2, requirements: [] },
  ],
  [
    'JSON in a bare ``` fence',
    '```\n{"understanding": "u", "approach": "a"}\n```',
    { format: 'fenced_json', understanding: 'u', approach: 'a' },
  ],
  [
    'JSON embedded in prose without a fence',
    'Sure! {"understanding": "Fix the bug", "approach": "Reproduce, fix, test", "complexity": "MODERATE", "estimated_steps": 4} Hope this helps.',
    { format: 'embedded_json', complexity: 'moderate', estimated_steps: 4 },
  ],
  [
    'upper-case and camelCase keys',
    '{"UNDERSTANDING": "U", "Approach": "A", "Complexity": "Complex", "estimatedSteps": 12, "Requirements": "git, npm"}',
    {
      understanding: 'U',
      approach: 'A',
      complexity: 'complex',
      estimated_steps: 12,
      requirements: ['git', 'npm'],
    },
  ],
  [
    'a wrapper object {"plan": {...}}',
    '{"plan": {"understanding": "Wrapped", "approach": "Unwrap it", "complexity": "low"}}',
    { understanding: 'Wrapped', approach: 'Unwrap it', complexity: 'simple' },
  ],
  [
    'a JSON array holding the plan',
    '[{"understanding": "In an array", "approach": "Take the first"}]',
    { understanding: 'In an array', approach: 'Take the first' },
  ],
  [
    'JSON encoded twice (a JSON string holding JSON)',
    JSON.stringify(JSON.stringify({ understanding: 'Twice', approach: 'Decode twice' })),
    { understanding: 'Twice', approach: 'Decode twice' },
  ],
  [
    'trailing commas',
    '{"understanding": "Trailing", "approach": "Commas", "requirements": ["a", "b",],}',
    { understanding: 'Trailing', requirements: ['a', 'b'] },
  ],
  [
    'single-quoted Python-style dict',
    "{'understanding': 'Single quotes', 'approach': 'Still fine', 'estimated_steps': 3}",
    { understanding: 'Single quotes', estimated_steps: 3 },
  ],
  [
    'approach as a list of steps, steps counted',
    '{"understanding": "Steps as list", "approach": ["Read the file", "Edit it", "Run tests"]}',
    { approach: '1. Read the file\n2. Edit it\n3. Run tests' },
  ],
  [
    'no approach but a "steps" list: approach and count from it',
    '{"understanding": "U", "steps": ["one", "two"]}',
    { approach: '1. one\n2. two', estimated_steps: 2 },
  ],
  [
    'requirements as objects',
    '{"understanding": "U", "approach": "A", "requirements": [{"name": "read_file"}, {"tool": "run_command"}, "None"]}',
    { requirements: ['read_file', 'run_command'] },
  ],
  [
    'estimated_steps as a range',
    '{"understanding": "U", "approach": "A", "estimated_steps": "3-5 steps"}',
    { estimated_steps: 5 },
  ],
  [
    'Chinese keys and values',
    '{"理解": "读取文件", "方法": "使用 read_file", "复杂度": "简单", "需求": "read_file、总结"}',
    {
      understanding: '读取文件',
      approach: '使用 read_file',
      complexity: 'simple',
      requirements: ['read_file', '总结'],
    },
  ],
  [
    'a reasoning model that thinks first',
    '<think>The user wants {"not": "this"} maybe</think>\n{"understanding": "After thinking", "approach": "A"}',
    { understanding: 'After thinking' },
  ],
  [
    "the seed's UNDERSTANDING: line format",
    'UNDERSTANDING: Create a hello world program\nAPPROACH: Write main.py and run it\nCOMPLEXITY: Simple\nREQUIREMENTS: python3, write access',
    {
      format: 'text',
      understanding: 'Create a hello world program',
      approach: 'Write main.py and run it',
      complexity: 'simple',
      requirements: ['python3', 'write access'],
    },
  ],
  [
    "the seed's format with REQUIREMENTS: None",
    'UNDERSTANDING: Say hi\nAPPROACH: Answer directly\nCOMPLEXITY: Simple\nREQUIREMENTS: None',
    { requirements: [] },
  ],
  [
    'bold labels (**Approach**:) with multi-line values and bullet requirements',
    '**Understanding**: The user wants a config loader\nthat reads YAML.\n\n**Approach**: Parse the file with js-yaml.\n**Complexity**: Moderate\n**Requirements**:\n- js-yaml\n- a schema\n* tests',
    {
      understanding: 'The user wants a config loader that reads YAML.',
      approach: 'Parse the file with js-yaml.',
      complexity: 'moderate',
      requirements: ['js-yaml', 'a schema', 'tests'],
    },
  ],
  [
    'bold label with the colon inside (**Approach:**)',
    '**Understanding:** Inside colon\n**Approach:** Works too\n**Complexity:** complex',
    { understanding: 'Inside colon', approach: 'Works too', complexity: 'complex' },
  ],
  [
    'markdown headings (## Complexity) with values below',
    '## Understanding\nRefactor the parser.\n\n## Approach\n1. Extract functions\n2. Run tests\n\n## Complexity\nModerate\n\n## Estimated Steps\n6\n\n## Requirements\n- src/parser.ts\n- npm test',
    {
      understanding: 'Refactor the parser.',
      approach: '1. Extract functions\n2. Run tests',
      complexity: 'moderate',
      estimated_steps: 6,
      requirements: ['src/parser.ts', 'npm test'],
    },
  ],
  [
    'requirements both on the header line and as bullets',
    'UNDERSTANDING: U\nAPPROACH: A\nREQUIREMENTS: git, node\n- docker',
    { requirements: ['git', 'node', 'docker'] },
  ],
  [
    "the seed's default PLAN/EXECUTION sections",
    'UNDERSTANDING: List the files\nAPPROACH: Use list_files\nPLAN:\n1. List the root\n2. Report\nEXECUTION:\nlist_files .',
    { understanding: 'List the files', approach: 'Use list_files', estimated_steps: 2 },
  ],
  [
    'text format inside a fence',
    '```\nUNDERSTANDING: Fenced text\nAPPROACH: Still read\n```',
    { format: 'text', understanding: 'Fenced text', approach: 'Still read' },
  ],
  [
    'Chinese labels with full-width colons',
    '理解：读取 README 并总结\n方法：先读取文件，再总结\n复杂度：简单',
    { understanding: '读取 README 并总结', approach: '先读取文件，再总结', complexity: 'simple' },
  ],
  [
    'complexity as a 1-10 rating',
    '{"understanding": "U", "approach": "A", "complexity": 8}',
    { complexity: 'complex' },
  ],
  [
    'unknown complexity word is left out, not guessed',
    '{"understanding": "U", "approach": "A", "complexity": "banana"}',
    { understanding: 'U', complexity: undefined },
  ],
  [
    'prose without any plan fields',
    'I will read the README file and then summarize it for you.',
    null,
  ],
  [
    '"Approach is…" prose is not a label',
    'The approach is simple: just read it.\nUnderstanding is key.',
    null,
  ],
  ['JSON without plan fields', '{"answer": 42, "status": "ok"}', null],
  ['JSON with empty plan fields', '{"understanding": "", "approach": "   "}', null],
  ['truncated JSON', '{"understanding": "Cut off in the mid', null],
  ['an empty answer', '', null],
  ['whitespace only', '   \n\t ', null],
  ['null content (a tool call instead of text)', null, null],
  ['undefined content', undefined, null],
  ['a bare number', '42', null],
  ['a JSON string that is not a plan', '"just a string"', null],
  ['deeply nested noise', '['.repeat(5000) + ']'.repeat(5000), null],
  ['a huge unbalanced brace soup', '{'.repeat(100000), null],
];

describe('parsePlanAnswer', () => {
  it('covers at least 25 answers', () => {
    expect(ANSWERS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ANSWERS)('%s', (_label, answer, expected) => {
    const parsed = parsePlanAnswer(answer);
    if (expected === null) {
      expect(parsed).toBeNull();
      return;
    }
    expect(parsed).not.toBeNull();
    for (const [key, value] of Object.entries(expected)) {
      expect(parsed![key as keyof ParsedPlan]).toEqual(value);
    }
  });

  it('clips very long texts and long requirement lists', () => {
    const answer = JSON.stringify({
      understanding: 'u'.repeat(10000),
      approach: 'a',
      requirements: Array.from({ length: 200 }, (_, i) => `r${i}`),
    });
    const parsed = parsePlanAnswer(answer)!;
    expect(parsed.understanding!.length).toBeLessThanOrEqual(4000);
    expect(parsed.requirements).toHaveLength(50);
  });
});
