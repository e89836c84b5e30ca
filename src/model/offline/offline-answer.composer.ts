import { OUTCOME_NOT_DONE } from '../../common/task-outcome';
import { summarizeText } from './file-summary';
import { OfflineIntent, OfflineLanguage } from './offline-intent';
import {
  arrayField,
  fileTextOf,
  numberField,
  readToolResult,
  stringField,
  ToolResultView,
} from './tool-result.reader';

/**
 * The label every offline output starts with (docs/models.md, The offline provider: offline results
 * say so).
 */
export const OFFLINE_LABEL = '[offline]';

const MAX_SHOWN_CHARS = 4000;
const MAX_SHOWN_ITEMS = 50;

/** One intent and the result of the tool call made for it (absent when it was not run). */
export interface IntentOutcome {
  intent: OfflineIntent;
  result?: string | null;
}

const T = {
  en: {
    // the first paragraph becomes the task summary: it alone must say what to do (< 500 chars)
    needsModel: (what: string) =>
      `${OFFLINE_LABEL} This request needs a language model: the built-in offline planner (no AI) did not understand "${what}". ` +
      'Configure a model with model.provider and model.api_key (or a key variable such as OPENAI_API_KEY), ' +
      'or send them to PUT /api/v1/config/model; see docs/models.md.\n\n' +
      'Without a model, agent-runner understands: list a folder, read or summarize a file, search for text, ' +
      'run a command given in quotes or backticks, and write quoted text to a file.',
    toolOff: (tool: string) =>
      `${OFFLINE_LABEL} The tool ${tool} is not enabled for this task, so the offline planner cannot do this.`,
    failed: (step: string, error: string) => `${step} failed: ${error}`,
    stopped: 'Stopped after this step failed.',
    list: (path: string, n: number) => `Folder ${path} has ${n} entr${n === 1 ? 'y' : 'ies'}:`,
    listEmpty: (path: string) => `Folder ${path} is empty.`,
    read: (path: string, lines: number) =>
      `Contents of ${path} (${lines} line${lines === 1 ? '' : 's'}):`,
    summary: (path: string) => `Summary of ${path}:`,
    colon: ': ',
    title: 'Title',
    headings: 'Headings',
    paragraph: 'First paragraph',
    size: (lines: number, words: number) => `Size: ${lines} lines, ${words} words.`,
    search: (text: string, path: string, n: number) =>
      n === 0
        ? `No matches for "${text}" in ${path}.`
        : `${n} match${n === 1 ? '' : 'es'} for "${text}" in ${path}:`,
    run: (command: string, code: string) => `Ran \`${command}\`: exit code ${code}.`,
    timedOut: 'The command timed out.',
    write: (path: string, bytes?: number) =>
      `Wrote ${bytes ?? 'the text'}${bytes !== undefined ? ' bytes' : ''} to ${path}.`,
    more: (n: number) => `… and ${n} more`,
  },
  zh: {
    needsModel: (what: string) =>
      `${OFFLINE_LABEL} 这个请求需要语言模型：内置的离线规划器（不含 AI）无法理解“${what}”。` +
      '请设置 model.provider 和 model.api_key（或提供商的密钥变量，如 OPENAI_API_KEY），' +
      '或通过 PUT /api/v1/config/model 设置；参见 docs/models.md。\n\n' +
      '没有模型时，它能理解：列出文件夹、读取或总结文件、搜索文本、运行用引号或反引号给出的命令、把引号中的文字写入文件。',
    toolOff: (tool: string) => `${OFFLINE_LABEL} 此任务未启用工具 ${tool}，离线规划器无法完成。`,
    failed: (step: string, error: string) => `${step} 失败：${error}`,
    stopped: '该步骤失败后已停止。',
    list: (path: string, n: number) => `文件夹 ${path} 中有 ${n} 项：`,
    listEmpty: (path: string) => `文件夹 ${path} 是空的。`,
    read: (path: string, lines: number) => `${path} 的内容（${lines} 行）：`,
    summary: (path: string) => `${path} 摘要：`,
    colon: '：',
    title: '标题',
    headings: '章节',
    paragraph: '第一段',
    size: (lines: number, words: number) => `规模：${lines} 行，${words} 词。`,
    search: (text: string, path: string, n: number) =>
      n === 0 ? `在 ${path} 中没有找到“${text}”。` : `在 ${path} 中找到 ${n} 处“${text}”：`,
    run: (command: string, code: string) => `已运行 \`${command}\`：退出码 ${code}。`,
    timedOut: '命令超时。',
    write: (path: string, bytes?: number) =>
      `已写入 ${path}${bytes !== undefined ? `（${bytes} 字节）` : ''}。`,
    more: (n: number) => `…… 另有 ${n} 项`,
  },
};

