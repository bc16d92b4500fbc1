import { Duration } from 'cdk8s';
import { FrameOptions, SecurityHeaders } from '../../../lib';
import { expectStackError, scratch } from '../../support';

describe('SecurityHeaders', () => {
  test('defaults: HSTS 1 year + includeSubDomains, OWASP set, X-XSS-Protection 0', () => {
    const h = new SecurityHeaders(scratch().chart, 'headers');
    expect(h.hstsValue).toBe('max-age=31536000; includeSubDomains');
    expect(h.headers).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "frame-ancestors 'none'",
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-XSS-Protection': '0',
    });
  });
  test('preload with 2 years; SAMEORIGIN and a custom CSP', () => {
    const h = new SecurityHeaders(scratch().chart, 'headers', {
      hsts: { maxAge: Duration.days(730), preload: true }, frameOptions: FrameOptions.SAMEORIGIN, contentSecurityPolicy: "default-src 'self'",
    });
    expect(h.hstsValue).toBe('max-age=63072000; includeSubDomains; preload');
    expect(h.headers['X-Frame-Options']).toBe('SAMEORIGIN');
    expect(h.headers['Content-Security-Policy']).toBe("default-src 'self'");
  });
  test('HSTS off', () => {
    expect(new SecurityHeaders(scratch().chart, 'h', { hsts: false }).hstsValue).toBeUndefined();
  });
  test('preload without includeSubDomains is a synth error', () => {
    expectStackError(() => new SecurityHeaders(scratch().chart, 'headers', { hsts: { preload: true, includeSubDomains: false } }),
      'headers.hsts.preload', 'includeSubDomains');
  });
  test('preload with max-age below one year is a synth error', () => {
    expectStackError(() => new SecurityHeaders(scratch().chart, 'headers', { hsts: { preload: true, maxAge: Duration.days(180) } }),
      'headers.hsts.preload', '31536000', '15552000');
  });
  test('header values cannot inject lines', () => {
    expectStackError(() => new SecurityHeaders(scratch().chart, 'headers', { referrerPolicy: 'no-referrer\r\nSet-Cookie: x' }), 'headers.Referrer-Policy', 'single-line');
  });
});
