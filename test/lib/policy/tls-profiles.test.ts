import { TlsProfile, TlsVersion } from '../../../lib';
import { expectStackError, scratch } from '../../support';

/** Mozilla Server Side TLS 6.0 intermediate, TLS 1.2 suites, as published. */
const MOZILLA_6_INTERMEDIATE = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:'
  + 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

describe('TlsProfile', () => {
  test('intermediate: TLS 1.2 + 1.3 and the six Mozilla 6.0 ECDHE AEAD suites', () => {
    expect(TlsProfile.INTERMEDIATE.protocols).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(TlsProfile.INTERMEDIATE.ciphers.join(':')).toBe(MOZILLA_6_INTERMEDIATE);
    expect(TlsProfile.INTERMEDIATE.ianaCiphers[0]).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  });
  test('modern: TLS 1.3 only, no TLS 1.2 suites', () => {
    expect(TlsProfile.MODERN.protocols).toEqual(['TLSv1.3']);
    expect(TlsProfile.MODERN.ciphers).toEqual([]);
  });
  test('a custom profile below TLS 1.2 is rejected', () => {
    const p = TlsProfile.custom({ name: 'legacy', minVersion: TlsVersion.TLS_1_0 });
    expectStackError(() => p.validate(scratch().chart, 'tlsProfile'), 'tlsProfile.minVersion', '"TLSv1"', 'RFC 8996');
  });
  test('a custom profile with a CBC suite is rejected', () => {
    const p = TlsProfile.custom({ name: 'cbc', minVersion: TlsVersion.TLS_1_2, ciphers: ['ECDHE-RSA-AES128-SHA'] });
    expectStackError(() => p.validate(scratch().chart, 'tlsProfile'), 'tlsProfile.ciphers', 'ECDHE-RSA-AES128-SHA', 'Mozilla 6.0');
  });
  test('a custom subset is accepted', () => {
    const p = TlsProfile.custom({ name: 'ecdsa', minVersion: TlsVersion.TLS_1_2, ciphers: ['ECDHE-ECDSA-AES128-GCM-SHA256'] });
    expect(() => p.validate(scratch().chart, 'tlsProfile')).not.toThrow();
  });
});
