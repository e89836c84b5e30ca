import { securityHeaders, serviceSecurityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it("captures helmet's headers once, with our CSP directives", () => {
    const sut = securityHeaders({
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'] },
      },
    });
    expect(sut).toEqual(
      expect.objectContaining({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'referrer-policy': 'no-referrer',
      }),
    );
    expect(sut['content-security-policy']).toContain("default-src 'self'");
    expect(sut['content-security-policy']).toContain("img-src 'self' data:");
    expect(sut).not.toHaveProperty('x-powered-by');
  });

  it('fails loudly on an invalid helmet option instead of serving no headers', () => {
    expect(() =>
      securityHeaders({
        contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], 'bad key': ['x'] } },
      }),
    ).toThrow();
  });

  it('sends HSTS and upgrade-insecure-requests only when served over HTTPS', () => {
    const plain = serviceSecurityHeaders(false);
    expect(plain).not.toHaveProperty('strict-transport-security');
    expect(plain['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(plain['content-security-policy']).toContain("script-src 'self'");
    const https = serviceSecurityHeaders(true);
    expect(https['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(https['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});
