import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import type { ArgumentSchema, ToolHandler, ToolOutcome, ToolScope } from '../execution.types';
import { cutToBytes, looksBinary, splitLines } from './file-text';

export interface ReadFileArgs {
  path: string;
  offset?: number;
  limit?: number;
}

/** read_file: the text of a file inside the task's folders, optionally a range of lines. */
@Injectable()
export class ReadFileTool implements ToolHandler<ReadFileArgs> {
  readonly name = 'read_file';
  readonly kind = 'file';
  readonly description =
    'Read a text file inside the working directory. Returns its content; use offset and limit (in lines, 1-based) for large files.';
  readonly parameters: ArgumentSchema = {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        description: 'File path, relative to the working directory.',
        minLength: 1,
        maxLength: 4096,
      },
      offset: { type: 'integer', description: 'First line to return (1-based).', minimum: 1 },
      limit: {
        type: 'integer',
        description: 'How many lines to return.',
        minimum: 1,
        maximum: 1_000_000,
      },
    },
    required: ['path'],
    additionalProperties: false,
  };

  constructor(private readonly config: AppConfigService) {}

  async run(args: ReadFileArgs, { sandbox }: ToolScope): Promise<ToolOutcome> {
    const tools = this.config.get('tools');
    const path = await sandbox.resolve(args.path, 'read');
    const { data, size, truncated } = await sandbox.readFile(path, tools.max_file_size_bytes);
    if (looksBinary(data)) {
      return {
        status: 'ok',
        output: `${path.display} is a binary file (${size} bytes); its content is not shown.`,
        data: { path: path.display, bytes: size, binary: true },
      };
    }
    const lines = splitLines(data.toString('utf8'));
    const first = (args.offset ?? 1) - 1;
    const selected = lines.slice(first, args.limit ? first + args.limit : undefined);
    const { text, cut } = cutToBytes(selected.join('\n'), tools.max_output_bytes);
    const shownLines = cut ? splitLines(text).length : selected.length;
    const partial = truncated || cut || first > 0 || first + shownLines < lines.length;
    const notes: string[] = [];
    if (partial)
      notes.push(
        `showing lines ${Math.min(first + 1, lines.length)}-${first + shownLines} of ${lines.length}${truncated ? '+' : ''}`,
      );
    if (truncated)
      notes.push(
        `the file has ${size} bytes; only the first ${tools.max_file_size_bytes} were read`,
      );
    return {
      status: 'ok',
      output: notes.length ? `${text}\n[… truncated: ${notes.join('; ')} …]` : text,
      data: { path: path.display, bytes: size, lines: lines.length, truncated: partial },
    };
  }
}
