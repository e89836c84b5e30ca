import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { ToolInputError } from '../execution.errors';
import type { ArgumentSchema, ToolHandler, ToolOutcome, ToolScope } from '../execution.types';

export interface WriteFileArgs {
  path: string;
  content: string;
}

/** write_file: creates or replaces a file (parents created), atomically and never through a link. */
@Injectable()
export class WriteFileTool implements ToolHandler<WriteFileArgs> {
  readonly name = 'write_file';
  readonly kind = 'file';
  readonly description =
    'Create or overwrite a text file inside the working directory with the given content; missing parent folders are created.';
  readonly parameters: ArgumentSchema = {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        description: 'File path, relative to the working directory.',
        minLength: 1,
        maxLength: 4096,
      },
      content: { type: 'string', description: 'The complete new content of the file.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  };

  constructor(private readonly config: AppConfigService) {}

  async run(args: WriteFileArgs, { sandbox }: ToolScope): Promise<ToolOutcome> {
    const max = this.config.get('tools').max_file_size_bytes;
    const data = Buffer.from(args.content, 'utf8');
    if (data.length > max)
      throw new ToolInputError(
        `content is ${data.length} bytes; the limit is ${max} (tools.max_file_size_bytes)`,
      );
    const path = await sandbox.resolve(args.path, 'write');
    if (path.type === 'dir') throw new ToolInputError(`${path.display} is a folder`);
    const { created } = await sandbox.writeFile(path, data);
    return {
      status: 'ok',
      output: `${created ? 'Created' : 'Wrote'} ${path.display} (${data.length} bytes).`,
      data: { path: path.display, bytes: data.length, created },
      artifact: { type: 'file_written', path: path.display, bytes: data.length },
    };
  }
}
