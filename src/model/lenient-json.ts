/**
 * Finds JSON objects in model text: fenced ```json blocks first, then every balanced top-level
 * `{…}` in the prose, each parsed leniently (trailing commas and smart quotes tolerated).
 * Returns the parsed objects in the order they appear.
 */
export function findJsonObjects(text: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const candidates: string[] = [];
  for (const m of text.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) candidates.push(m[1]);
  candidates.push(...balancedObjects(text));
  for (const candidate of candidates) {
    const parsed = parseLenient(candidate);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      found.push(parsed as Record<string, unknown>);
    }
  }
  return found;
}

/** JSON.parse with light repairs; undefined when the text is not JSON even then. */
export function parseLenient(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  for (const attempt of [
    trimmed,
    trimmed.replace(/,\s*([}\]])/g, '$1'),
    trimmed.replace(/[\u201c\u201d]/g, '"').replace(/,\s*([}\]])/g, '$1'),
  ]) {
    try {
      return JSON.parse(attempt);
    } catch {
      // try the next repair
    }
  }
  return undefined;
}

/** Every balanced top-level `{…}` span, string literals respected. */
function balancedObjects(text: string): string[] {
  const spans: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0) spans.push(text.slice(start, i + 1));
    }
  }
  return spans;
}
