/** What the offline planner can say about a text file without a model. */
export interface FileSummary {
  /** The first level-1 heading, else the first heading. */
  title?: string;
  headings: string[];
  /** The first paragraph of prose (headings, code, images and badges skipped), shortened. */
  first_paragraph?: string;
  lines: number;
  /** Words in Latin scripts plus one per Han character. */
  words: number;
}

const MAX_PARAGRAPH = 400;
const WORD = /[\p{Script=Han}]|[\p{L}\p{N}][\p{L}\p{N}'\u2019_-]*/gu;

/** Summarises a text: title, headings, first paragraph, line and word counts. */
export function summarizeText(text: string): FileSummary {
  const body = text.replace(/\r\n?/g, '\n');
  const lines = body.length === 0 ? 0 : body.replace(/\n$/, '').split('\n').length;
  const words = (body.match(WORD) ?? []).length;
  const headings: Array<{ level: number; text: string }> = [];
  let paragraph: string[] | undefined;
  let current: string[] = [];
  let inFence = false;
  const rows = body.split('\n');
  const endParagraph = (): void => {
    if (!paragraph && current.length) paragraph = current;
    current = [];
  };
  rows.forEach((row, i) => {
    const line = row.trim();
    if (/^(```|~~~)/.test(line)) {
      inFence = !inFence;
      endParagraph();
      return;
    }
    if (inFence) return;
    const atx = /^(#{1,6})\s+(.+?)\s*#*$/.exec(line);
    const setext =
      i + 1 < rows.length &&
      line &&
      /^(=+|-+)\s*$/.test(rows[i + 1].trim()) &&
      !/^[-=]+$/.test(line);
    if (atx) {
      headings.push({ level: atx[1].length, text: atx[2] });
      endParagraph();
    } else if (setext) {
      headings.push({ level: rows[i + 1].trim().startsWith('=') ? 1 : 2, text: line });
      endParagraph();
    } else if (!line || /^(=+|-+)$/.test(line)) {
      endParagraph();
    } else if (!isDecoration(line)) {
      current.push(line);
    }
  });
  endParagraph();
  const title = (headings.find((h) => h.level === 1) ?? headings[0])?.text;
  const first = paragraph?.join(' ');
  return {
    ...(title ? { title: stripMarkdown(title) } : {}),
    headings: headings.map((h) => stripMarkdown(h.text)),
    ...(first ? { first_paragraph: shorten(stripMarkdown(first)) } : {}),
    lines,
    words,
  };
}

/** Lines that are not prose: images, badges, HTML tags and comments, rules, tables. */
function isDecoration(line: string): boolean {
  return (
    /^(!\[|\[!\[)/.test(line) ||
    /^<\/?[a-zA-Z!][^>]*>\s*$/.test(line) ||
    /^<!--/.test(line) ||
    /^(\*\s*){3,}$|^(_\s*){3,}$/.test(line) ||
    /^\|.*\|$/.test(line)
  );
}

function stripMarkdown(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function shorten(text: string): string {
  return text.length > MAX_PARAGRAPH ? `${text.slice(0, MAX_PARAGRAPH - 1).trimEnd()}…` : text;
}
