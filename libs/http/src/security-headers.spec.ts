import { securityHeaders } from './security-headers.js';

describe(securityHeaders.name, () => {
  it("gives helmet's headers, with a same-origin policy that does not upgrade plain HTTP requests", () => {
    const sut = securityHeaders();
    expect(sut).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'strict-transport-security': expect.stringContaining('max-age='),
    });
    expect(sut['content-security-policy']).toContain("default-src 'self'");
    expect(sut['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(sut['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(sut).not.toHaveProperty('x-powered-by');
  });
});
