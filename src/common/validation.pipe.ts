import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidRequestError } from './errors';

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
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
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

/** A ValidationPipe that also refuses bodies that are not JSON objects (null, arrays, scalars). */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
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
