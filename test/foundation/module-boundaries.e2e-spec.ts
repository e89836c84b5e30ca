import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * ESLint's messages for each snippet, linted as if it were the file at its path (relative to the
 * repo). In a child process: ESLint loads its flat config with a dynamic import, which Jest's VM
 * does not run.
 */
function lint(cases: [path: string, code: string][]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const { join } = require('node:path');
    const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [path, code] of cases) {
        const [result] = await eslint.lintText(code, { filePath: join(process.cwd(), path) });
        out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[][];
}

/** docs/architecture.md, "What may import what": lint fails CI on each of these. */
describe('module boundaries are enforced by lint', () => {
  const refused: [string, string, RegExp][] = [
    [
      'src/planning/x.ts',
      "import { TaskRecord } from '../agent/store/task-store';",
      /never import agent/,
    ],
    [
      'src/model/x.ts',
      "import { TasksService } from '../agent/tasks/tasks.service';",
      /never import agent/,
    ],
    [
      'src/execution/tools/x.ts',
      "import { TaskRun } from '../../agent/loop/task-agent.types';",
      /never import agent/,
    ],
    [
      'src/execution/x.ts',
      "import { ModelRegistry } from '../model/model.registry';",
      /never imports model/,
    ],
    ['src/agent/x.ts', "import { runCli } from '../cli/run-cli';", /Nothing imports the CLI/],
    ['src/app/x.ts', "import '../main';", /Nothing imports main\.ts/],
    [
      'src/agent/http/x.ts',
      "import { TasksController } from './tasks.controller';",
      /Only module files import controllers/,
    ],
    [
      'src/contracts/x.ts',
      "import { TasksService } from '../agent/tasks/tasks.service';",
      /import only shared code/,
    ],
    [
      'src/common/x.ts',
      "import { MetricsService } from '../metrics/metrics.service';",
      /import only shared code/,
    ],
  ];
  const allowed: [string, string][] = [
    ['src/agent/agent.module.ts', "import { TasksController } from './http/tasks.controller';"],
    ['src/execution/x.ts', "import { ToolDefinition } from '../contracts/tool-definition';"],
    ['src/planning/x.ts', "import { TaskPlan } from '../contracts/task.types';"],
    ['src/cli/x.ts', "import { runCli } from './run-cli';"],
    ['src/common/x.ts', "import { AgentRunnerConfig } from '../config/config.schema';"],
  ];
  let results: string[][];
  beforeAll(() => {
    results = lint([...refused.map(([p, c]) => [p, c] as [string, string]), ...allowed]);
  }, 60_000);

  it.each(refused.map((c, i) => [...c, i] as const))('%s: %s is refused', (_p, _c, message, i) => {
    expect(results[i]).toEqual([expect.stringMatching(message)]);
  });

  it.each(allowed.map((c, i) => [...c, refused.length + i] as const))(
    '%s: %s is allowed',
    (_p, _c, i) => {
      expect(results[i]).toEqual([]);
    },
  );
});
