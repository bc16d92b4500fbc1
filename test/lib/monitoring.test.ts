import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { stringify } from 'yaml';
import { CertificateExpiryAlerts, SelfSignedIssuer, TlsCertificate } from '../../lib';
import { envDocs, expectStackError, only, scratch, synthValid } from '../support';
import { available, runs } from '../tools';

const hasPromtool = available('promtool', runs('promtool', '--version'), 'apt-get install prometheus');

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
    const overdue = rules.filter((r: any) => r.alert === 'TLSCertificateRenewalOverdue').map((r: any) => r.expr);
    expect(overdue).toHaveLength(2);
    // Both label layouts of cert-manager's metrics, disjoint; unissued certificates (0) left out; one threshold per window.
    expect(overdue[0]).toContain('(certmanager_certificate_expiration_timestamp_seconds{namespace="web",exported_namespace="",name=~"a"} or certmanager_certificate_expiration_timestamp_seconds{exported_namespace="web",name=~"a"}) > 0');
    expect(overdue[0]).toMatch(/ - time\(\) < 2592000$/);
    expect(overdue[1]).toMatch(/name=~"b"\}\) > 0, .* - time\(\) < 864000$/);
    expect(rules.find((r: any) => r.alert === 'TLSCertificateExpiresSoon').expr).toMatch(/< 604800$/);
    expect(rules.find((r: any) => r.alert === 'TLSCertificateNotReady').expr).toContain('certmanager_certificate_ready_status{exported_namespace="web",name=~"a",condition="False"}) == 1');
  });

  (hasPromtool ? test : test.skip)('the alerts fire with cert-manager\'s chart defaults (exported_namespace) and with honorLabels: true (promtool)', () => {
    const { chart } = scratch('web');
    const issuer = new SelfSignedIssuer(chart, 'I');
    const a = new TlsCertificate(chart, 'A', { name: 'a', issuer, dnsNames: ['a.example.com'] });
    new CertificateExpiryAlerts(chart, 'Alerts', { certificates: [a] });
    const rule = only(synthValid(chart), 'PrometheusRule', 'tls-certificates');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
    // Expiry 3 days after the start (inside both the 30-day renewal window and the 7-day critical window).
    const soon = 3 * 86400;
    const layouts = {
      chartDefault: 'namespace="cert-manager",exported_namespace="web"', // honorLabels: false
      honorLabels: 'namespace="web"',
    };
    const series = Object.entries(layouts).flatMap(([, labels]) => [
      { series: `certmanager_certificate_expiration_timestamp_seconds{${labels},name="a"}`, values: `${soon}x120` },
      { series: `certmanager_certificate_ready_status{${labels},name="a",condition="False"}`, values: '1x120' },
    ]).concat([
      // Another namespace's certificate of the same name, and an unissued one (0): neither may fire.
      { series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="cert-manager",exported_namespace="other",name="a"}', values: `${soon}x120` },
      { series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="cert-manager",exported_namespace="web",name="a",pending="yes"}', values: '0x120' },
    ]);
    const annotations = (alert: string) => rule.spec.groups[0].rules.find((r: any) => r.alert === alert).annotations;
    const fired = (alertname: string, evalTime: string, extra: Record<string, string>, summary: string) => ({
      eval_time: evalTime, alertname,
      exp_alerts: Object.values(layouts).map((labels) => ({
        exp_labels: { ...Object.fromEntries(labels.split(',').map((kv) => kv.split('=').map((x) => x.replace(/"/g, '')))), cert_namespace: 'web', name: 'a', ...extra },
        exp_annotations: { description: annotations(alertname).description, summary },
      })),
    });
    fs.writeFileSync(path.join(dir, 'test.yaml'), stringify({
      rule_files: ['rules.yaml'], evaluation_interval: '1m',
      tests: [{
        interval: '1m', input_series: series,
        alert_rule_test: [
          fired('TLSCertificateRenewalOverdue', '70m', { severity: 'warning' }, 'Certificate web/a should have been renewed'),
          fired('TLSCertificateExpiresSoon', '20m', { severity: 'critical' }, 'Certificate web/a expires in 2d 23h 40m 0s'),
          fired('TLSCertificateNotReady', '20m', { severity: 'warning', condition: 'False' }, 'Certificate web/a is not Ready'),
        ],
      }],
    }));
    const r = spawnSync('promtool', ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  test('needs certificates', () => {
    expectStackError(() => new CertificateExpiryAlerts(scratch().chart, 'A', { certificates: [] }), 'certificates', 'give the certificates');
  });

  test('prod (Prometheus Operator present) watches every certificate of the environment; other environments emit none', () => {
    const prod = envDocs('prod');
    const certs = Object.values(prod).flat().filter((d: any) => d.kind === 'Certificate');
    const exprs = only(prod.monitoring, 'PrometheusRule').spec.groups[0].rules.filter((r: any) => r.alert === 'TLSCertificateNotReady').map((r: any) => r.expr).join(' ');
    for (const c of certs) expect(exprs).toMatch(new RegExp(`exported_namespace="${c.metadata.namespace}",name=~"[^"]*\\b${c.metadata.name}\\b`));
    expect(envDocs('staging').monitoring).toBeUndefined();
  });
});
