import { Duration } from 'cdk8s';
import { CertificateExpiryAlerts, SelfSignedIssuer, TlsCertificate } from '../../lib';
import { envDocs, expectStackError, only, scratch, synthValid } from '../support';

describe('CertificateExpiryAlerts', () => {
  test('renewal overdue (per renewBefore), expiring soon and not-ready rules over cert-manager metrics', () => {
    const { chart } = scratch('web');
    const issuer = new SelfSignedIssuer(chart, 'I');
    const a = new TlsCertificate(chart, 'A', { name: 'a', issuer, dnsNames: ['a.example.com'] });
    const b = new TlsCertificate(chart, 'B', { name: 'b', issuer, dnsNames: ['b.example.com'], duration: Duration.days(30), renewBefore: Duration.days(10) });
    new CertificateExpiryAlerts(chart, 'Alerts', { certificates: [a, b], labels: { release: 'prom' } });
    const rule = only(synthValid(chart), 'PrometheusRule', 'tls-certificates');
    expect(rule.metadata.labels).toEqual({ release: 'prom' });
    const rules = rule.spec.groups[0].rules;
    expect(rules.filter((r: any) => r.alert === 'TLSCertificateRenewalOverdue').map((r: any) => r.expr)).toEqual([
      'certmanager_certificate_expiration_timestamp_seconds{namespace="web",name=~"a"} - time() < 2592000',
      'certmanager_certificate_expiration_timestamp_seconds{namespace="web",name=~"b"} - time() < 864000',
    ]);
    expect(rules.find((r: any) => r.alert === 'TLSCertificateExpiresSoon').expr).toMatch(/< 604800$/);
    expect(rules.find((r: any) => r.alert === 'TLSCertificateNotReady').expr).toBe('certmanager_certificate_ready_status{namespace="web",name=~"a",condition="False"} == 1');
  });

  test('needs certificates', () => {
    expectStackError(() => new CertificateExpiryAlerts(scratch().chart, 'A', { certificates: [] }), 'certificates', 'give the certificates');
  });

  test('prod (Prometheus Operator present) watches every certificate of the environment; other environments emit none', () => {
    const prod = envDocs('prod');
    const certs = Object.values(prod).flat().filter((d: any) => d.kind === 'Certificate');
    const exprs = only(prod.monitoring, 'PrometheusRule').spec.groups[0].rules.filter((r: any) => r.alert === 'TLSCertificateNotReady').map((r: any) => r.expr).join(' ');
    for (const c of certs) expect(exprs).toMatch(new RegExp(`namespace="${c.metadata.namespace}",name=~"[^"]*\\b${c.metadata.name}\\b`));
    expect(envDocs('staging').monitoring).toBeUndefined();
  });
});
