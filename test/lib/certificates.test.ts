import { Chart, Duration } from 'cdk8s';
import { KeyAlgorithm, KeyUsage, SelfSignedIssuer, TlsCertificate } from '../../lib';
import { expectStackError, only, scratch, synthValid } from '../support';

function setup() {
  const { app, chart } = scratch();
  return { app, chart, issuer: new SelfSignedIssuer(chart, 'Issuer') };
}

describe('TlsCertificate', () => {
  test('defaults: ECDSA P-256, rotationPolicy Always, 90d/30d, server usages, issuerRef, secret name exposed', () => {
    const { chart, issuer } = setup();
    const cert = new TlsCertificate(chart, 'Web', { name: 'web', issuer, dnsNames: ['web.example.com'] });
    const spec = only(synthValid(chart), 'Certificate', 'web').spec;
    expect(cert.secretName).toBe('web-tls');
    expect(spec.secretName).toBe(cert.secretName);
    expect(spec.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
    expect(spec.duration).toBe('2160h');
    expect(spec.renewBefore).toBe('720h');
    expect(spec.usages).toEqual(['digital signature', 'server auth']);
    expect(spec.issuerRef).toEqual({ name: 'selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(cert.namespace).toBe('test');
  });

  test('RSA 4096, IP SANs, explicit secret, durations and secretTemplate', () => {
    const { chart, issuer } = setup();
    new TlsCertificate(chart, 'Api', {
      name: 'api', issuer, dnsNames: ['api.internal'], ipAddresses: ['10.0.0.5', 'fd00::5'], secretName: 'api-cert',
      privateKey: { algorithm: KeyAlgorithm.RSA, size: 4096 }, duration: Duration.days(30), renewBefore: Duration.days(10),
      usages: [KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT, KeyUsage.SERVER_AUTH],
      secretLabels: { team: 'api' }, secretAnnotations: { 'reflector/allowed': 'false' },
    });
    const spec = only(synthValid(chart), 'Certificate', 'api').spec;
    expect(spec.privateKey).toEqual({ algorithm: 'RSA', size: 4096, rotationPolicy: 'Always' });
    expect(spec.ipAddresses).toEqual(['10.0.0.5', 'fd00::5']);
    expect(spec.secretName).toBe('api-cert');
    expect([spec.duration, spec.renewBefore]).toEqual(['720h', '240h']);
    expect(spec.secretTemplate).toEqual({ labels: { team: 'api' }, annotations: { 'reflector/allowed': 'false' } });
    expect(spec.usages).toEqual(['digital signature', 'key encipherment', 'server auth']);
  });

  test('RSA defaults to 2048 bits and adds key encipherment', () => {
    const { chart, issuer } = setup();
    new TlsCertificate(chart, 'C', { name: 'c', issuer, dnsNames: ['c.example.com'], privateKey: { algorithm: KeyAlgorithm.RSA } });
    const spec = only(synthValid(chart), 'Certificate').spec;
    expect(spec.privateKey.size).toBe(2048);
    expect(spec.usages).toEqual(['digital signature', 'key encipherment', 'server auth']);
  });

  test('covers() honours wildcards one label deep', () => {
    const { chart, issuer } = setup();
    const cert = new TlsCertificate(chart, 'W', { name: 'w', issuer, dnsNames: ['*.example.com', 'example.com'] });
    expect(cert.covers('a.example.com')).toBe(true);
    expect(cert.covers('example.com')).toBe(true);
    expect(cert.covers('a.b.example.com')).toBe(false);
    expect(cert.covers('example.org')).toBe(false);
  });

  describe('bad input', () => {
    const cases: Array<[string, object, string, string]> = [
      ['invalid DNS name', { dnsNames: ['Bad_Name.example.com'] }, 'dnsNames', 'lower-case DNS name'],
      ['wildcard in the middle', { dnsNames: ['a.*.example.com'] }, 'dnsNames', 'whole first label'],
      ['invalid IP', { ipAddresses: ['10.0.0.300'] }, 'ipAddresses', 'IPv4 or IPv6'],
      ['no names', { dnsNames: [] }, 'dnsNames', 'at least one'],
      ['RSA below 2048', { privateKey: { algorithm: KeyAlgorithm.RSA, size: 1024 } }, 'privateKey.size', 'below 2048'],
      ['ECDSA odd curve', { privateKey: { algorithm: KeyAlgorithm.ECDSA, size: 521 } }, 'privateKey.size', '256, 384'],
      ['duration below 1h', { duration: Duration.minutes(30) }, 'duration', 'at least Duration.hours(1)'],
      ['renewBefore not below duration', { duration: Duration.days(10), renewBefore: Duration.days(10) }, 'renewBefore', 'less than the duration (240h)'],
      ['renewBefore below cert-manager\'s minimum', { renewBefore: Duration.minutes(2) }, 'renewBefore', 'at least Duration.minutes(5)'],
      ['bad secret name', { secretName: 'My Secret' }, 'secretName', 'RFC 1123'],
    ];
    test.each(cases)('%s', (_label, override, field, fix) => {
      const { chart, issuer } = setup();
      expectStackError(() => new TlsCertificate(chart, 'C', { name: 'c', issuer, dnsNames: ['c.example.com'], ...override }), field, 'test/C', fix);
    });

    test('two certificates writing the same secret in one namespace', () => {
      const { chart, issuer } = setup();
      new TlsCertificate(chart, 'A', { name: 'a', issuer, dnsNames: ['a.example.com'], secretName: 'shared' });
      expectStackError(() => new TlsCertificate(chart, 'B', { name: 'b', issuer, dnsNames: ['b.example.com'], secretName: 'shared' }),
        'secretName', 'test/B', 'test/A already writes this Secret');
    });

    test('the same secret name in two namespaces is fine', () => {
      const { app, chart, issuer } = setup();
      const other = new Chart(app, 'other', { namespace: 'other' });
      new TlsCertificate(chart, 'A', { name: 'a', issuer, dnsNames: ['a.example.com'], secretName: 'shared' });
      expect(() => new TlsCertificate(other, 'B', { name: 'b', issuer, dnsNames: ['b.example.com'], secretName: 'shared' })).not.toThrow();
    });
  });
});
