import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import { PromptTemplateError } from './prompt-template.error';
import { PromptTemplate } from './prompt-template';
import { ProjectDocument, TemplateIssue } from './prompt-template.types';

/** What reading one layer file gave: a template or document, or why not. */
export interface LayerFile<T> {
  /** Changes whenever the file does (size, mtime, ctime, inode); `missing:<path>` when absent. */
  stamp: string;
  value?: T;
  issue?: TemplateIssue;
  /** True when this call read the file (it was new or had changed). */
  fresh: boolean;
}

export interface LayerReadOptions {
  maxBytes: number;
  /** The file must resolve (symlinks too) inside this folder, else it is ignored. */
  within?: string;
  /** A missing file is an issue (a configured template) rather than normal (a project file). */
  required?: boolean;
}

/**
 * Reads template layers and project documents, each cached until the file changes on disk, so
 * an edited template reaches the next task without a restart. Files in a task's working
 * directory are untrusted: they must be regular files that resolve inside it.
 */
export class PromptLayerLoader {
  private readonly templates = new Map<string, LayerFile<PromptTemplate>>();
  private readonly documents = new Map<string, LayerFile<ProjectDocument>>();

  template(path: string, options: LayerReadOptions): LayerFile<PromptTemplate> {
    return this.cached(this.templates, path, options, (bytes, truncated) => {
      if (truncated) {
        return { issue: issue(path, `larger than ${options.maxBytes} bytes; ignored`) };
      }
      try {
        return { value: PromptTemplate.parse(bytes.toString('utf8'), path) };
      } catch (e) {
        if (e instanceof PromptTemplateError) {
          return { issue: issue(path, e.message.replace(/^Invalid prompt template [^:]+: /u, '')) };
        }
        throw e;
      }
    });
  }

  document(path: string, options: LayerReadOptions): LayerFile<ProjectDocument> {
    return this.cached(this.documents, path, options, (bytes, truncated) => ({
      value: { source: path, content: bytes.toString('utf8').replace(/\uFFFD+$/u, ''), truncated },
    }));
  }

  private cached<T>(
    cache: Map<string, LayerFile<T>>,
    path: string,
    options: LayerReadOptions,
    interpret: (bytes: Buffer, truncated: boolean) => Pick<LayerFile<T>, 'value' | 'issue'>,
  ): LayerFile<T> {
    const located = locate(path, options);
    const previous = cache.get(path);
    if (previous && previous.stamp === located.stamp) return { ...previous, fresh: false };
    let entry: LayerFile<T>;
    if (located.issue || !located.real) {
      entry = { stamp: located.stamp, issue: located.issue, fresh: true };
    } else {
      try {
        const { bytes, truncated } = readCapped(located.real, options.maxBytes);
        entry = { stamp: located.stamp, ...interpret(bytes, truncated), fresh: true };
      } catch (e) {
        entry = {
          stamp: located.stamp,
          issue: issue(path, `cannot read: ${(e as Error).message}`),
          fresh: true,
        };
      }
    }
    cache.set(path, entry);
    return entry;
  }
}

interface Located {
  stamp: string;
  real?: string;
  issue?: TemplateIssue;
}

function locate(path: string, options: LayerReadOptions): Located {
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch {
    return {
      stamp: `missing:${path}`,
      issue: options.required ? issue(path, 'file not found; ignored') : undefined,
    };
  }
  if (options.within !== undefined) {
    let root: string;
    try {
      root = realpathSync.native(options.within);
    } catch {
      return { stamp: `missing:${path}` };
    }
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
      return {
        stamp: `outside:${real}`,
        issue: issue(path, 'resolves outside the working directory; ignored'),
      };
    }
  }
  const st = statSync(real, { bigint: true });
  const stamp = `${real}|${st.ino}|${st.size}|${st.mtimeNs}|${st.ctimeNs}`;
  // a FIFO or device named like a template would block or stream forever
  if (!st.isFile()) return { stamp, issue: issue(path, 'not a regular file; ignored') };
  return { stamp, real };
}

function readCapped(file: string, maxBytes: number): { bytes: Buffer; truncated: boolean } {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    const truncated = length > maxBytes;
    return { bytes: buffer.subarray(0, Math.min(length, maxBytes)), truncated };
  } finally {
    closeSync(fd);
  }
}

function issue(source: string, message: string): TemplateIssue {
  return { source, path: '', message };
}
