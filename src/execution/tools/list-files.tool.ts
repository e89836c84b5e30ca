import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { ToolInputError } from '../execution.errors';
import type { ArgumentSchema, ToolHandler, ToolOutcome, ToolScope } from '../execution.types';
import { SKIPPED_FOLDERS, walkFolder, type WalkEntry } from './file-walker';

export interface ListFilesArgs {
  path?: string;
  recursive?: boolean;
  max_entries?: number;
}

/** list_files: the entries of a folder (type and size), optionally recursive and bounded. */
@Injectable()
export class ListFilesTool implements ToolHandler<ListFilesArgs> {
  readonly name = 'list_files';
  readonly kind = 'file';
  readonly description = `List the files and folders in a folder of the working directory with their type and size. ${[...SKIPPED_FOLDERS].join(' and ')} are listed but not entered.`;
  readonly parameters: ArgumentSchema = {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        description: 'Folder, relative to the working directory (default ".").',
        maxLength: 4096,
      },
      recursive: { type: 'boolean', description: 'Include sub-folders (default false).' },
      max_entries: { type: 'integer', description: 'Upper bound on entries returned.', minimum: 1 },
    },
    required: [],
    additionalProperties: false,
  };

  constructor(private readonly config: AppConfigService) {}

  async run(args: ListFilesArgs, { sandbox }: ToolScope): Promise<ToolOutcome> {
    const cap = Math.min(args.max_entries ?? Infinity, this.config.get('tools').max_list_entries);
    const folder = await sandbox.resolve(args.path || '.', 'read');
    if (!folder.exists) throw new ToolInputError(`${folder.display} does not exist`);
    const real = await sandbox.checkFolder(folder.absolute).catch(() => {
      throw new ToolInputError(`${folder.display} is not a folder`);
    });
    const entries: WalkEntry[] = [];
    let truncated = false;
    for await (const e of walkFolder(sandbox, real, !!args.recursive)) {
      if (entries.length >= cap) {
        truncated = true;
        break;
      }
      entries.push(e);
    }
    const lines = entries.map((e) =>
      e.type === 'dir'
        ? `${e.rel}/`
        : e.type === 'file'
          ? `${e.rel} (${e.size} bytes)`
          : `${e.rel} (${e.type})`,
    );
    const header = `${folder.display}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}${truncated ? ` (truncated at ${cap})` : ''}`;
    return {
      status: 'ok',
      output: [header, ...lines].join('\n'),
      data: {
        path: folder.display,
        entries: entries.map((e) => ({ path: e.rel, type: e.type, size: e.size })),
        truncated,
      },
    };
  }
}
