import { AgentRunnerError } from '../common/errors';

/**
 * The HTTP client could not get an answer: the service is unreachable, the request timed out,
 * or the answer was not agent-runner's. Code SERVICE_UNAVAILABLE; `cause` holds the low-level error.
 */
export class ConnectionError extends AgentRunnerError {
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'timeout' | 'bad_response',
    options: { cause?: unknown } = {},
  ) {
    super('SERVICE_UNAVAILABLE', message);
    if (options.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause });
  }
}
