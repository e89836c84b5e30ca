import { OfflineIntent, OfflineUnderstanding } from './offline-intent';

/**
 * Rule-based reading of plain English or Chinese requests for the offline planner: list a folder,
 * read or summarize a file, search text, run a quoted command, write quoted text to a file.
 * Quoted text is masked first, so what is inside quotes never steers the parsing.
 */

const QUOTES: Array<[string, string]> = [
  ['`', '`'],
  ['"', '"'],
  ["'", "'"],
  ['\u201c', '\u201d'],
  ['\u2018', '\u2019'],
  ['\u300c', '\u300d'],
  ['\u300e', '\u300f'],
];
const SLOT = /\uE000(\d+)\uE000/g;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff]/;

const SPLIT =
  /\s*(?:[;\uff1b\u3002]|\.\s+(?=\S)|,?\s*\band\s+then\b|,?\s*\bthen\b|,?\s*\bafter\s+that\b|,?\s*\band\s+(?=(?:also\s+)?(?:list|read|show|cat|display|print|open|view|summari[sz]e|search|grep|find|look|run|execute|exec|write|save|put|create|make|count|tell|give)\b)|\u7136\u540e|\u63a5\u7740|\u4e4b\u540e|\u968f\u540e|\u5e76\u4e14|\u5e76|\u518d)\s*/i;

const EN = {
  run: /\b(run|execute|exec|launch)\b/i,
  write: /\b(write|save|put|store|append|create|make)\b/i,
  search: /\b(search|grep|find|look\s+for|locate)\b/i,
  summarize:
    /\b(summari[sz]e|summary|sum\s+up|overview|tl;?dr|gist|count|how\s+many\s+(?:lines|words))\b/i,
  list: /\b(list|ls|tree)\b/i,
  show: /\b(show|display|what|which|view)\b|what'?s\b/i,
  folderWords: /\b(files|folders|directories|folder|directory|dir)\b/i,
  read: /\b(read|show|cat|display|print|open|view|output|contents?\s+of)\b/i,
  recursive: /\b(recursive(ly)?|subfolders?|sub-?director(y|ies)|all\s+levels)\b/i,
  fileWord: /\bfile\b/i,
};
const ZH = {
  run: /(\u8fd0\u884c|\u6267\u884c)/, // 运行 执行
  write:
    /(\u5199\u5165|\u5199\u5230|\u5199\u8fdb|\u5199|\u4fdd\u5b58|\u5b58\u5165|\u5b58\u5230|\u521b\u5efa|\u65b0\u5efa)/, // 写入 写到 写进 写 保存 存入 存到 创建 新建
  search: /(\u641c\u7d22|\u67e5\u627e|\u5bfb\u627e|\u68c0\u7d22|\u641c)/, // 搜索 查找 寻找 检索 搜
  summarize: /(\u603b\u7ed3|\u6982\u62ec|\u6458\u8981|\u6982\u8ff0|\u5f52\u7eb3|\u7edf\u8ba1)/, // 总结 概括 摘要 概述 归纳 统计
  list: /(\u5217\u51fa|\u5217\u4e3e|\u5217\u4e00\u4e0b|\u6709\u54ea\u4e9b\u6587\u4ef6|\u6709\u4ec0\u4e48\u6587\u4ef6|\u6587\u4ef6\u5217\u8868)/, // 列出 列举 列一下 有哪些文件 有什么文件 文件列表
  show: /(\u67e5\u770b|\u663e\u793a|\u770b\u770b|\u770b\u4e00\u4e0b)/, // 查看 显示 看看 看一下
  folderWords: /(\u76ee\u5f55|\u6587\u4ef6\u5939)/, // 目录 文件夹
  read: /(\u8bfb\u53d6|\u8bfb|\u67e5\u770b|\u663e\u793a|\u6253\u5f00|\u770b\u770b|\u8f93\u51fa)/, // 读取 读 查看 显示 打开 看看 输出
  recursive: /(\u9012\u5f52|\u5b50\u76ee\u5f55|\u6240\u6709\u5c42\u7ea7)/, // 递归 子目录 所有层级
  fileWord: /\u6587\u4ef6/, // 文件
};

/** "." for the current folder in either language. */
const CURRENT_DIR =
  /\b(current|this|working|present)\s+(folder|directory|dir)\b|\bhere\b|(\u5f53\u524d|\u8fd9\u4e2a|\u6b64|\u5de5\u4f5c)(\u76ee\u5f55|\u6587\u4ef6\u5939)/i;
const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'this',
  'that',
  'current',
  'working',
  'all',
  'files',
  'it',
  'its',
  'my',
  'me',
  'file',
  'folder',
  'directory',
  'dir',
  'and',
  'of',
  'in',
  'for',
]);
const FILLER =
  /^(?:please|pls|thanks?|thank\s+you|now|also|ok(?:ay)?|and|\u8c22\u8c22|\u8bf7|\u9ebb\u70e6\u4f60?|\u5e2e\u6211)?[\s.!?,\uff0c\u3002\uff01\uff1f]*$/i;

