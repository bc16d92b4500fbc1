// Features a real stack needed: wildcard hosts behind the edge, request body limits, args/resources/lifetimes in the
// stack spec, ACME CAs other than Let's Encrypt (with External Account Binding) and ACME profiles. Every edge.
import { Chart, Duration, Size, Testing } from 'cdk8s';
import {
  AcmeDirectory, AcmeIssuer, AcmeServer, AcmeSolver, ClusterRequirement, EdgeKind, GatewayImplementation, ICertificateIssuer, InternalCa, LetsEncryptIssuer, LetsEncryptProfile,
  RequirementKind, SelfSignedIssuer, TlsCertificate, TlsStackChart, TlsStackSpec, clusterRequirements,
} from '../../lib';
import { only, synthValid } from '../support';

const dns01 = AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf', key: 'token' } });
function build(edge: EdgeKind, over: Partial<TlsStackSpec> = {}, issuer?: (c: Chart) => ICertificateIssuer, edgeExtra: object = {}) {
  const app = Testing.app();
  const cluster = new Chart(app, 'cluster');
  const chart = new TlsStackChart(app, 'pages', {
    namespace: 'pages',
    issuer: issuer ? issuer(cluster) : new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [dns01] }),
    sites: [{ name: 'pages', hosts: ['*.pages.example.com'] }, { name: 'registry', hosts: ['registry.example.com'] }],
    apps: [
      { name: 'pages', image: 'ghcr.io/example/pages:1.0.0', port: 8080, args: ['--serve', '/srv'], resources: { cpu: { request: 100 } } },
      { name: 'registry', image: 'ghcr.io/example/registry:2.8.3', port: 5000 },
    ],
    routes: [
      { host: '*.pages.example.com', app: 'pages' },
      { host: 'registry.example.com', app: 'registry', path: '/v2', maxRequestBodySize: Size.gibibytes(1) },
      { host: 'registry.example.com', app: 'registry' },
    ],
    edge: { kind: edge, ...edgeExtra },
    ...over,
  });
  return { app, chart, docs: synthValid(chart) };
}

