import { CliUsageError } from '../cli-usage.error';

export function integerOption(value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new CliUsageError(`expected a whole number from ${min} to ${max}.`);
  }
  return Number(value);
}

export function choiceOption<T extends string>(value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new CliUsageError(`expected one of: ${choices.join(', ')}.`);
  }
  return value as T;
}
