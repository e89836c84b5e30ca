import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { TASK_PRIORITIES, TASK_STATUSES, TaskPriority, TaskStatus } from '../task.types';
import { TASK_ID_PATTERN } from './task-request.dto';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListTasksQueryDto {
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

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
}

export class TaskIdParamDto {
  @IsString()
  @Matches(TASK_ID_PATTERN, { message: 'id must be 1..128 of [A-Za-z0-9._:-]' })
  id!: string;
}

export class BatchIdParamDto {
  @IsString()
  @Matches(TASK_ID_PATTERN, { message: 'batch_id must be 1..128 of [A-Za-z0-9._:-]' })
  batch_id!: string;
}
