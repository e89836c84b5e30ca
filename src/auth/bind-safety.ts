import { unsafeBindIssue } from '../config/bind-address';
import { AgentRunnerConfig } from '../config/config.schema';
import { ConfigIssue, ConfigValidationError } from '../config/config.validation';

export { isLoopbackHost, parseBindAddress } from '../config/bind-address';

/**
 * Thrown at start-up when the service would be open to a network without keys (with every
 * other problem the configuration has, listed once).
 */
export class UnsafeBindError extends ConfigValidationError {
  constructor(issues: ConfigIssue[], source?: string) {
    super(issues, source);
    // The refusal is the message; other problems follow it.
    const refusal = issues.find((i) => i.path === 'service.bind_address')?.message;
    if (refusal && issues.length === 1) this.message = refusal;
    this.name = 'UnsafeBindError';
  }
}

/** The start-up rule: no keys + non-loopback bind = refuse, unless explicitly allowed. */
export function assertSafeBind(config: AgentRunnerConfig): void {
  const issue = unsafeBindIssue(config);
  if (issue) throw new UnsafeBindError([issue]);
}
