import { InvalidRequestError } from '../../common/errors';
import type { TaskListFilter } from './task-store';

const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,32}$/;
const PAYLOAD_SHAPE = /^s([1-9][0-9]{0,15})$/;

/** Opaque page cursor: base64url of the last returned row's insertion sequence. */
export function encodeTaskCursor(seq: number): string {
  return Buffer.from(`s${seq}`, 'utf8').toString('base64url');
}

/** The sequence a cursor points after; anything not produced by `encodeTaskCursor` is a 400. */
export function decodeTaskCursor(cursor: string): number {
  const invalid = () =>
    new InvalidRequestError('Invalid cursor.', [
      { field: 'cursor', message: "cursor must be a previous page's next_cursor" },
    ]);
  if (!CURSOR_SHAPE.test(cursor)) throw invalid();
  const match = PAYLOAD_SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalid();
  const seq = Number(match[1]);
  // Base64 decoding is lenient about trailing bits; only the canonical spelling is accepted.
  if (!Number.isSafeInteger(seq) || encodeTaskCursor(seq) !== cursor) throw invalid();
  return seq;
}

/** Rejects a page size outside 1..100 (the HTTP layer validates too; the store must not trust it). */
export function checkListLimit(filter: TaskListFilter): number {
  const { limit } = filter;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new InvalidRequestError('limit must be an integer from 1 to 100.', [
      { field: 'limit', message: 'limit must be an integer from 1 to 100' },
    ]);
  }
  return limit;
}
