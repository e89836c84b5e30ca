import { registerDecorator, ValidationOptions } from 'class-validator';
import { isPlainObject } from '../../../config/deep-merge';

/** A plain JSON object whose serialised size is at most `maxBytes`. */
export function IsJsonObjectUpTo(maxBytes: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isJsonObjectUpTo',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a JSON object of at most ${maxBytes} bytes`,
        ...options,
      },
      validator: { validate: (value: unknown) => isJsonObjectUpTo(value, maxBytes) },
    });
}

export function isJsonObjectUpTo(value: unknown, maxBytes: number): boolean {
  return isPlainObject(value) && Buffer.byteLength(JSON.stringify(value), 'utf8') <= maxBytes;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Environment for a task's commands: names [A-Z_][A-Z0-9_]*, string values, bounded. */
export function IsTaskEnvironment(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isTaskEnvironment',
      target: object.constructor,
      propertyName,
      options: {
        message:
          'environment must map names matching [A-Z_][A-Z0-9_]* (at most 100) to strings of at most 32768 characters',
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          isPlainObject(value) &&
          Object.keys(value).length <= 100 &&
          Object.entries(value).every(
            ([k, v]) =>
              ENV_NAME.test(k) &&
              k.length <= 128 &&
              typeof v === 'string' &&
              v.length <= 32768 &&
              !v.includes('\0'),
          ),
      },
    });
}

/** Strings without NUL bytes (paths and commands are passed to the OS). */
export function HasNoNulByte(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'hasNoNulByte',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must not contain NUL bytes`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string'
            ? !value.includes('\0')
            : Array.isArray(value)
              ? value.every((v) => typeof v !== 'string' || !v.includes('\0'))
              : true,
      },
    });
}
