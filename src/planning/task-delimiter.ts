/**
 * Puts text into a prompt as data: `<task>…</task>` (or `<plan>…</plan>`). Inside, every
 * `<task` / `</task` is written `&lt;task` / `&lt;/task`, so the text can neither close its
 * block nor open a new one; an existing `&lt;task` gains one `amp;`. This is the convention of
 * src/model/task-text.ts (the offline model reads the task back with it) and is exactly
 * reversible. Disguised tags - look-alike brackets or slashes, spaces or invisible characters
 * inside the tag - lose their bracket too (`&lt;`), which is not reversed: they only occur in
 * attempts to break out of the block.
 */

const OPEN_LIKE = '<\\uFF1C\\uFE64\\u2039\\u3008\\u27E8\\u2329\\u276E\\u02C2';
const SLASH_LIKE = '/\\\\\\uFF0F\\u2044\\u2215\\u29F8';
const INVISIBLE = '\\s\\u00AD\\u034F\\u180E\\u200B-\\u200F\\u2028-\\u202F\\u2060-\\u2064\\uFEFF';

/** Escapes text for a `<tag>` data block (see the file comment). */
export function escapeDataText(text: string, tag = 'task'): string {
  const plain = new RegExp(`&((?:amp;)*)lt;(\\/?${tag})|<(\\/?${tag})`, 'giu');
  const escaped = text.replace(
    plain,
    (match, amps: string | undefined, t1?: string, t2?: string) =>
      match.startsWith('<') ? `&lt;${t2}` : `&amp;${amps ?? ''}lt;${t1}`,
  );
  return escaped.replace(disguisedTag(tag), '&lt;');
}

/** Reverses escapeDataText (disguised tags stay neutralised). */
export function unescapeDataText(text: string, tag = 'task'): string {
  const escaped = new RegExp(`&((?:amp;)*)lt;(\\/?${tag})`, 'giu');
  return text.replace(escaped, (_m, amps: string, t: string) =>
    amps ? `&${amps.slice('amp;'.length)}lt;${t}` : `<${t}`,
  );
}

/** `<tag>\n{escaped text}\n</tag>` */
export function wrapData(tag: string, text: string): string {
  return `<${tag}>\n${escapeDataText(text, tag)}\n</${tag}>`;
}

/** The text of the first `<tag>` block of a message (unescaped), or null when there is none. */
export function unwrapData(message: string, tag = 'task'): string | null {
  const open = `<${tag}>\n`;
  const start = message.indexOf(open);
  if (start < 0) return null;
  // an escaped body holds no "</tag", so the first closing tag is the real one
  const end = message.indexOf(`\n</${tag}>`, start + open.length - 1);
  if (end < 0) return null;
  return unescapeDataText(
    message.slice(start + open.length, Math.max(end, start + open.length)),
    tag,
  );
}

/** A bracket-like character, then (with spaces or invisible characters anywhere) a slash-like one and the tag name, letters possibly full-width. */
function disguisedTag(tag: string): RegExp {
  const gap = `[${INVISIBLE}]*`;
  const letters = [...tag]
    .map((c) => {
      const full = String.fromCodePoint(c.codePointAt(0)! - 0x61 + 0xff41);
      return `[${c}${c.toUpperCase()}${full}${full.toUpperCase()}]`;
    })
    .join(gap);
  return new RegExp(`[${OPEN_LIKE}](?=${gap}(?:[${SLASH_LIKE}]${gap}){0,2}${letters})`, 'gu');
}