/** The answer for a request the offline planner cannot handle (its goal is not met). */
export function needsModelAnswer(language: OfflineLanguage, what: string): string {
  return withOutcome(
    T[language].needsModel(what.length > 80 ? `${what.slice(0, 80)}…` : what),
    false,
  );
}

/** Why the offline planner cannot go on: a tool it needs is not offered to this task. */
export function toolDisabledNote(language: OfflineLanguage, tool: string): string {
  return T[language].toolOff(tool);
}

/** The answer when a needed tool is not offered to this task (its goal is not met). */
export function toolDisabledAnswer(language: OfflineLanguage, tool: string): string {
  return withOutcome(toolDisabledNote(language, tool), false);
}

/**
 * The final answer composed from the tool results, in the request's language, ending with the
 * outcome line the agent reads: not done when a step failed or a command exited non-zero, or
 * when the answer ends with a note on what could not be done (`unfinished`).
 */
export function composeAnswer(
  language: OfflineLanguage,
  outcomes: IntentOutcome[],
  unfinished?: string,
): string {
  const t = T[language];
  const parts: string[] = [];
  let met = unfinished === undefined;
  for (const { intent, result } of outcomes) {
    if (result === undefined) break;
    const view = readToolResult(result);
    if (!view.ok) {
      parts.push(t.failed(describe(intent), view.error ?? ''), t.stopped);
      met = false;
      break;
    }
    const done = section(language, intent, view);
    parts.push(done.text);
    met &&= done.met;
  }
  if (unfinished !== undefined) parts.push(unfinished);
  return withOutcome(`${OFFLINE_LABEL} ${parts.join('\n\n')}`, met);
}

/** A goal not met gets the outcome line; without one the agent counts the goal as met. */
function withOutcome(answer: string, met: boolean): string {
  return met ? answer : `${answer}\n\n${OUTCOME_NOT_DONE}`;
}

/** One intent's part of the answer, and whether it did what was asked. */
function section(
  language: OfflineLanguage,
  intent: OfflineIntent,
  view: ToolResultView,
): { text: string; met: boolean } {
  const t = T[language];
  switch (intent.kind) {
    case 'list':
      return { text: listSection(language, intent.path, view), met: true };
    case 'read': {
      const text = fileTextOf(view);
      const lines = summarizeText(text).lines;
      return { text: `${t.read(intent.path, lines)}\n${clip(text)}`, met: true };
    }
    case 'summarize':
      return { text: summarySection(t, intent.path, view), met: true };
    case 'search':
      return { text: searchSection(language, intent, view), met: true };
    case 'run':
      return runSection(t, intent.command, view);
    case 'write': {
      const bytes =
        numberField(view.data, ['bytes', 'bytes_written', 'size']) ?? numberFromText(view.text);
      return {
        text: t.write(intent.path, bytes ?? Buffer.byteLength(intent.content, 'utf8')),
        met: true,
      };
    }
  }
}

type Phrases = (typeof T)[OfflineLanguage];

function listSection(language: OfflineLanguage, path: string, view: ToolResultView): string {
  const t = T[language];
  const entries = arrayField(view.data, ['entries', 'files', 'items']);
  const listing = entries ? undefined : listingText(view.text);
  const lines = entries ? entries.map(describeEntry) : listing!.lines;
  const count = listing?.count ?? lines.length;
  return lines.length
    ? `${t.list(path, count)}\n${bullets(language, lines, count)}`
    : t.listEmpty(path);
}

function summarySection(t: Phrases, path: string, view: ToolResultView): string {
  const s = summarizeText(fileTextOf(view));
  const rows = [t.summary(path)];
  if (s.title) rows.push(`${t.title}${t.colon}${s.title}`);
  if (s.headings.length) {
    rows.push(
      `${t.headings} (${s.headings.length})${t.colon}${s.headings.slice(0, 20).join('; ')}`,
    );
  }
  if (s.first_paragraph) rows.push(`${t.paragraph}${t.colon}${s.first_paragraph}`);
  rows.push(t.size(s.lines, s.words));
  return rows.join('\n');
}

function searchSection(
  language: OfflineLanguage,
  intent: { text: string; path?: string },
  view: ToolResultView,
): string {
  const matches = arrayField(view.data, ['matches', 'results', 'items']);
  const found = matches ? undefined : searchText(view.text);
  const lines = matches ? matches.map(describeMatch) : found!.lines;
  const total =
    numberField(view.data, ['total', 'count', 'total_matches']) ?? found?.total ?? lines.length;
  const head = T[language].search(intent.text, intent.path ?? '.', total);
  return lines.length ? `${head}\n${bullets(language, lines, total)}` : head;
}