/** A path-looking token: has a folder separator or a file extension with a letter. */
const PATH_TOKEN =
  /(?:~|\.{1,2})?\/?(?:[\w.-]+\/)+[\w.-]*|(?:[\w-]+)?(?:\.[\w-]+)*\.[A-Za-z][A-Za-z0-9]{0,9}\b/g;

interface Clause {
  /** Text with quotes replaced by slots. */
  masked: string;
  /** The quoted values in this clause, in order. */
  quotes: string[];
}

/**
 * The intents of a request, in order, or none (with the clause it could not read) when any part
 * of it needs a real model: doing half of a request would be worse than saying so.
 */
export function parseOfflineRequest(request: string): OfflineUnderstanding {
  const language = HAN.test(request) ? 'zh' : 'en';
  const { masked, values } = maskQuotes(request.trim());
  const clauses: Clause[] = masked
    .split(SPLIT)
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => ({ masked: c, quotes: [...c.matchAll(SLOT)].map((m) => values[Number(m[1])]) }));
  const intents: OfflineIntent[] = [];
  let lastPath: string | undefined;
  for (const clause of clauses) {
    if (FILLER.test(clause.masked)) continue;
    const intent = classify(clause, values, lastPath);
    if (!intent) return { language, intents: [], unclear: unmask(clause.masked, values) };
    const previous = intents[intents.length - 1];
    if (intent.kind === 'summarize' && previous?.kind === 'read' && previous.path === intent.path) {
      intents.pop(); // "read X and summarize it" is one summary
    } else if (
      intent.kind === 'write' &&
      previous?.kind === 'write' &&
      previous.content === '' &&
      intent.path === previous.path
    ) {
      intents.pop(); // "create file X, then write 'y'" is one write
    }
    intents.push(intent);
    if ('path' in intent && intent.path) lastPath = intent.path;
  }
  if (!intents.length) return { language, intents: [], unclear: request.trim() };
  return { language, intents };
}

function classify(clause: Clause, values: string[], lastPath?: string): OfflineIntent | undefined {
  const text = clause.masked;
  const has = (key: keyof typeof EN): boolean => EN[key].test(text) || ZH[key].test(text);
  if (has('run')) {
    return clause.quotes.length ? { kind: 'run', command: clause.quotes[0].trim() } : undefined;
  }
  if (has('write')) return writeIntent(clause, values, lastPath);
  if (has('search')) return searchIntent(clause, values);
  if (has('summarize')) {
    const path = filePath(clause) ?? lastPath;
    return path ? { kind: 'summarize', path } : undefined;
  }
  const listy = has('list') || (has('show') && has('folderWords'));
  if (listy) {
    const file = filePath(clause);
    if (file && !has('folderWords')) return { kind: 'read', path: file };
    return { kind: 'list', path: folderPath(clause, values) ?? '.', recursive: has('recursive') };
  }
  if (has('read') || has('show')) {
    const path =
      filePath(clause) ?? (/\b(it|that file|the file)\b|\u5b83/i.test(text) ? lastPath : undefined);
    return path ? { kind: 'read', path } : undefined;
  }
  return undefined;
}

function writeIntent(
  clause: Clause,
  values: string[],
  lastPath?: string,
): OfflineIntent | undefined {
  const text = clause.masked;
  // the file is what follows "to/into/named/file" (or 写入/保存到/文件); the quote left over is the content
  const target =
    /\b(?:to|into|in|as|named|called|file)\s+(?:the\s+)?(?:file\s+)?(\uE000\d+\uE000|[\w./~-]+)/i.exec(
      text,
    ) ??
    /(?:\u5199\u5165|\u5199\u5230|\u5199\u8fdb|\u4fdd\u5b58\u5230|\u4fdd\u5b58\u4e3a|\u5b58\u5165|\u5b58\u5230|\u6587\u4ef6|\u5230)\s*(\uE000\d+\uE000|[\w./~-]+)/.exec(
      text,
    );
  let path: string | undefined;
  let pathSlot: string | undefined;
  // a quoted target is the file only if it looks like one or another quote can be the content
  const slots = text.match(SLOT)?.length ?? 0;
  const quotedFile = (t: string): boolean => looksLikePath(slotValue(t, values)) || slots > 1;
  if (target && (isSlot(target[1]) ? quotedFile(target[1]) : looksLikePath(target[1]))) {
    pathSlot = isSlot(target[1]) ? target[1] : undefined;
    path = pathSlot ? slotValue(pathSlot, values) : target[1];
  }
  path ??= firstPathToken(text);
  const contentSlot = [...text.matchAll(SLOT)].map((m) => m[0]).find((s) => s !== pathSlot);
  if (!contentSlot) {
    // "create (an empty) file X": an empty file, unless a later clause says what goes in it
    return path && matchesEither(text, EN.fileWord, ZH.fileWord)
      ? { kind: 'write', path, content: '' }
      : undefined;
  }
  path ??= lastPath;
  return path ? { kind: 'write', path, content: slotValue(contentSlot, values) } : undefined;
}

