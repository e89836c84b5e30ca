/** The one error body of every layer (SPEC 2.1). */
export class ErrorResponseDto {
  /** HTTP status, repeated in the body. */
  status_code!: number;
  /** Machine-readable code, e.g. INVALID_REQUEST, TASK_NOT_FOUND. */
  code!: string;
  /** What went wrong, for people. */
  message!: string;
  /** Field-level problems or extra facts, or null. */
  details!: unknown[] | Record<string, unknown> | null;
  /** Same as the x-request-id response header. */
  request_id!: string;
  /** ISO-8601 UTC. */
  timestamp!: string;
}
