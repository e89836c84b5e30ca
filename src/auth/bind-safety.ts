import { AgentRunnerConfig } from '../config/config.schema';

/** Splits "host:port" (IPv6 in brackets) into its parts. */
export function parseBindAddress(bind: string): { host: string; port: number } {
  const i = bind.lastIndexOf(':');
  const host = bind.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(bind.slice(i + 1)) };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

/** Thrown at start-up when the service would be open to a network without keys. */
export class UnsafeBindError extends Error {
  constructor(host: string) {
    super(
      `Refusing to start: binding ${host} (not loopback) with no API keys would let anyone on the network run commands. ` +
        'Configure keys (service.auth.api_keys, AGENT_RUNNER_AUTH_KEYS or AGENT_RUNNER_ADMIN_KEYS), ' +
        'bind 127.0.0.1, or set service.auth.allow_unauthenticated = true (AGENT_RUNNER_ALLOW_UNAUTHENTICATED=true) if you really mean it.',
    );
    this.name = 'UnsafeBindError';
  }
}

/** The start-up rule of SPEC 2.2: no keys + non-loopback bind = refuse, unless explicitly allowed. */
export function assertSafeBind(config: AgentRunnerConfig): void {
  const { host } = parseBindAddress(config.service.bind_address);
  const auth = config.service.auth;
  if (auth.api_keys.length === 0 && !isLoopbackHost(host) && !auth.allow_unauthenticated) {
    throw new UnsafeBindError(host);
  }
}
