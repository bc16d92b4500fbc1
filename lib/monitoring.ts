import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { TlsCertificate } from './certificates';
import { enforcePolicy } from './policy/gate';
import { check, isDnsLabel } from './policy/validation';

/** Props of {@link CertificateExpiryAlerts}. */
export interface CertificateExpiryAlertsProps {
  /** The certificates to watch. */
  readonly certificates: TlsCertificate[];
  /** Name of the PrometheusRule. @default "tls-certificates" */
  readonly name?: string;
  /** Labels Prometheus' ruleSelector matches (e.g. `{ release: 'kube-prometheus-stack' }`). @default none */
  readonly labels?: Record<string, string>;
  /** Page when this little validity is left. @default Duration.days(7) */
  readonly criticalBefore?: Duration;
}

/**
 * The series of one namespace's certificates, whichever way Prometheus labels them, with the certificate's namespace
 * in `cert_namespace`. cert-manager labels its metrics with the Certificate's `namespace`; scraped through its Helm
 * chart's ServiceMonitor (honorLabels: false by default) that label collides with the target's namespace
 * (cert-manager's own) and Prometheus renames it `exported_namespace`; with honorLabels: true it stays `namespace`.
 * The two selectors are disjoint, so no series is counted twice. Expiry values of 0 mean "not issued yet".
 */
function certificateSeries(metric: string, g: { namespace: string; names: string[] }, filter: string, extra = ''): string {
  const names = `name=~"${[...g.names].sort().join('|')}"${extra}`;
  const either = `(${metric}{namespace="${g.namespace}",exported_namespace="",${names}} or ${metric}{exported_namespace="${g.namespace}",${names}})${filter}`;
  return `label_replace(label_replace(${either}, "cert_namespace", "$1", "namespace", "(.*)"), "cert_namespace", "$1", "exported_namespace", "(.+)")`;
}

/**
 * A PrometheusRule (monitoring.coreos.com/v1) over cert-manager's metrics for the stack's certificates: renewal
 * overdue (less validity left than the certificate's renewBefore: cert-manager should have renewed it), about to
 * expire, and not Ready. One expression per namespace and renewal window, so it stays small with many certificates.
 */
export class CertificateExpiryAlerts extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: CertificateExpiryAlertsProps) {
    super(scope, id);
    enforcePolicy(this);
    check(props.certificates.length > 0, this, 'certificates', [], 'give the certificates to watch');
    const critical = (props.criticalBefore ?? Duration.days(7)).toSeconds();
    check(critical >= 3600, this, 'criticalBefore', critical, 'use at least Duration.hours(1)');
    const groups = new Map<string, { namespace: string; renewBefore: number; names: string[] }>();
    for (const c of props.certificates) {
      const namespace = c.namespace ?? 'default';
      check(isDnsLabel(namespace), this, 'certificates', c.node.path, 'certificates must have a namespace');
      const key = `${namespace}/${c.renewBefore.toSeconds()}`;
      const g = groups.get(key) ?? { namespace, renewBefore: c.renewBefore.toSeconds(), names: [] };
      g.names.push(c.certificateName);
      groups.set(key, g);
    }
    const all = [...groups.values()];
    const rules = [
      ...all.map((g) => ({
        alert: 'TLSCertificateRenewalOverdue',
        expr: `${certificateSeries('certmanager_certificate_expiration_timestamp_seconds', g, ' > 0')} - time() < ${g.renewBefore}`,
        for: '1h',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Certificate {{ $labels.cert_namespace }}/{{ $labels.name }} should have been renewed',
          description: `Less than its renewBefore (${Math.round(g.renewBefore / 3600)}h) of validity is left: check the Certificate, its CertificateRequest and the issuer.`,
        },
      })),
      ...all.map((g) => ({
        alert: 'TLSCertificateExpiresSoon',
        expr: `${certificateSeries('certmanager_certificate_expiration_timestamp_seconds', g, ' > 0')} - time() < ${critical}`,
        for: '10m',
        labels: { severity: 'critical' },
        annotations: { summary: 'Certificate {{ $labels.cert_namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}', description: 'Renewal has failed; clients will reject the certificate when it expires.' },
      })),
      ...all.map((g) => ({
        alert: 'TLSCertificateNotReady',
        expr: `${certificateSeries('certmanager_certificate_ready_status', g, ' == 1', ',condition="False"')}`,
        for: '15m',
        labels: { severity: 'warning' },
        annotations: { summary: 'Certificate {{ $labels.cert_namespace }}/{{ $labels.name }} is not Ready', description: 'kubectl describe certificate shows why (issuer, challenge, CA).' },
      })),
    ];
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: props.name ?? 'tls-certificates', labels: props.labels },
      spec: { groups: [{ name: 'tls-certificates', rules }] },
    });
  }
}
