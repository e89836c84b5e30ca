import {
  ArgumentMetadata,
  ValidationError,
  ValidationPipe,
  ValidationPipeOptions,
} from '@nestjs/common';
import { InvalidRequestError } from './errors';
import { jsonLimitError, jsonValueProblem } from './json-limits';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Flattens class-validator errors into `{field, message}` with dotted paths. */
export function fieldProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [kind, message] of Object.entries(e.constraints ?? {})) {
      out.push({
        field,
        message: kind === 'whitelistValidation' ? `unknown field "${field}"` : message,
      });
    }
    if (e.children?.length) out.push(...fieldProblems(e.children, field));
  }
  return out;
}

/**
 * Strict input for every endpoint: unknown fields are rejected (never dropped), every problem is
 * listed with its path, and the error is the domain InvalidRequestError (one error shape).
 */
export function createValidationPipe(options: { fastPaths?: boolean } = {}): ValidationPipe {
  return new StrictValidationPipe(options.fastPaths ?? true, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = fieldProblems(errors);
      const summary = details
        .slice(0, 3)
        .map((d) => d.message)
        .join('; ');
      return new InvalidRequestError(
        `Invalid request: ${summary}${details.length > 3 ? ` (+${details.length - 3} more)` : ''}`,
        details,
      );
    },
  });
}

/**
 * A DTO class on a hot route may offer a static `fastParse`: for input it can vouch for with a
 * few plain checks it returns the same instance class-validator and class-transformer would
 * build; for anything else `undefined`, and the full validation runs and reports the problems.
 * class-validator looks its metadata up on every call (≈ 10% of the CPU of a
 * `GET /api/v1/tasks/{id}` under load). `validation.pipe.spec.ts` checks with fast-check that
 * each fast path accepts nothing the full validation refuses and builds the same value.
 */
export interface FastParseDto<T = unknown> {
  fastParse(value: unknown): T | undefined;
}

/** A non-null object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value of `key` when `value` is an object with that key and no other, else undefined. */
export function soleKey(value: unknown, key: string): unknown {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === key ? (value as Record<string, unknown>)[key] : undefined;
}

function fastParser(metatype: unknown): FastParseDto['fastParse'] | undefined {
  const candidate = (metatype as Partial<FastParseDto> | undefined)?.fastParse;
  return typeof candidate === 'function' ? candidate.bind(metatype) : undefined;
}

/** A ValidationPipe that also refuses bodies that are not JSON objects (null, arrays, scalars). */
class StrictValidationPipe extends ValidationPipe {
  constructor(
    private readonly fastPaths: boolean,
    options: ValidationPipeOptions,
  ) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Bounded before anything walks it (HTTP bodies were checked as text already; this covers
    // the library's and the CLI's input, which never crosses the HTTP parser).
    if (metadata.type === 'body') {
      const problem = jsonValueProblem(value);
      if (problem) throw jsonLimitError(problem);
    }
    if (this.fastPaths && metadata.type !== 'custom') {
      const parsed = fastParser(metadata.metatype)?.(value);
      if (parsed !== undefined) return parsed;
    }
    const isDtoBody =
      metadata.type === 'body' &&
      typeof metadata.metatype === 'function' &&
      metadata.metatype !== Object;
    if (isDtoBody && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new InvalidRequestError('The request body must be a JSON object.', [
        { field: 'body', message: 'must be a JSON object' },
      ]);
    }
    return super.transform(value, metadata);
  }
}
