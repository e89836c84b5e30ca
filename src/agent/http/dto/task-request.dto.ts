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
import { TASK_PRIORITIES, TaskPriority } from '../../../contracts/task.types';
import { isRecord } from '../../../common/validation.pipe';
import { HasNoNulByte, IsJsonObjectUpTo, IsTaskEnvironment, isJsonObjectUpTo } from './validators';

export const TASK_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const TASK_MAX_LENGTH = 20_000;
const METADATA_MAX_BYTES = 16 * 1024;
/** A character class-validator's length counts (it skips the variation selectors U+FE0E/F). */
const COUNTED_CHARACTER = /[^\uFE0E\uFE0F]/;

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

  /**
   * Extra environment variables for this task's commands: names `[A-Z_][A-Z0-9_]*`, string
   * values; names that change how programs start (PATH, LD_*, …) are refused.
   */
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

  /** Limits for this task; each may only tighten the service's own. */
  @IsOptional()
  @ValidateNested()
  @Type(() => TaskConstraintsDto)
  constraints?: TaskConstraintsDto;
}

/** A task to run. Unknown fields are rejected. */
export class TaskRequestDto {
  /** The instruction, in plain language (1..20000 characters, trimmed). */
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'task must not be empty' })
  @MaxLength(TASK_MAX_LENGTH)
  task!: string;

  /**
   * Your id for the task, 1..128 of `[A-Za-z0-9._:-]`. Sending the same id again with the same
   * body returns the existing task; with another body it is a 409.
   */
  @IsOptional()
  @IsString()
  @Matches(TASK_ID_PATTERN, { message: 'task_id must be 1..128 of [A-Za-z0-9._:-]' })
  task_id?: string;

  /** Where and how the task runs: working directory, environment, tools, scenario, limits. */
  @IsOptional()
  @ValidateNested()
  @Type(() => TaskContextDto)
  context?: TaskContextDto;

  /** Queue order among waiting tasks (default normal). */
  @IsOptional()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  /** Opaque data stored and echoed (at most 16 KiB). */
  @IsOptional()
  @IsJsonObjectUpTo(METADATA_MAX_BYTES)
  metadata?: Record<string, unknown>;

  /**
   * The most common request, `{task, task_id?, priority?, metadata?}`, without class-validator
   * (see FastParseDto). Anything else (a `context`, an odd value) takes the full validation. The
   * task must be at most 20,000 UTF-16 units and hold a character other than U+FE0E/U+FE0F,
   * because class-validator's length counts surrogate pairs once and variation selectors not at
   * all; in between it decides. Metadata with a key named like an `Object.prototype` member
   * (`constructor`, `valueOf`, …) at any depth also goes the full way: class-transformer drops
   * such keys, and both paths must store the same thing.
   */
  static fastParse(value: unknown): TaskRequestDto | undefined {
    if (!isRecord(value)) return undefined;
    const out = new TaskRequestDto();
    for (const key of Object.keys(value)) {
      const field = value[key];
      switch (key) {
        case 'task': {
          if (typeof field !== 'string' || field.length > TASK_MAX_LENGTH) return undefined;
          const task = field.trim();
          if (!COUNTED_CHARACTER.test(task)) return undefined;
          out.task = task;
          break;
        }
        case 'task_id':
          if (typeof field !== 'string' || !TASK_ID_PATTERN.test(field)) return undefined;
          out.task_id = field;
          break;
        case 'priority':
          if (!TASK_PRIORITIES.includes(field as TaskPriority)) return undefined;
          out.priority = field as TaskPriority;
          break;
        case 'metadata':
          if (!isJsonObjectUpTo(field, METADATA_MAX_BYTES) || hasPrototypeKey(field))
            return undefined;
          out.metadata = field as Record<string, unknown>;
          break;
        default:
          return undefined;
      }
    }
    return out.task === undefined ? undefined : out;
  }
}

/** True when some object inside `value` has a key that names an Object.prototype member. */
function hasPrototypeKey(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length) {
    const item = pending.pop();
    if (item === null || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      pending.push(...item);
      continue;
    }
    for (const key of Object.keys(item)) {
      if (key in Object.prototype) return true;
      pending.push((item as Record<string, unknown>)[key]);
    }
  }
  return false;
}
