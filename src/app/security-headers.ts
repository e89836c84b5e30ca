import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Helmet's standard security headers, computed once at start. Helmet's own middleware (and the
 * Fastify plugin around it) rebuilt its configuration, CSP parsing included, on every request:
 * 10% of a GET's CPU. The headers do not vary per request (no CSP nonces), so they are captured
 * once and set as a plain map.
 */
export function securityHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const set: Record<string, string> = {};
  const removed = new Set<string>();
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      set[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => removed.add(name.toLowerCase()),
    getHeader: (name: string) => set[name.toLowerCase()],
  } as unknown as ServerResponse;
  let failure: unknown;
  helmet(options)({ headers: {} } as IncomingMessage, res, (err?: unknown) => (failure = err));
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  for (const name of removed) delete set[name];
  return set;
}
