/**
 * The body of the search worker thread, as plain JavaScript (run with `eval: true`, so it needs
 * no build step). A hostile regular expression can backtrack for ages; in a worker it can be
 * terminated without blocking the service.
 *
 * workerData: { pattern, flags, files: [{ absolute, rel }], roots, hidden, approvedLinks, maxResults, maxFileBytes, maxLineLength }
 * posts: { matches: [{ file, line, text }], scanned, truncated, skippedLinks }
 * A file with several hard links is read only when its `dev:ino:nlink` is in approvedLinks.
 */
export const SEARCH_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { pattern, flags, files, roots, hidden, approvedLinks, maxResults, maxFileBytes, maxLineLength } = workerData;
const approved = new Set(approvedLinks);
const re = new RegExp(pattern, flags);
const within = (p, list) => list.some((r) => p === r || p.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
const matches = [];
let scanned = 0;
let truncated = false;
let skippedLinks = 0;
outer: for (const f of files) {
  let fd;
  try {
    fd = fs.openSync(f.absolute, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    let real = '';
    try { real = fs.readlinkSync('/proc/self/fd/' + fd); } catch { real = f.absolute; }
    if (!within(real, roots) || within(real, hidden)) continue;
    const st = fs.fstatSync(fd);
    if (!st.isFile()) continue;
    if (st.nlink > 1 && !approved.has(st.dev + ':' + st.ino + ':' + st.nlink)) { skippedLinks++; continue; }
    const buf = Buffer.alloc(Math.min(st.size, maxFileBytes));
    const n = buf.length ? fs.readSync(fd, buf, 0, buf.length, 0) : 0;
    const data = buf.subarray(0, n);
    if (data.subarray(0, 8192).includes(0)) continue;
    scanned++;
    const lines = data.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (re.test(lines[i])) {
        if (matches.length >= maxResults) { truncated = true; break outer; }
        matches.push({ file: f.rel, line: i + 1, text: lines[i].slice(0, maxLineLength) });
      }
    }
  } catch {
    // Unreadable or gone: skipped.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
parentPort.postMessage({ matches, scanned, truncated, skippedLinks });
`;
