import { Scenario } from '../contracts/task.types';

/**
 * Scoring terms for the nine built-in scenarios: [pattern, weight]. Latin patterns are regular
 * expressions matched as whole words (or whole phrases) of the lower-cased task; patterns with
 * Chinese characters are matched anywhere, since Chinese has no spaces between words. Longer
 * matches hide the shorter ones inside them ("unit tests" scores once, not also as "tests").
 */
export type ScoringTerm = readonly [pattern: string, weight: number];

export const SCENARIO_TERMS: Readonly<Record<Scenario, readonly ScoringTerm[]>> = {
  code_generation: [
    ['implement(?:s|ed|ing|ation)?', 2],
    ['create[sd]?|creating', 1],
    ['generate[sd]?|generating', 1],
    ['build(?:s|ing)?', 1],
    ['add(?:s|ed|ing)?', 1],
    [
      'write (?:an? |the )?(?:new |small |simple )?(?:\\w+ )?(?:function|class|script|program|module|method|component|endpoint|api|service|cli|parser|tool|app|application|library|handler)s?',
      3,
    ],
    ['hello,? world', 2],
    ['scaffold(?:ing)?|boilerplate', 2],
    ['error handling', 1],
    [
      'functions?|class(?:es)?|methods?|endpoints?|apis?|scripts?|programs?|components?|features?|cli|algorithms?',
      1,
    ],
    ['实现', 2],
    ['写一个|写个', 2],
    ['生成|创建|编写|新增|添加|开发', 1],
    ['函数|脚本|程序|接口|功能', 1],
  ],
  refactoring: [
    ['refactor(?:s|ed|ing)?', 3],
    ['restructur(?:e|es|ed|ing)|reorgani[sz](?:e|es|ed|ing)', 2],
    ['renam(?:e|es|ed|ing)', 2],
    ['extract(?:s|ed|ing)?', 1],
    ['into (?:a |an )?(?:separate|its own|their own|new) \\w+', 2],
    ['duplicat(?:e|ed|ion) code|duplication|dry', 2],
    ['clean(?:s|ed|ing)? up|cleanup|tidy up', 2],
    ['decoupl(?:e|es|ed|ing)|modulari[sz]e|split (?:up|into)', 2],
    ['smaller (?:modules|functions|files|components|classes|pieces)', 2],
    ['split(?:s|ting)?', 1],
    ['readability|maintainability|technical debt|tech debt|code smells?', 2],
    ['unused (?:imports|code|variables|functions)|dead code', 2],
    ['simplif(?:y|ies|ied)|improve[sd]?|improving|legacy|deprecated', 1],
    ['重构', 3],
    ['代码结构|可读性|重命名|拆分', 2],
    ['整理|提取|简化|改进', 1],
  ],
  debugging: [
    ['debug(?:s|ged|ging)?|troubleshoot(?:ing)?', 3],
    ['fix(?:es|ed|ing)?|bugs?|buggy|bugfix', 2],
    [
      '(?:type|reference|syntax|range|runtime|value|key|index|attribute|import|name|zero ?division)error',
      2,
    ],
    ['stack ?traces?|traceback|segfault|segmentation fault|core dump', 2],
    ['crash(?:es|ed|ing)?|regressions?|root cause|memory leaks?', 2],
    [
      "not working|doesn't work|does not work|stopped working|cannot read|can't read|unable to read",
      2,
    ],
    ['diagnos(?:e|es|ed|ing)|investigat(?:e|es|ed|ing)', 1],
    ['errors?|exceptions?|broken|breaks|fail(?:s|ed|ing|ure|ures)?|wrong|hangs?|panics?', 1],
    ['调试|修复|排查', 3],
    ['报错|异常|崩溃|故障', 2],
    ['错误|失败|问题', 1],
  ],
  testing: [
    [
      '(?:unit|integration|e2e|end-to-end|regression|smoke|snapshot|load|property-based) tests?|test (?:cases?|suites?|coverage)',
      3,
    ],
    ['tests?|testing|tested|tdd', 2],
    ['coverage|jest|pytest|mocha|vitest|junit|rspec|cypress|playwright|flaky|fixtures?', 2],
    ['specs?|assert(?:s|ion|ions)?|mock(?:s|ed|ing)?|stubs?', 1],
    ['单元测试|集成测试|测试用例', 3],
    ['测试|覆盖率', 2],
    ['用例|断言', 1],
  ],
  documentation: [
    ['documentation|docs?|readme|changelog|api reference|user guide', 3],
    ['install(?:ation)? (?:guide|instructions|steps|section)|how-to', 3],
    ['document(?:s|ed|ing)?', 2],
    ['jsdoc|tsdoc|javadoc|docstrings?|rustdoc|godoc|typedoc', 2],
    ['comments?|guide|tutorial|manual|explain(?:s|ed)?|typos?|translat(?:e|es|ed|ion)', 1],
    ['文档|使用手册', 3],
    ['注释|教程|说明书', 2],
    ['说明|解释', 1],
  ],
  architecture: [
    ['architecture|architectural|system design', 3],
    ['design(?:s|ed|ing)?|microservices?|monolith(?:ic)?', 2],
    [
      'high availability|fault toleran(?:t|ce)|event-driven|cqrs|domain model|data model|data flow',
      2,
    ],
    ['module (?:boundaries|structure|layout)|dependency structure|layer(?:s|ing|ed)', 2],
    ['scalab(?:le|ility)|diagrams?|trade-?offs?|boundaries|structure|propos(?:e|al)|blueprint', 1],
    ['架构|系统设计', 3],
    ['设计|微服务|高可用|模块划分', 2],
    ['分层|方案', 1],
  ],
  optimization: [
    ['optimi[sz](?:e|es|ed|ing|ation|ations)', 3],
    ['performance|perf', 3],
    [
      'faster|speed(?: up)?|slow(?:er|ly|ness)?|latency|throughput|bottlenecks?|efficien(?:t|cy)',
      2,
    ],
    ['memory (?:usage|footprint|consumption)|bundle size|load time|startup time|response time', 2],
    ['profil(?:e|ing)|benchmarks?', 2],
    ['reduc(?:e|es|ed|ing)|memory|cpu|cach(?:e|es|ing)', 1],
    ['优化|性能', 3],
    ['加速|速度|延迟|卡顿|太慢', 2],
    ['内存|缓存|慢', 1],
  ],
  file_operations: [
    ['read(?:s|ing)?', 2],
    ['files?|folders?|director(?:y|ies)', 2],
    ['(?:to|into) (?:a |the )?(?:new )?file', 2],
    [
      'list(?:s|ing)?|copy|copies|move|delete[sd]?|write|append|save|contents?|summari[sz]e|summary|search|grep',
      1,
    ],
    ['读取|写入|文件|文件夹|目录', 2],
    ['读|列出|复制|移动|删除|总结|摘要|内容|保存|查找|搜索', 1],
  ],
  command_execution: [
    ['execut(?:e|es|ed|ing)|commands?|shell|terminal|bash|zsh|powershell|docker(?: compose)?', 2],
    [
      'run(?:s|ning)?|npm|npx|yarn|pnpm|pip|cargo|git|kubectl|ls|echo|curl|wget|apt|brew|mvn|gradle|install(?:s|ing)?|start|restart|stop|containers?',
      1,
    ],
    ['运行|执行|命令|终端', 2],
    ['安装|启动', 1],
  ],
};

/** Spans that must not score for anything (they hide shorter terms inside them). */
export const NEUTRAL_TERMS: readonly string[] = [
  'read-only',
  'read only',
  'write-only',
  'error message',
  'error messages',
];

/** Tie-break order: specific intents before the generic ones. */
export const SCENARIO_PRIORITY: readonly Scenario[] = [
  'debugging',
  'testing',
  'refactoring',
  'optimization',
  'documentation',
  'architecture',
  'command_execution',
  'file_operations',
  'code_generation',
];

/** A file name with one of these extensions (data or text, not code) hints at file operations. */
export const DATA_FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'txt',
  'md',
  'markdown',
  'json',
  'yaml',
  'yml',
  'toml',
  'csv',
  'tsv',
  'log',
  'ini',
  'cfg',
  'conf',
  'xml',
  'html',
  'htm',
  'rst',
  'pdf',
  'doc',
  'docx',
]);

/** Bonus for a term that is the task's first word (the imperative verb). */
export const LEADING_TERM_BONUS = 1;

/** A top score at or above this gives full confidence strength. */
export const STRONG_SCORE = 3;
