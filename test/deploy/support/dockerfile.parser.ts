/** One Dockerfile instruction after line continuations are joined and comments dropped. */
export interface DockerInstruction {
  keyword: string;
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

/** A build stage: its FROM and the instructions up to the next FROM. */
export interface DockerStage {
  name?: string;
  base: string;
  instructions: DockerInstruction[];
}

/**
 * A small Dockerfile reader for structural checks: joins `\` continuations, drops comment lines
 * (also inside continuations, as Docker does) and splits into stages.
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let current: { parts: string[]; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !current)) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1).trim() : line;
    if (current) current.parts.push(body);
    else current = { parts: [body], line: i + 1 };
    if (!continued) {
      const joined = current.parts.filter(Boolean).join(' ');
      const space = joined.search(/\s/);
      out.push({
        keyword: (space < 0 ? joined : joined.slice(0, space)).toUpperCase(),
        args: space < 0 ? '' : joined.slice(space + 1).trim(),
        line: current.line,
      });
      current = undefined;
    }
  });
  if (current) throw new Error(`line ${current.line}: continuation never ends`);
  return out;
}

/** Groups instructions by FROM; ARGs before the first FROM are returned apart. */
export function dockerStages(instructions: DockerInstruction[]): {
  globalArgs: DockerInstruction[];
  stages: DockerStage[];
} {
  const globalArgs: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: unreadable FROM ${ins.args}`);
      stages.push({ base: m[1], name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before FROM`);
      globalArgs.push(ins);
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** `ENV a=1 b=2` (the key=value form; values without spaces) as a map. */
export function envOf(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of ins.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`line ${ins.line}: use ENV key=value, got ${pair}`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** Arguments of an exec-form instruction (`CMD ["a", "b"]`), or null for the shell form. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new Error(`not a JSON array of strings: ${args}`);
  }
  return parsed as string[];
}

/**
 * Whether `.dockerignore` keeps `path` out of the build context: Go filepath.Match patterns
 * relative to the context root, `**` for any depth, `!` exceptions, the last match winning, and a
 * matched folder excluding everything inside it.
 */
export function dockerIgnores(patterns: string[], path: string): boolean {
  const rules = patterns
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('#'))
    .map((p) => {
      const negated = p.startsWith('!');
      const body = (negated ? p.slice(1) : p).replace(/^\/+/, '').replace(/\/+$/, '');
      const source = body
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*');
      return { negated, re: new RegExp(`^${source}$`) };
    });
  const segments = path.split('/');
  let ignored = false;
  for (const rule of rules) {
    for (let i = 1; i <= segments.length; i++) {
      if (rule.re.test(segments.slice(0, i).join('/'))) {
        ignored = !rule.negated;
        break;
      }
    }
  }
  return ignored;
}
