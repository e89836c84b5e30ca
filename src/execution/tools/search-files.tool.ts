import { Injectable } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AppConfigService } from '../../config/app-config.service';
import { ToolInputError } from '../execution.errors';
import type { ArgumentSchema, ToolHandler, ToolOutcome, ToolScope } from '../execution.types';
import { linkKey, type LinkedFile } from '../sandbox/hard-links';
import type { PathSandbox, ResolvedPath } from '../sandbox/path-sandbox';
import { walkFolder } from './file-walker';
import { globMatcher } from './glob-pattern';
import { SEARCH_WORKER_SOURCE } from './search-worker.source';

export interface SearchFilesArgs {
  pattern: string;
  path?: string;
  glob?: string;
  max_results?: number;
}

interface SearchResult {
  matches: { file: string; line: number; text: string }[];
  scanned: number;
  truncated: boolean;
  /** Hard-linked files not read because a name of theirs is outside the roots. */
  skippedLinks: number;
}

/** Files looked at per search, so a huge tree cannot stall it. */
const MAX_FILES = 20_000;
const SEARCH_TIMEOUT_MS = 20_000;
const MAX_LINE_LENGTH = 400;

/** search_files: lines matching a regular expression, as `file:line: text`. */
@Injectable()
export class SearchFilesTool implements ToolHandler<SearchFilesArgs> {
  readonly name = 'search_files';
  readonly kind = 'file';
  readonly description =
    'Search file contents with a regular expression (JavaScript syntax) under a folder of the working directory; returns "file:line: text" lines. glob filters file names, e.g. "*.ts" or "src/**/*.md".';
  readonly parameters: ArgumentSchema = {
    type: 'object',
    properties: {
      pattern: {
        type: 'string',
        description: 'Regular expression to look for.',
        minLength: 1,
        maxLength: 1000,
      },
      path: {
        type: 'string',
        description: 'Folder to search, relative to the working directory (default ".").',
        maxLength: 4096,
      },
      glob: {
        type: 'string',
        description: 'Only files whose name matches this glob.',
        maxLength: 500,
      },
      max_results: { type: 'integer', description: 'Upper bound on matches returned.', minimum: 1 },
    },
    required: ['pattern'],
    additionalProperties: false,
  };

  constructor(private readonly config: AppConfigService) {}

  async run(args: SearchFilesArgs, { sandbox, ctx }: ToolScope): Promise<ToolOutcome> {
    const tools = this.config.get('tools');
    try {
      new RegExp(args.pattern);
    } catch (e) {
      throw new ToolInputError(
        `pattern is not a valid regular expression: ${(e as Error).message}`,
      );
    }
    const start = await sandbox.resolve(args.path || '.', 'read');
    if (!start.exists) throw new ToolInputError(`${start.display} does not exist`);
    const { files, linked } = await filesToSearch(sandbox, start, args.glob);
    // The worker reads a hard-linked file only when all its names are inside the roots.
    const inside = linked.length ? await sandbox.linksInside(linked) : new Set<string>();
    const approvedLinks = linked
      .filter((f) => inside.has(linkKey(f)))
      .map((f) => `${linkKey(f)}:${f.nlink}`);
    const maxResults = Math.min(args.max_results ?? Infinity, tools.max_search_results);
    const budget = ctx.deadline
      ? Math.min(SEARCH_TIMEOUT_MS, ctx.deadline - Date.now())
      : SEARCH_TIMEOUT_MS;
    const result = await this.inWorker(
      {
        pattern: args.pattern,
        flags: '',
        files,
        roots: [...sandbox.roots],
        hidden: [...sandbox.hiddenPaths],
        approvedLinks,
        maxResults,
        maxFileBytes: tools.max_file_size_bytes,
        maxLineLength: MAX_LINE_LENGTH,
      },
      budget,
      ctx.signal,
    );
    return searchOutcome(result, maxResults, files.length >= MAX_FILES);
  }

  private inWorker(
    workerData: Record<string, unknown>,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<SearchResult> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(SEARCH_WORKER_SOURCE, {
        eval: true,
        workerData,
        resourceLimits: { maxOldGenerationSizeMb: 256 },
      });
      const stop = (error: Error) => {
        cleanup();
        void worker.terminate();
        reject(error);
      };
      const timer = setTimeout(
        () =>
          stop(
            new ToolInputError(
              `the search took longer than ${Math.round(timeoutMs / 1000)} s and was stopped; simplify the pattern or narrow path/glob`,
            ),
          ),
        Math.max(1, timeoutMs),
      );
      const onAbort = () => stop(new ToolInputError('the search was cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      worker.once('message', (m: SearchResult) => {
        cleanup();
        void worker.terminate();
        resolve(m);
      });
      worker.once('error', (e) => stop(new ToolInputError(`the search failed: ${e.message}`)));
    });
  }
}

/** The files under `start` (or `start` itself) whose names match `glob`, at most MAX_FILES. */
async function filesToSearch(
  sandbox: PathSandbox,
  start: ResolvedPath,
  glob: string | undefined,
): Promise<{ files: { absolute: string; rel: string }[]; linked: LinkedFile[] }> {
  const matchName = glob ? globMatcher(glob) : () => true;
  const files: { absolute: string; rel: string }[] = [];
  const linked: LinkedFile[] = [];
  const first = await stat(start.absolute);
  if (first.isFile()) {
    files.push({ absolute: start.absolute, rel: start.display });
    if (first.nlink > 1) linked.push(first);
  } else {
    const real = await sandbox.checkFolder(start.absolute);
    for await (const e of walkFolder(sandbox, real, true)) {
      if (e.type !== 'file' || !matchName(e.rel)) continue;
      files.push({ absolute: e.absolute, rel: sandbox.display(e.absolute) });
      if (e.links) linked.push(e.links);
      if (files.length >= MAX_FILES) break;
    }
  }
  return { files, linked };
}

/** `file:line: text` lines and a summary line; the counts as data. */
function searchOutcome(result: SearchResult, maxResults: number, capped: boolean): ToolOutcome {
  const lines = result.matches.map((m) => `${m.file}:${m.line}: ${m.text}`);
  const skipped = result.skippedLinks
    ? `; ${result.skippedLinks} hard-linked file${result.skippedLinks === 1 ? '' : 's'} with a name outside the allowed folders skipped`
    : '';
  const summary = `${result.matches.length} match${result.matches.length === 1 ? '' : 'es'} in ${result.scanned} file${result.scanned === 1 ? '' : 's'}${result.truncated ? ` (truncated at ${maxResults})` : ''}${skipped}`;
  return {
    status: 'ok',
    output: lines.length ? `${lines.join('\n')}\n[${summary}]` : `No matches (${summary}).`,
    data: {
      matches: result.matches.length,
      files_scanned: result.scanned,
      hard_links_skipped: result.skippedLinks,
      truncated: result.truncated || capped,
    },
  };
}
