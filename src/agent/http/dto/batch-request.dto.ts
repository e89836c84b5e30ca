import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  ValidateNested,
} from 'class-validator';
import { TaskRequestDto } from './task-request.dto';

/** Several tasks at once (docs/api.md, Batches): parallel under the concurrency limit, or in order. */
export class BatchRequestDto {
  /** 1..100 tasks. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  // ValidateNested alone passes an array element (it validates that array's items instead).
  @IsObject({ each: true, message: 'each task must be a JSON object' })
  @ValidateNested({ each: true })
  @Type(() => TaskRequestDto)
  tasks!: TaskRequestDto[];

  /** parallel (default) or sequential. */
  @IsOptional()
  @IsIn(['parallel', 'sequential'])
  mode?: 'parallel' | 'sequential';

  /** Sequential only: keep going after a failed task (default false: the rest are cancelled with BATCH_ABORTED). */
  @IsOptional()
  @IsBoolean()
  continue_on_error?: boolean;
}
