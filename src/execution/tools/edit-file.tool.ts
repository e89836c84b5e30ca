import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { ToolInputError } from '../execution.errors';
import type { ArgumentSchema, ToolHandler, ToolOutcome, ToolScope } from '../execution.types';
import { looksBinary } from './file-text';

export interface EditFileArgs {
  path: string;
  old_text: string;
  new_text: string;
  replace_all?: boolean;
}

/** edit_file: replaces an exact, unique piece of text (or every occurrence with replace_all). */
@Injectable()
export class EditFileTool implements ToolHandler<EditFileArgs> {
  readonly name = 'edit_file';
  readonly kind = 'file';
  readonly description =
    'Replace old_text with new_text in a file. old_text must match exactly and, unless replace_all is true, only once; include surrounding lines to make it unique.';
  readonly parameters: ArgumentSchema = {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        description: 'File path, relative to the working directory.',
        minLength: 1,
        maxLength: 4096,
      },
      old_text: { type: 'string', description: 'The exact text to replace.', minLength: 1 },
      new_text: { type: 'string', description: 'The replacement text.' },
      replace_all: {
        type: 'boolean',
        description: 'Replace every occurrence instead of exactly one.',
      },
    },
    required: ['path', 'old_text', 'new_text'],
    additionalProperties: false,
  };

  constructor(private readonly config: AppConfigService) {}

  async run(args: EditFileArgs, { sandbox }: ToolScope): Promise<ToolOutcome> {
    const max = this.config.get('tools').max_file_size_bytes;
    const path = await sandbox.resolve(args.path, 'write');
    const { data, truncated } = await sandbox.readFile(path, max);
    if (truncated)
      throw new ToolInputError(
        `${path.display} is larger than ${max} bytes (tools.max_file_size_bytes) and cannot be edited`,
      );
    if (looksBinary(data)) throw new ToolInputError(`${path.display} is a binary file`);
    const text = data.toString('utf8');
    const count = text.split(args.old_text).length - 1;
    if (count === 0) throw new ToolInputError(`old_text was not found in ${path.display}`);
    if (count > 1 && !args.replace_all) {
      throw new ToolInputError(
        `old_text occurs ${count} times in ${path.display}; add surrounding lines to make it unique or set replace_all`,
      );
    }
    const updated = args.replace_all
      ? text.split(args.old_text).join(args.new_text)
      : text.replace(args.old_text, () => args.new_text);
    const out = Buffer.from(updated, 'utf8');
    if (out.length > max)
      throw new ToolInputError(`the edited file would be ${out.length} bytes; the limit is ${max}`);
    await sandbox.writeFile(path, out);
    const replacements = args.replace_all ? count : 1;
    return {
      status: 'ok',
      output: `Edited ${path.display}: ${replacements} replacement${replacements === 1 ? '' : 's'} (${out.length} bytes).`,
      data: { path: path.display, replacements, bytes: out.length },
      artifact: { type: 'file_edited', path: path.display, bytes: out.length },
    };
  }
}