function runSection(
  t: Phrases,
  command: string,
  view: ToolResultView,
): { text: string; met: boolean } {
  const text = view.data ? undefined : commandText(view.text);
  const code = numberField(view.data, ['exit_code', 'exitCode', 'code']) ?? text?.code;
  const stdout = stringField(view.data, ['stdout', 'output']) ?? text?.stdout ?? '';
  const stderr = stringField(view.data, ['stderr']) ?? text?.stderr ?? '';
  const timedOut =
    (view.data && !Array.isArray(view.data) && view.data.timed_out === true) ||
    text?.timedOut === true;
  const rows = [t.run(command, code === undefined ? '?' : String(code))];
  if (timedOut) rows.push(t.timedOut);
  if (stdout.trim()) rows.push(`stdout:\n${clip(stdout.trimEnd())}`);
  if (stderr.trim()) rows.push(`stderr:\n${clip(stderr.trimEnd())}`);
  // The command it was asked to run is the goal: it must have run and exited 0.
  return { text: rows.join('\n'), met: code === 0 && !timedOut };
}

/** list_files' text result: a `<folder>: N entries` header line, then one line per entry. */
function listingText(text: string): { lines: string[]; count?: number } {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = /^.*: (\d+) entr(?:y|ies)(?: \(truncated at \d+\))?$/.exec(lines[0] ?? '');
  return header ? { lines: lines.slice(1), count: Number(header[1]) } : { lines };
}

/** search_files' text result: `file:line: text` lines, then `[N matches in M files]`. */
function searchText(text: string): { lines: string[]; total?: number } {
  const lines = text.split('\n').filter((l) => /\S/.test(l));
  let total: number | undefined;
  const matches = lines.filter((l) => {
    const summary = /^(?:\[|No matches \()(\d+) match(?:es)? in \d+ files?.*[\].]\.?$/.exec(
      l.trim(),
    );
    if (summary) total = Number(summary[1]);
    return !summary;
  });
  return { lines: matches, total };
}

/**
 * run_command's text result: an `exit_code: N (notes)` line, then `stdout:` and `stderr:` blocks.
 * Text in another shape is all treated as stdout.
 */
function commandText(text: string): {
  code?: number;
  timedOut?: boolean;
  stdout: string;
  stderr: string;
} {
  const head = /^exit_code: (-?\d+)(.*)/.exec(text);
  if (!head) return { stdout: text, stderr: '' };
  const body = text.slice(text.indexOf('\n') + 1 || text.length);
  const err = body.search(/(^|\n)stderr:\n/);
  const outPart = err >= 0 ? body.slice(0, err) : body;
  const errPart = err >= 0 ? body.slice(err).replace(/^\n?stderr:\n/, '') : '';
  return {
    code: Number(head[1]),
    timedOut: /timed out/.test(head[2]),
    stdout: outPart.replace(/^stdout:\n/, ''),
    stderr: errPart,
  };
}

function describe(intent: OfflineIntent): string {
  switch (intent.kind) {
    case 'run':
      return `run_command \`${intent.command}\``;
    case 'search':
      return `search_files "${intent.text}"`;
    case 'list':
      return `list_files ${intent.path}`;
    case 'write':
      return `write_file ${intent.path}`;
    default:
      return `read_file ${intent.path}`;
  }
}

function describeEntry(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return String(entry);
  const e = entry as Record<string, unknown>;
  const name = String(e.path ?? e.name ?? '?');
  const dir = e.type === 'directory' || e.type === 'dir' || e.is_directory === true;
  const size = typeof e.size === 'number' && !dir ? ` (${e.size} bytes)` : '';
  return `${name}${dir && !name.endsWith('/') ? '/' : ''}${size}`;
}

function describeMatch(match: unknown): string {
  if (typeof match === 'string') return match;
  if (!match || typeof match !== 'object') return String(match);
  const m = match as Record<string, unknown>;
  return `${String(m.file ?? m.path ?? '?')}:${String(m.line ?? m.line_number ?? '?')}: ${String(m.text ?? m.content ?? '').trim()}`;
}

/** The first lines as a list, then "… and N more" up to `total` (the tool may have cut some). */
function bullets(language: OfflineLanguage, lines: string[], total = lines.length): string {
  const shown = lines.slice(0, MAX_SHOWN_ITEMS).map((l) => `- ${l}`);
  if (total > shown.length) shown.push(T[language].more(total - shown.length));
  return shown.join('\n');
}

function clip(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}\n…` : text;
}

function numberFromText(text: string): number | undefined {
  const m = /(\d+)\s*bytes?/i.exec(text);
  return m ? Number(m[1]) : undefined;
}
