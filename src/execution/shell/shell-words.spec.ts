import { decodeWord } from './shell-words';

const values = (text: string) => decodeWord(text).map((w) => (w.dynamic ? `<dynamic>` : w.value));

describe('decodeWord', () => {
  it.each([
    ['rm', ['rm']],
    ['"r"m', ['rm']],
    ['\'r\'"m"', ['rm']],
    ['r\\m', ['rm']],
    ["$'\\x72\\155\\u0041'", ['rmA']],
    ['$"x"', ['x']],
    ['"a\\"b\\$c"', ['a"b$c']],
    ['r{m,}', ['rm', 'r']],
    ['{a,b}{1,2}', ['a1', 'a2', 'b1', 'b2']],
    ['x{1..3}', ['x1', 'x2', 'x3']],
    ['{a..c}', ['a', 'b', 'c']],
    ["'{a,b}'", ['{a,b}']],
    ['a$', ['a$']],
  ])('%s → %j', (text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  it.each(['$x', '${x}', '"$x"', '$(id)', '`id`', '"`id`"', '$1', '$@', '$[1+1]', 'a b', "'open"])(
    '%s is dynamic or unreadable',
    (text) => {
      expect(values(text)).toEqual(['<dynamic>']);
    },
  );

  it('marks unquoted globs only', () => {
    expect(decodeWord('*.ts')[0]).toMatchObject({ glob: true });
    expect(decodeWord('"*.ts"')[0]).toMatchObject({ glob: false });
  });

  it('bounds brace expansion', () => {
    expect(values('{1..100000}')).toEqual(['<dynamic>']);
    expect(values('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}')).toEqual(['<dynamic>']);
  });
});
