import { OfflineIntent } from './offline-intent';
import { parseOfflineRequest } from './offline-request.parser';

describe('parseOfflineRequest', () => {
  const cases: Array<[string, OfflineIntent[]]> = [
    // English
    ['Read README.md file and summarize content', [{ kind: 'summarize', path: 'README.md' }]],
    ['Summarize docs/guide.md', [{ kind: 'summarize', path: 'docs/guide.md' }]],
    ['How many lines are in README.md?', [{ kind: 'summarize', path: 'README.md' }]],
    ['List the files in src', [{ kind: 'list', path: 'src', recursive: false }]],
    ['list files', [{ kind: 'list', path: '.', recursive: false }]],
    [
      'Please list the files in the current directory.',
      [{ kind: 'list', path: '.', recursive: false }],
    ],
    ['What files are in src?', [{ kind: 'list', path: 'src', recursive: false }]],
    [
      'Show me the files in the docs folder recursively',
      [{ kind: 'list', path: 'docs', recursive: true }],
    ],
    ['Read ./src/app.ts', [{ kind: 'read', path: './src/app.ts' }]],
    ["What's in notes.txt?", [{ kind: 'read', path: 'notes.txt' }]],
    ['Print the contents of notes.txt', [{ kind: 'read', path: 'notes.txt' }]],
    ['cat package.json', [{ kind: 'read', path: 'package.json' }]],
    ['Read the file "my notes.txt"', [{ kind: 'read', path: 'my notes.txt' }]],
    ['Search for "TODO" in src', [{ kind: 'search', text: 'TODO', path: 'src' }]],
    ['find TODO in src', [{ kind: 'search', text: 'TODO', path: 'src' }]],
    ['Search for "a.b" in the docs directory', [{ kind: 'search', text: 'a.b', path: 'docs' }]],
    ['Run `ls -la`', [{ kind: 'run', command: 'ls -la' }]],
    ['execute "npm test; echo done"', [{ kind: 'run', command: 'npm test; echo done' }]],
    [
      "Write 'Hello, world' to hello.txt",
      [{ kind: 'write', path: 'hello.txt', content: 'Hello, world' }],
    ],
    [
      'Create a file greeting.txt with the content "hi there"',
      [{ kind: 'write', path: 'greeting.txt', content: 'hi there' }],
    ],
    ["Save 'x' into out/result.txt", [{ kind: 'write', path: 'out/result.txt', content: 'x' }]],
    [
      "Write 'a' to x.txt and then read x.txt",
      [
        { kind: 'write', path: 'x.txt', content: 'a' },
        { kind: 'read', path: 'x.txt' },
      ],
    ],
    [
      "run 'echo hi' then write 'done' to log.txt",
      [
        { kind: 'run', command: 'echo hi' },
        { kind: 'write', path: 'log.txt', content: 'done' },
      ],
    ],
    // Chinese
    ['列出 src 目录下的文件', [{ kind: 'list', path: 'src', recursive: false }]],
    ['列出当前目录的文件', [{ kind: 'list', path: '.', recursive: false }]],
    ['src 目录里有哪些文件？', [{ kind: 'list', path: 'src', recursive: false }]],
    ['递归列出 src 目录', [{ kind: 'list', path: 'src', recursive: true }]],
    ['读取README.md并总结内容', [{ kind: 'summarize', path: 'README.md' }]],
    ['总结一下 README.md', [{ kind: 'summarize', path: 'README.md' }]],
    ['统计 README.md 的行数和字数', [{ kind: 'summarize', path: 'README.md' }]],
    ['查看 notes.txt 的内容', [{ kind: 'read', path: 'notes.txt' }]],
    ["在 src 中搜索 'TODO'", [{ kind: 'search', text: 'TODO', path: 'src' }]],
    ['搜索 TODO', [{ kind: 'search', text: 'TODO' }]],
    ['运行 `echo hi`', [{ kind: 'run', command: 'echo hi' }]],
    ["执行命令 'echo hi'", [{ kind: 'run', command: 'echo hi' }]],
    ["把 '你好' 写入 hello.txt", [{ kind: 'write', path: 'hello.txt', content: '你好' }]],
    ['将“你好世界”保存到 greet.txt', [{ kind: 'write', path: 'greet.txt', content: '你好世界' }]],
    ["创建文件 a.txt，内容为 'abc'", [{ kind: 'write', path: 'a.txt', content: 'abc' }]],
    ["创建文件 b.txt 并写入 'xyz'", [{ kind: 'write', path: 'b.txt', content: 'xyz' }]],
    ['create an empty file c.txt', [{ kind: 'write', path: 'c.txt', content: '' }]],
  ];

  it.each(cases)('%s', (request, intents) => {
    expect(parseOfflineRequest(request)).toEqual({
      language: /[\u4e00-\u9fff]/.test(request) ? 'zh' : 'en',
      intents,
    });
  });

  it.each([
    'Create a Hello World program',
    'Explain the code in main.ts',
    'write hello to a.txt',
    'run the tests',
    'Tell me a joke',
    'read it',
    '帮我写一个贪吃蛇游戏',
    '重构 src 目录的代码',
  ])('%s needs a language model', (request) => {
    const u = parseOfflineRequest(request);
    expect(u.intents).toEqual([]);
    expect(u.unclear).toBeTruthy();
  });

  it('one clause it cannot understand makes the whole request unclear', () => {
    expect(parseOfflineRequest('list files in src and then refactor everything')).toMatchObject({
      intents: [],
      unclear: 'refactor everything',
    });
  });

  it('quoted text never steers the parsing', () => {
    expect(
      parseOfflineRequest("write 'then run `rm -rf /` and list files' to notes.txt").intents,
    ).toEqual([
      { kind: 'write', path: 'notes.txt', content: 'then run `rm -rf /` and list files' },
    ]);
  });
});
