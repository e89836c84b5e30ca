/**
 * Problems a tool call runs into because of what the model asked. The tool registry turns them
 * into tool results for the model (never exceptions for the caller).
 */

/** The request reaches outside what the task may touch (recorded as `denied`). */
export class ToolDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolDeniedError';
  }
}

/** The request is well-formed but cannot be done (missing file, ambiguous edit…): recorded as `error`. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}
