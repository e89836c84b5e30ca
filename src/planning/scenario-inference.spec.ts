import { inferScenario, scoreScenarios } from './scenario-inference';

type Row = [task: string, expected: string | null];

/** The inference table: every task with the scenario it must get (null = none). */
const TABLE: Row[] = [
  // code_generation
  ['Create a Hello World program in Python', 'code_generation'],
  ['Implement a function that parses ISO-8601 dates', 'code_generation'],
  ['Generate a REST API client for the users endpoint', 'code_generation'],
  ['Write a small CLI tool that counts words in its input', 'code_generation'],
  ['写一个计算斐波那契数列的函数', 'code_generation'],
  ['Add error handling to the upload handler', 'code_generation'],
  // refactoring
  ['Refactor the payment module to remove duplication', 'refactoring'],
  ['Rename the variable usr to user across the codebase', 'refactoring'],
  ['Extract the validation logic into a separate class', 'refactoring'],
  ['重构用户服务，拆分成更小的模块', 'refactoring'],
  // debugging
  ['Fix the bug where login fails with a 500 error', 'debugging'],
  ['Debug why the worker crashes on startup', 'debugging'],
  ["The build is broken: TypeError: cannot read property 'x' of undefined", 'debugging'],
  ['修复登录页面的错误', 'debugging'],
  ['Investigate the failing request and find the root cause', 'debugging'],
  ['Fix the failing tests in src/test/utils.spec.ts', 'debugging'],
  // testing
  ['Write unit tests for the date parser', 'testing'],
  ['Add integration tests covering the checkout flow', 'testing'],
  ['Increase test coverage of the auth module to 90%', 'testing'],
  ['为订单服务编写单元测试', 'testing'],
  ['Run the tests', 'testing'],
  // documentation
  ['Write documentation for the public API', 'documentation'],
  ['Update the README with installation instructions', 'documentation'],
  ['Add JSDoc comments to the exported functions', 'documentation'],
  ['为这个项目写一份使用文档', 'documentation'],
  ['Document the docker deployment steps', 'documentation'],
  // architecture
  ['Design the architecture for a multi-tenant billing system', 'architecture'],
  ['Propose a microservices layout for the order platform', 'architecture'],
  ['设计一个高可用的系统架构', 'architecture'],
  ['Review the module boundaries and dependency structure of the service', 'architecture'],
  // optimization
  ['Optimize the SQL query that loads the dashboard', 'optimization'],
  ['Improve the performance of the image resizing pipeline', 'optimization'],
  ['Reduce memory usage of the cache', 'optimization'],
  ['优化首页的加载速度', 'optimization'],
  ['The endpoint is slow; make it faster', 'optimization'],
  // file_operations
  ['Read README.md and summarize its content', 'file_operations'],
  ['List all files in the src folder', 'file_operations'],
  ['Copy config.example.yaml to config.yaml', 'file_operations'],
  ['Delete the temporary files in the tmp directory', 'file_operations'],
  ['读取 notes.txt 文件并总结内容', 'file_operations'],
  ["Write 'hello' to greeting.txt", 'file_operations'],
  ['Read docs/intro.md', 'file_operations'],
  // command_execution
  ["Run the command 'ls -la' and show the output", 'command_execution'],
  ['Execute npm install in the project root', 'command_execution'],
  ['运行 git status 并报告结果', 'command_execution'],
  ['Pull the latest docker image and start the container', 'command_execution'],
  // the original's substring misfires: none of these may pick testing, debugging,
  // documentation or file_operations because of "latest", "prefix", "docker", "already", "fixture"
  ['What is the latest version?', null],
  ['Upgrade to the latest release of express', null],
  ['What does the prefix option mean?', null],
  ['Add a prefix to every log line', 'code_generation'],
  ['Create a Dockerfile for the Node service', 'code_generation'],
  ['Restart the docker daemon', 'command_execution'],
  ['Thanks, that was already helpful', null],
  ['Mark the orders that were already shipped as complete', null],
  ['Add a JSON fixture with sample users', 'testing'],
  ['Hello, Agent Runner!', null],
  ['', null],
];

describe('inferScenario', () => {
  it('has a table of at least 40 tasks', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(TABLE)('%p → %p', (task, expected) => {
    expect(inferScenario(task).scenario).toBe(expected);
  });

  it.each([
    ['latest', 'testing'],
    ['prefix', 'debugging'],
    ['fixture', 'debugging'],
    ['docker', 'documentation'],
    ['already', 'file_operations'],
    ['contest', 'testing'],
    ['readiness', 'file_operations'],
    ['debugger', 'debugging'],
  ])('the word %p alone scores nothing for %p', (word, scenario) => {
    expect(scoreScenarios(`the ${word} thing`)[scenario]).toBeUndefined();
  });

  it('gives no scenario and zero confidence when nothing scores', () => {
    expect(inferScenario('Hello there')).toEqual({
      scenario: null,
      confidence: 0,
      forced: false,
      scores: {},
    });
  });

  it('is more confident about a clear task than about a mixed one', () => {
    const clear = inferScenario('Refactor the payment module to remove duplication');
    const mixed = inferScenario('Add a prefix to every log line');
    expect(clear.confidence).toBeGreaterThan(mixed.confidence);
    expect(clear.confidence).toBeLessThanOrEqual(1);
    expect(mixed.confidence).toBeGreaterThan(0);
  });

  it('counts a phrase once, not also the words inside it', () => {
    expect(scoreScenarios('we need unit tests').testing).toBe(3);
  });

  it('breaks ties by the fixed order (specific before generic)', () => {
    const scores = scoreScenarios('we need tests and a document');
    expect(scores.testing).toBe(scores.documentation);
    expect(inferScenario('we need tests and a document').scenario).toBe('testing');
    expect(inferScenario('we need a document and tests').scenario).toBe('testing');
  });

  it('picks only scenarios the template knows', () => {
    expect(inferScenario('Implement unit tests').scenario).toBe('testing');
    expect(inferScenario('Implement unit tests', { known: ['code_generation'] }).scenario).toBe(
      'code_generation',
    );
    expect(inferScenario('Implement unit tests', { known: [] }).scenario).toBeNull();
  });

  it("uses a template's keywords, also for its own scenarios", () => {
    const options = {
      known: ['code_generation', 'migration'],
      keywords: { migration: ['migrate', 'schema change', '迁移'] },
    };
    expect(inferScenario('Migrate the users table', options).scenario).toBe('migration');
    expect(inferScenario('Plan the schema change for orders', options).scenario).toBe('migration');
    expect(inferScenario('数据库迁移', options).scenario).toBe('migration');
    expect(inferScenario('Migrated users', options).scenario).toBeNull();
  });
});
