import { TASK_COLUMNS } from './sqlite-task-rows';
import { decodeTaskCursor } from './task-list.paging';
import type { TaskListFilter } from './task-store';

/** One page query of GET /api/v1/tasks: its SQL, its parameters, and a key naming its shape. */
export interface TaskListQuery {
  /** The same for every filter of this shape: the prepared statement is kept under it. */
  key: string;
  sql: string;
  params: Record<string, unknown>;
}

/** Newest first (by insertion), filtered; one row more than the page says whether more follow. */
export function taskListQuery(filter: TaskListFilter, limit: number): TaskListQuery {
  const params: Record<string, unknown> = { limit: limit + 1 };
  const where: string[] = [];
  let key = '';
  if (filter.owner === null) {
    where.push('owner IS NULL');
    key += 'n';
  } else if (filter.owner !== undefined) {
    where.push('owner = @owner');
    params.owner = filter.owner;
    key += 'o';
  }
  for (const field of ['status', 'priority'] as const) {
    if (filter[field] === undefined) continue;
    where.push(`${field} = @${field}`);
    params[field] = filter[field];
    key += field[0];
  }
  if (filter.cursor !== undefined) {
    where.push('seq < @after');
    params.after = decodeTaskCursor(filter.cursor);
    key += 'c';
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const sql = `SELECT ${TASK_COLUMNS} FROM tasks ${clause} ORDER BY seq DESC LIMIT @limit`;
  return { key, sql, params };
}
