import { Chart, Testing } from 'cdk8s';
import { InternalCa, NamespacedChart, SecureWorkload, SelfSignedIssuer, TlsCertificate, serviceDnsNames } from '../../lib';
import { expectStackError, only, synthValid } from '../support';

function setup(opts: { networkPolicy?: boolean } = {}) {
  const app = Testing.app();
  const ca = new InternalCa(new Chart(app, 'cluster'), 'Ca');
  const chart = new NamespacedChart(app, 'apps', { namespace: 'apps' });
  const cert = new TlsCertificate(chart, 'ServicesCert', { name: 'services', issuer: ca.issuer, dnsNames: serviceDnsNames('services', 'apps') });
  const server = new SecureWorkload(chart, 'Services', { name: 'services', image: 'x:1', port: 8001, servicePort: 8001, tls: { certificate: cert }, networkPolicy: opts.networkPolicy });
  const client = new SecureWorkload(chart, 'Web', { name: 'web', image: 'x:1', port: 8000 });
  return { app, ca, chart, cert, server, client };
}
const container = (docs: any[], name: string) => only(docs, 'Deployment', name).spec.template.spec.containers[0];
const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
const mountOf = (docs: any[], name: string, path: string) => {
  const spec = only(docs, 'Deployment', name).spec.template.spec;
  const m = spec.containers[0].volumeMounts.find((x: any) => x.mountPath === path);
  return m && { mount: m, volume: spec.volumes.find((v: any) => v.name === m.name) };
};

describe('connectTo', () => {
  test('verified HTTPS: the client trusts the CA bundle and gets the https URL; no verify-off anywhere', () => {
    const s = setup();
    s.client.connectTo(s.server, { urlEnv: 'SERVICES_URL' });
    const docs = synthValid(s.chart);
    const env = envOf(container(docs, 'web'));
    expect(env).toMatchObject({ SERVICES_URL: 'https://services.apps.svc:8001', TLS_CA_PATH: '/etc/tls-ca/ca.crt', NODE_EXTRA_CA_CERTS: '/etc/tls-ca/ca.crt' });
    const trust = mountOf(docs, 'web', '/etc/tls-ca')!;
    expect(trust.mount.readOnly).toBe(true);
    expect(trust.volume.configMap).toEqual({ name: 'internal-ca', defaultMode: 0o444 });
    expect(only(docs, 'Namespace', 'apps').metadata.labels['trust.tls-stack/internal-ca']).toBe('enabled');
    expect(JSON.stringify(docs)).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED|rejectUnauthorized/);
  });

  test('mutual TLS wires both ends: client cert (client auth, internal CA) mounted read-only; server requires and verifies', () => {
    const s = setup();
    s.client.connectTo(s.server, { mutualTls: true });
    const docs = synthValid(s.chart);
    const clientCert = only(docs, 'Certificate', 'web-client');
    expect(clientCert.spec).toMatchObject({ commonName: 'web', usages: ['digital signature', 'client auth'], issuerRef: { name: 'internal-ca', kind: 'ClusterIssuer' } });
    const clientMount = mountOf(docs, 'web', '/etc/tls-client')!;
    expect(clientMount.mount.readOnly).toBe(true);
    expect(clientMount.volume.secret).toEqual({ secretName: 'web-client-tls', defaultMode: 0o440 });
    expect(envOf(container(docs, 'web'))).toMatchObject({
      TLS_CLIENT_CERT_PATH: '/etc/tls-client/tls.crt', TLS_CLIENT_KEY_PATH: '/etc/tls-client/tls.key', TLS_CA_PATH: '/etc/tls-ca/ca.crt', SERVICES_URL: 'https://services.apps.svc:8001',
    });
    const serverEnv = envOf(container(docs, 'services'));
    expect(serverEnv).toMatchObject({ TLS_CLIENT_AUTH: 'required', TLS_CA_PATH: '/etc/tls-ca/ca.crt', TLS_ENABLED: 'true' });
    expect(only(docs, 'Deployment', 'web').metadata.annotations['secret.reloader.stakater.com/reload']).toBe('web-client-tls');
    expect(s.server.requiresClientCertificates).toBe(true);
    // the kubelet has no client certificate: a server that requires one is probed on its port, not over HTTPS
    expect(container(docs, 'services').readinessProbe).toEqual({ failureThreshold: 3, tcpSocket: { port: 8001 } });
    expect(container(docs, 'services').livenessProbe.tcpSocket).toEqual({ port: 8001 });
  });

  test('without mutual TLS the server keeps its HTTPS probe', () => {
    const s = setup();
    s.client.connectTo(s.server);
    expect(container(synthValid(s.chart), 'services').readinessProbe.httpGet.scheme).toBe('HTTPS');
  });

  test('NetworkPolicy admits the declared callers only, and an edge\'s controller only once the edge routes to it', () => {
    const s = setup({ networkPolicy: true });
    s.client.connectTo(s.server);
    const np = only(synthValid(s.chart), 'NetworkPolicy', 'services');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.podSelector.matchLabels).toEqual(s.server.podLabels);
    expect(np.spec.ingress[0].ports).toEqual([{ port: 8001, protocol: 'TCP' }]);
    const caller = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, podSelector: { matchLabels: s.client.podLabels } };
    expect(np.spec.ingress[0].from).toEqual([caller]);
    s.server.admitEdge('ingress-nginx');
    expect(only(synthValid(s.chart), 'NetworkPolicy', 'services').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, caller]);
  });

  test('a NetworkPolicy of a workload nothing routes to or calls admits nothing (an empty from would admit every source)', () => {
    const s = setup({ networkPolicy: true });
    const np = only(synthValid(s.chart), 'NetworkPolicy', 'services');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress ?? []).toEqual([]);
  });

  describe('bad input', () => {
    test('server without TLS', () => {
      const s = setup();
      const plain = new SecureWorkload(s.chart, 'Plain', { name: 'plain', image: 'x:1', port: 80 });
      expectStackError(() => s.client.connectTo(plain), 'connectTo', 'plain HTTP');
    });
    test('server certificate without the in-cluster name', () => {
      const s = setup();
      const cert = new TlsCertificate(s.chart, 'C', { name: 'other', issuer: s.ca.issuer, dnsNames: ['localhost'] });
      const other = new SecureWorkload(s.chart, 'O', { name: 'other', image: 'x:1', port: 8443, tls: { certificate: cert } });
      expectStackError(() => s.client.connectTo(other), 'connectTo', 'other.apps.svc', 'serviceDnsNames');
    });
    test('server certificate from a self-signed issuer (CA not found for clients)', () => {
      const s = setup();
      const ss = new SelfSignedIssuer(s.chart, 'SS');
      const cert = new TlsCertificate(s.chart, 'C', { name: 'other', issuer: ss, dnsNames: serviceDnsNames('other', 'apps') });
      const other = new SecureWorkload(s.chart, 'O', { name: 'other', image: 'x:1', port: 8443, tls: { certificate: cert } });
      expectStackError(() => s.client.connectTo(other), 'connectTo', 'cannot verify', 'InternalCa');
    });
  });
});
