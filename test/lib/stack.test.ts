import { Chart, Size, Testing } from 'cdk8s';
import { TlsStackChart, TlsStackSpec, synthChecked } from '../../lib';
import { EdgeKind, InternalCa, SelfSignedIssuer } from '../../lib';
import { BackendApiChart, RedirectorMode } from '../../charts/backend-api';
import { expectStackError, only, synthValid } from '../support';

function spec(over: Partial<TlsStackSpec> = {}): (app: ReturnType<typeof Testing.app>) => TlsStackSpec {
  return (app) => ({
    namespace: 'shop',
    issuer: new SelfSignedIssuer(new Chart(app, 'issuers'), 'I'),
    sites: [{ name: 'shop', hosts: ['shop.example.com'] }],
    apps: [{ name: 'web', image: 'x:1', port: 8080 }],
    routes: [{ host: 'shop.example.com', app: 'web' }],
    ...over,
  });
}

describe('TlsStackChart', () => {
  test.each(Object.values(EdgeKind))('a 50-character stack name and 203-character hosts give object and listener names that fit (%s)', (kind) => {
    const app = Testing.app();
    const long = (first: string) => `${first.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.example.com`;
    const [web, passthrough] = [long('a'), long('p')];
    expect(web).toHaveLength(203);
    new TlsStackChart(app, 'shop', spec({
      name: 's'.repeat(50),
      sites: [{ name: 'web', hosts: [web] }, { name: 'pass', hosts: [passthrough] }],
      apps: [{ name: 'web', image: 'x:1', port: 8080 }, { name: 'secure', image: 'x:1', port: 8443, tls: { site: 'pass' } }],
      routes: [{ host: web, app: 'web', maxRequestBodySize: Size.mebibytes(8) }, { host: web, path: '/upload', app: 'web' }, { host: passthrough, app: 'secure', passthrough: true }],
      edge: { kind },
    })(app));
    const docs = synthChecked(app).charts.flatMap((c) => c.docs);
    const names = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const d of docs) expect([d.kind, d.metadata.name.length <= 253]).toEqual([d.kind, true]);
    const listeners = docs.filter((d) => d.kind === 'Gateway').flatMap((d) => d.spec.listeners.map((l: any) => l.name));
    for (const l of listeners) expect(l.length).toBeLessThanOrEqual(253);
    expect(names.some((n) => /-[0-9a-f]{8}$/.test(n))).toBe(kind !== EdgeKind.INGRESS_NGINX);
  });

  test('one spec → namespace, certificates, workloads, edge', () => {
    const app = Testing.app();
    const chart = new TlsStackChart(app, 'shop', spec()(app));
    const docs = synthValid(chart);
    // Gateway API by default (ingress-nginx is retired)
    expect(docs.map((d) => d.kind).sort()).toEqual(['Certificate', 'ClientTrafficPolicy', 'Deployment', 'Gateway', 'HTTPRoute', 'HTTPRoute', 'Namespace', 'Service']);
    const https = only(docs, 'Gateway').spec.listeners.find((l: any) => l.protocol === 'HTTPS');
    expect([https.hostname, https.tls.certificateRefs[0].name]).toEqual(['shop.example.com', chart.certificates.shop.secretName]);
    expect(chart.edge!.hosts).toEqual(['shop.example.com']);
  });
  test('no routes → no edge', () => {
    const app = Testing.app();
    const chart = new TlsStackChart(app, 'shop', spec({ routes: [] })(app));
    expect(chart.edge).toBeUndefined();
  });
  test('route to an unknown app', () => {
    const app = Testing.app();
    expectStackError(() => new TlsStackChart(app, 'shop', spec({ routes: [{ host: 'shop.example.com', app: 'api' }] })(app)), 'routes[0].app', '"api"', 'web');
  });
  test('app TLS from an unknown site', () => {
    const app = Testing.app();
    expectStackError(() => new TlsStackChart(app, 'shop', spec({ apps: [{ name: 'web', image: 'x:1', port: 8443, tls: { site: 'nope' } }] })(app)), 'apps[0].tls.site', 'shop');
  });
  test('duplicate app names', () => {
    const app = Testing.app();
    expectStackError(() => new TlsStackChart(app, 'shop', spec({ apps: [{ name: 'web', image: 'x:1', port: 1 }, { name: 'web', image: 'y:1', port: 2 }] })(app)), 'apps', 'once');
  });
});

describe('BackendApiChart passthrough mode', () => {
  test('the backend presents the public certificate itself through ssl-passthrough', () => {
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster');
    const chart = new BackendApiChart(app, 'b', {
      host: 'backend.example.com', issuer: new SelfSignedIssuer(cluster, 'I'), internalCa: new InternalCa(cluster, 'Ca'), mode: RedirectorMode.PASSTHROUGH, edge: { kind: EdgeKind.INGRESS_NGINX },
    });
    const docs = synthValid(chart);
    const ing = only(docs, 'Ingress');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
    const cert = only(docs, 'Certificate');
    expect(cert.spec.dnsNames).toEqual(['backend.example.com']);
    expect(cert.spec.keystores.pkcs12.passwordSecretRef).toEqual({ name: 'backend-api-keystore', key: 'password' });
  });
});