describe.each(Object.values(EdgeKind))('%s', (edge) => {
  test('a wildcard host is routed with its wildcard certificate (DNS-01), schema- and CEL-valid', () => {
    const { docs } = build(edge);
    if (edge === EdgeKind.INGRESS_NGINX) {
      const ing = docs.filter((d) => d.kind === 'Ingress').find((i) => i.spec.rules.some((r: any) => r.host === '*.pages.example.com'));
      expect(ing.spec.tls).toContainEqual({ hosts: ['*.pages.example.com'], secretName: 'pages-tls' });
    } else if (edge === EdgeKind.GATEWAY_API) {
      expect(only(docs, 'Gateway').spec.listeners).toContainEqual(expect.objectContaining({ name: 'https-wildcard-pages-example-com', hostname: '*.pages.example.com' }));
      expect(only(docs, 'HTTPRoute', 'pages-wildcard-pages-example-com').spec.hostnames).toEqual(['*.pages.example.com']);
    } else {
      expect(only(docs, 'IngressRoute', 'pages-pages').spec.routes[0].match).toBe('HostRegexp(`^[a-z0-9-]+\\.pages\\.example\\.com$`)');
      expect(only(docs, 'IngressRoute', 'pages-pages').spec.tls.secretName).toBe('pages-tls');
    }
  });

  test('a request body limit on one route only', () => {
    const { docs, app } = build(edge);
    if (edge === EdgeKind.INGRESS_NGINX) {
      const limited = docs.filter((d) => d.kind === 'Ingress' && d.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']);
      expect(limited.map((i) => [i.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'], i.spec.rules.map((r: any) => `${r.host}${r.http.paths[0].path}`)]))
        .toEqual([['1048576k', ['registry.example.com/v2']]]);
    } else if (edge === EdgeKind.GATEWAY_API) {
      const route = only(docs, 'HTTPRoute', 'pages-registry-example-com');
      expect(route.spec.rules.map((r: any) => r.name)).toEqual(['body-limit-0', undefined]);
      expect(only(docs, 'BackendTrafficPolicy').spec).toEqual({
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'pages-registry-example-com', sectionName: 'body-limit-0' }],
        requestBuffer: { limit: '1048576Ki' },
      });
    } else {
      expect(only(docs, 'Middleware', 'pages-body-1048576k').spec).toEqual({ buffering: { maxRequestBodyBytes: 1073741824 } });
      const routes = only(docs, 'IngressRoute', 'pages-registry').spec.routes;
      expect(routes.find((r: any) => r.match.includes('/v2')).middlewares.map((m: any) => m.name)).toEqual(['pages-security-headers', 'pages-body-1048576k']);
      expect(routes.find((r: any) => !r.match.includes('/v2')).middlewares.map((m: any) => m.name)).toEqual(['pages-security-headers']);
    }
    void app;
  });

  test('args and resources reach the container', () => {
    const c = only(build(edge).docs, 'Deployment', 'pages').spec.template.spec.containers[0];
    expect(c.args).toEqual(['--serve', '/srv']);
    expect(c.resources.requests.cpu).toBe('100m');
  });
});

test('another Gateway API implementation: the body limit is stated as a requirement, never silently dropped', () => {
  const { app } = build(EdgeKind.GATEWAY_API, {}, undefined, { gatewayImplementation: GatewayImplementation.OTHER });
  const req = clusterRequirements(app).find((r: ClusterRequirement) => r.kind === RequirementKind.SETTING && r.what.startsWith('request body limit'));
  expect(req?.what).toBe('request body limit of pages/pages-registry-example-com: body-limit-0 ≤ 1073741824 bytes');
});

describe('certificate lifetimes in the stack spec', () => {
  test('duration and renewBefore of a site and of an internal certificate', () => {
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster');
    const chart = new TlsStackChart(app, 'shop', {
      namespace: 'shop', issuer: new SelfSignedIssuer(cluster, 'S'), internalCa: new InternalCa(cluster, 'Ca'),
      sites: [{ name: 'shop', hosts: ['shop.example.com'], duration: Duration.days(30), renewBefore: Duration.days(10) }],
      apps: [{ name: 'api', image: 'ghcr.io/example/api:1.0.0', port: 8443, tls: { internal: true, duration: Duration.days(7), renewBefore: Duration.days(2) } }],
    });
    const docs = synthValid(chart);
    expect(only(docs, 'Certificate', 'shop').spec).toMatchObject({ duration: '720h', renewBefore: '240h' });
    expect(only(docs, 'Certificate', 'api').spec).toMatchObject({ duration: '168h', renewBefore: '48h' });
  });
});

describe('ACME CAs and profiles', () => {
  const cert = (issuer: (c: Chart) => ICertificateIssuer, props: Partial<ConstructorParameters<typeof TlsCertificate>[2]> = {}) => {
    const { chart } = { chart: new Chart(Testing.app(), 'c', { namespace: 'web' }) };
    const c = new TlsCertificate(chart, 'C', { name: 'c', issuer: issuer(chart), dnsNames: ['app.example.com'], ...props });
    return { c, docs: synthValid(chart) };
  };

  test('ZeroSSL with External Account Binding', () => {
    const { docs } = cert((c) => new AcmeIssuer(c, 'Z', {
      directory: AcmeDirectory.ZEROSSL, name: 'zerossl', email: 'ops@example.com', solvers: [dns01],
      externalAccountBinding: { keyId: 'kid-123', keySecret: { name: 'zerossl-eab', key: 'hmac' } },
    }));
    expect(only(docs, 'ClusterIssuer', 'zerossl').spec.acme).toMatchObject({
      server: 'https://acme.zerossl.com/v2/DV90', externalAccountBinding: { keyID: 'kid-123', keySecretRef: { name: 'zerossl-eab', key: 'hmac' } },
    });
    expect(clusterRequirements(docs).map((r) => r.what)).toContain('Secret cert-manager/zerossl-eab (key hmac)');
  });

  test('Google Trust Services needs EAB too; a private step-ca issues for in-cluster names and carries its CA bundle', () => {
    const stepCa = (c: Chart) => new AcmeIssuer(c, 'Step', {
      directory: AcmeDirectory.custom('https://ca.internal.example/acme/acme/directory', { publicCa: false, caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }),
      name: 'step-ca', email: 'ops@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })],
    });
    const { docs } = cert(stepCa, { dnsNames: ['api.shop.svc'], ipAddresses: ['10.0.0.5'] });
    const acme = only(docs, 'ClusterIssuer', 'step-ca').spec.acme;
    expect(Buffer.from(acme.caBundle, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(only(docs, 'Certificate', 'c').spec.dnsNames).toEqual(['api.shop.svc']);
    expect(() => cert((c) => new AcmeIssuer(c, 'G', { directory: AcmeDirectory.GOOGLE_TRUST_SERVICES, name: 'gts', email: 'ops@example.com', solvers: [dns01] })))
      .toThrow(/External Account Binding/);
  });

  test('Let\'s Encrypt profiles: shortlived certificates live 160 hours (renewed a third before) and may carry a public IP', () => {
    const { c, docs } = cert((x) => new LetsEncryptIssuer(x, 'Le', { email: 'ops@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })], profile: LetsEncryptProfile.SHORT_LIVED }),
      { ipAddresses: ['8.8.8.8'] });
    expect(only(docs, 'ClusterIssuer', 'letsencrypt-prod').spec.acme.profile).toBe('shortlived');
    expect(only(docs, 'Certificate', 'c').spec).toMatchObject({ duration: '160h', renewBefore: '3200m', ipAddresses: ['8.8.8.8'] });
    expect(c.renewBefore.toSeconds()).toBeLessThan(c.duration.toSeconds());
  });

  test('shortlived or not, a public CA gets no private, loopback or reserved address (IPv4 and IPv6)', () => {
    const le = (x: Chart) => new LetsEncryptIssuer(x, 'Le', { email: 'ops@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })], profile: LetsEncryptProfile.SHORT_LIVED });
    for (const ip of ['10.0.0.5', '127.0.0.1', '100.64.1.1', '192.0.2.7', 'fd00::5', '::1', 'fe80::1', '2001:db8::1']) {
      expect(() => cert(le, { ipAddresses: [ip] })).toThrow(/private, loopback or reserved address: issue it from an InternalCa/);
    }
    for (const ip of ['8.8.8.8', '2606:4700:4700::1111']) expect(only(cert(le, { ipAddresses: [ip] }).docs, 'Certificate', 'c').spec.ipAddresses).toEqual([ip]);
  });

  test('an unknown Let\'s Encrypt profile is refused (tlsclient was withdrawn)', () => {
    expect(() => cert((x) => new AcmeIssuer(x, 'Le', { directory: AcmeDirectory.LETS_ENCRYPT, name: 'le', email: 'ops@example.com', solvers: [dns01], profile: 'tlsclient' })))
      .toThrow(/use one of Let's Encrypt's profiles: classic, tlsserver, shortlived/);
  });
});
