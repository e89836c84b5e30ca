import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Content-Security-Policy directives: strict, with what Swagger UI needs. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  scriptSrc: ["'self'"],
};

/**
 * The service's security headers. HSTS and the CSP's upgrade-insecure-requests only when the
 * service is reached over HTTPS (`service.served_over_https`): sent over plain HTTP they would
 * send browsers to an https:// that does not answer.
 */
export function serviceSecurityHeaders(servedOverHttps: boolean): Record<string, string> {
  return securityHeaders({
    contentSecurityPolicy: {
      directives: { ...CSP_DIRECTIVES, upgradeInsecureRequests: servedOverHttps ? [] : null },
    },
    strictTransportSecurity: servedOverHttps,
  });
}

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
