import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { TASK_PRIORITIES, TaskPriority } from '../task.types';
import { HasNoNulByte, IsJsonObjectUpTo, IsTaskEnvironment } from './validators';

export const TASK_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class TaskConstraintsDto {
  /** Seconds the task may run; capped by execution.timeout_seconds. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  max_execution_time?: number;

  /** Model ↔ tool rounds; capped by execution.max_steps. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  max_steps?: number;

  /** Paths (relative to the working directory) the task may touch; may only narrow tools.allowed_paths. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(4096, { each: true })
  @HasNoNulByte()
  allowed_paths?: string[];
}

export class TaskContextDto {
  /** Relative to tools.working_directory, or absolute inside an allowed root. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  @HasNoNulByte()
  working_directory?: string;

  /** Extra environment variables for this task's commands. */
  @IsOptional()
  @IsTaskEnvironment()
  environment?: Record<string, string>;

  /** Subset of the enabled tools; default all enabled. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  tools?: string[];

  /** Force a prompt scenario (else inferred from the task). */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_]{1,64}$/, { message: 'scenario must be a scenario key like "documentation"' })
  scenario?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => TaskConstraintsDto)
  constraints?: TaskConstraintsDto;
}

/** A task to run (SPEC 1.1). Unknown fields are rejected. */
export class TaskRequestDto {
  /** The instruction, in plain language (1..20000 characters, trimmed). */
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'task must not be empty' })
  @MaxLength(20_000)
  task!: string;

  /** Client-chosen id; makes the request idempotent (SPEC 1.4). */
  @IsOptional()
  @IsString()
  @Matches(TASK_ID_PATTERN, { message: 'task_id must be 1..128 of [A-Za-z0-9._:-]' })
  task_id?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => TaskContextDto)
  context?: TaskContextDto;

  /** low | normal | high | critical (default normal). */
  @IsOptional()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  /** Opaque data stored and echoed (at most 16 KiB). */
  @IsOptional()
  @IsJsonObjectUpTo(16 * 1024)
  metadata?: Record<string, unknown>;
}
