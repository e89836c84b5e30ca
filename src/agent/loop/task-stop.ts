/** Thrown inside the agent loop to end a task with a task-level error code. */
export class TaskStop extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}
