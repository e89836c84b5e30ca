import type { AgentRunnerConfig } from './config.schema';
import type { ConfigIssue } from './config.validation';

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

export function unsafeBindMessage(host: string): string {
  return (
    `Refusing to start: binding ${host} (not loopback) with no API keys would let anyone on the network run commands. ` +
    'Configure keys (service.auth.api_keys, AGENT_RUNNER_AUTH_KEYS or AGENT_RUNNER_ADMIN_KEYS), ' +
    'bind 127.0.0.1, or set service.auth.allow_unauthenticated = true (AGENT_RUNNER_ALLOW_UNAUTHENTICATED=true) if you really mean it.'
  );
}

/** The start-up rule (docs/api.md, Authentication): no keys + a non-loopback bind = refuse, unless allowed. */
export function unsafeBindIssue(config: AgentRunnerConfig): ConfigIssue | undefined {
  const { host } = parseBindAddress(config.service.bind_address);
  const auth = config.service.auth;
  if (auth.api_keys.length === 0 && !isLoopbackHost(host) && !auth.allow_unauthenticated) {
    return { path: 'service.bind_address', message: unsafeBindMessage(host) };
  }
  return undefined;
}
