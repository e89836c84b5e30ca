import { ValidationError, ValidationPipe } from '@nestjs/common';
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
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = fieldProblems(errors);
      const summary = details.slice(0, 3).map((d) => d.message).join('; ');
      return new InvalidRequestError(
        `Invalid request: ${summary}${details.length > 3 ? ` (+${details.length - 3} more)` : ''}`,
        details,
      );
    },
  });
}
