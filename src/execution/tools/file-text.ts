/** Text helpers shared by the file tools. */

/** A NUL byte in the first 8 KiB marks a binary file (what git and grep do too). */
export function looksBinary(data: Buffer): boolean {
  return data.subarray(0, 8192).includes(0);
}

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function cutToBytes(text: string, maxBytes: number): { text: string; cut: boolean } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, cut: false };
  const buf = Buffer.from(text).subarray(0, maxBytes);
  return { text: buf.toString('utf8').replace(/\uFFFD$/, ''), cut: true };
}

/** Splits into lines; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
