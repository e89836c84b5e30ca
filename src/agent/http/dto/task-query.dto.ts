import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  TaskPriority,
  TaskStatus,
} from '../../../contracts/task.types';
import { isRecord, soleKey } from '../../../common/validation.pipe';
import { TASK_ID_PATTERN } from './task-request.dto';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListTasksQueryDto {
  /** Only tasks in this state. */
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  /** Only tasks of this priority. */
  @IsOptional()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  /** Page size, 1..100 (default 20). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  /** `next_cursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class SubmitQueryDto {
  /** false: answer 202 at once instead of waiting for the result. */
  @IsOptional()
  @Transform(toBool)
  @IsIn([true, false], { message: 'wait must be true or false' })
  wait?: boolean;

  /** The common cases without class-validator (see FastParseDto): none, or wait=true|false. */
  static fastParse(value: unknown): SubmitQueryDto | undefined {
    if (isRecord(value) && Object.keys(value).length === 0) return new SubmitQueryDto();
    const wait = soleKey(value, 'wait');
    if (wait !== 'true' && wait !== 'false') return undefined;
    return Object.assign(new SubmitQueryDto(), { wait: wait === 'true' });
  }
}

export class TaskIdParamDto {
  /** The task's id (its `task_id`). */
  @IsString()
  @Matches(TASK_ID_PATTERN, { message: 'id must be 1..128 of [A-Za-z0-9._:-]' })
  id!: string;

  /** A well-formed id without class-validator (see FastParseDto). */
  static fastParse(value: unknown): TaskIdParamDto | undefined {
    const id = soleKey(value, 'id');
    if (typeof id !== 'string' || !TASK_ID_PATTERN.test(id)) return undefined;
    return Object.assign(new TaskIdParamDto(), { id });
  }
}

export class BatchIdParamDto {
  /** The batch's id (its `batch_id`). */
  @IsString()
  @Matches(TASK_ID_PATTERN, { message: 'batch_id must be 1..128 of [A-Za-z0-9._:-]' })
  batch_id!: string;

  /** A well-formed id without class-validator (see FastParseDto). */
  static fastParse(value: unknown): BatchIdParamDto | undefined {
    const id = soleKey(value, 'batch_id');
    if (typeof id !== 'string' || !TASK_ID_PATTERN.test(id)) return undefined;
    return Object.assign(new BatchIdParamDto(), { batch_id: id });
  }
}
