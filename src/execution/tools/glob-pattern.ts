/**
 * File-name globs for search_files: `*` and `?` stay inside one path segment, `**` crosses
 * segments, `{a,b}` alternates. A glob without `/` is matched against the base name.
 */
export function globMatcher(glob: string): (relPath: string) => boolean {
  const re = new RegExp(`^${globBody(glob)}$`);
  const onBase = !glob.includes('/');
  return (relPath) => re.test(onBase ? relPath.slice(relPath.lastIndexOf('/') + 1) : relPath);
}

function globBody(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
        i += glob[i + 2] === '/' ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map(globBody)
          .join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return re;
}