function searchIntent(clause: Clause, values: string[]): OfflineIntent | undefined {
  const text = clause.masked;
  let needle: string | undefined = clause.quotes[0];
  if (!needle) {
    const en =
      /\b(?:search(?:\s+for)?|grep(?:\s+for)?|find|look\s+for|locate)\s+(?:all\s+)?(?:the\s+)?(?:(?:text|string|word|pattern|term)\s+)?(?:occurrences?\s+of\s+)?([^\s,;]+)/i.exec(
        text,
      );
    const zh =
      /(?:\u641c\u7d22|\u67e5\u627e|\u5bfb\u627e|\u68c0\u7d22|\u641c)\s*(?:\u4e00\u4e0b)?\s*(?:\u5173\u952e\u5b57|\u5173\u952e\u8bcd|\u6587\u672c|\u5b57\u7b26\u4e32)?\s*([^\s\uff0c\u3002,;\uff1b]+)/.exec(
        text,
      );
    needle = (en ?? zh)?.[1]?.replace(/[?？.!]+$/, '');
  }
  if (!needle || STOP_WORDS.has(needle.toLowerCase())) return undefined;
  const path = folderPath(clause, values, needle);
  return { kind: 'search', text: needle, ...(path && path !== '.' ? { path } : {}) };
}

/** A file named in the clause: a quoted or bare path-looking token. */
function filePath(clause: Clause): string | undefined {
  return (
    firstPathToken(clause.masked) ?? clause.quotes.find((q) => looksLikePath(q.trim()))?.trim()
  );
}

/** A folder named in the clause ("in src", "the docs folder", "src 目录", "在 src 中"). */
function folderPath(clause: Clause, values: string[], exclude?: string): string | undefined {
  const text = clause.masked;
  if (CURRENT_DIR.test(text)) return '.';
  const candidates = [
    /([\w./~-]+|\uE000\d+\uE000)\s+(?:folder|directory|dir)\b/i.exec(text)?.[1],
    /\b(?:folder|directory|dir)\s+(\uE000\d+\uE000|[\w./~-]+)/i.exec(text)?.[1],
    /([\w./~-]+|\uE000\d+\uE000)\s*(?:\u76ee\u5f55|\u6587\u4ef6\u5939)/.exec(text)?.[1],
    /\u5728\s*(\uE000\d+\uE000|[\w./~-]+)\s*(?:\u4e2d|\u91cc|\u4e0b|\u5185|\u76ee\u5f55|\u6587\u4ef6\u5939)/.exec(
      text,
    )?.[1],
    /\b(?:in|under|inside|within|of|from|at)\s+(?:the\s+)?(\uE000\d+\uE000|[\w./~-]+)/i.exec(
      text,
    )?.[1],
  ];
  for (const c of candidates) {
    if (!c) continue;
    const value = isSlot(c) ? slotValue(c, values) : c;
    if (STOP_WORDS.has(value.toLowerCase()) || value === exclude) continue;
    return value.replace(/\/+$/, '') || '/';
  }
  return undefined;
}

function firstPathToken(masked: string): string | undefined {
  const plain = masked.replace(SLOT, ' ');
  for (const m of plain.matchAll(PATH_TOKEN)) {
    const token = m[0].replace(/[.,;:!?]+$/, '');
    if (looksLikePath(token) && !/^https?:/i.test(token)) return token;
  }
  return undefined;
}

function looksLikePath(token: string): boolean {
  return (
    /\//.test(token) ||
    /(?:^|[\w-])\.[A-Za-z][A-Za-z0-9]{0,9}$/.test(token) ||
    /^\.[A-Za-z]/.test(token)
  );
}

function maskQuotes(text: string): { masked: string; values: string[] } {
  const values: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const pair = QUOTES.find(([open]) => open === text[i]);
    // an apostrophe inside a word ("what's") is not a quote
    const apostrophe = text[i] === "'" && i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]);
    if (pair && !apostrophe) {
      const end = text.indexOf(pair[1], i + 1);
      if (end > i + 1) {
        values.push(text.slice(i + 1, end));
        out += ` \uE000${values.length - 1}\uE000 `;
        i = end + 1;
        continue;
      }
    }
    out += text[i];
    i++;
  }
  return { masked: out, values };
}

function unmask(masked: string, values: string[]): string {
  return masked
    .replace(SLOT, (_m, n: string) => `"${values[Number(n)]}"`)
    .replace(/\s+/g, ' ')
    .trim();
}

function isSlot(token: string): boolean {
  return /^\uE000\d+\uE000$/.test(token);
}

function slotValue(slot: string, values: string[]): string {
  return values[Number(slot.slice(1, -1))];
}

function matchesEither(text: string, en: RegExp, zh: RegExp): boolean {
  return en.test(text) || zh.test(text);
}
