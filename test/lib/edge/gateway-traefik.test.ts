import { Chart } from 'cdk8s';
import {
  AcmeSolver, LetsEncryptIssuer, AppProtocol, EdgeKind, GatewayApiEdge, GatewayCertificateMode, GatewayImplementation, InternalCa, KeyAlgorithm, NamespacedChart, PlatformGateway, RedirectStatus,
  Severity, checkManifests, SecureWorkload, SelfSignedIssuer, TlsCertificate, TlsProfile, TraefikEdge, createTlsEdge, serviceDnsNames,
} from '../../../lib';
import { expectStackError, only, scratch, synthValid } from '../../support';

function setup() {
  const { app, chart } = scratch('web');
  const issuer = new SelfSignedIssuer(chart, 'Issuer');
  const ca = new InternalCa(new Chart(app, 'cluster'), 'Ca');
  const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer, dnsNames: ['example.com', 'api.example.com'] });
  const web = new SecureWorkload(chart, 'Web', { name: 'web', image: 'x:1', port: 3000 });
  const gwCert = new TlsCertificate(chart, 'BackendCert', { name: 'backend', issuer: ca.issuer, dnsNames: ['tls.example.com', ...serviceDnsNames('backend', 'web')] });
  const backend = new SecureWorkload(chart, 'Backend', { name: 'backend', image: 'x:1', port: 8443, tls: { certificate: gwCert }, protocol: AppProtocol.WEBSOCKET });
  return { app, chart, issuer, ca, site, web, backend };
}

describe('GatewayApiEdge', () => {
  test('Gateway in a shared namespace: ReferenceGrant for the certificate Secrets, routes allowed from the app namespace', () => {
    const s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], gatewayNamespace: 'infra', redirectStatus: RedirectStatus.MOVED_PERMANENTLY });
    const docs = synthValid(s.chart);
    const gw = only(docs, 'Gateway');
    expect(gw.metadata.namespace).toBe('infra');
    const https = gw.spec.listeners[1];
    expect(https.tls.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: 'site-tls', namespace: 'web' }]);
    expect(https.allowedRoutes.namespaces).toEqual({ from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } });
    const grant = only(docs, 'ReferenceGrant');
    expect(grant.metadata.namespace).toBe('web');
    expect(grant.spec).toEqual({ from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra' }], to: [{ group: '', kind: 'Secret', name: 'site-tls' }] });
    const redirect = only(docs, 'HTTPRoute', 'web-https-redirect');
    expect(redirect.spec.parentRefs[0]).toMatchObject({ name: 'web', namespace: 'infra', sectionName: 'http' });
    expect(redirect.spec.rules[0].filters[0].requestRedirect.statusCode).toBe(301);
  });

  test('no ReferenceGrant when nothing crosses namespaces', () => {
    const s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }] });
    expect(synthValid(s.chart).filter((d) => d.kind === 'ReferenceGrant')).toEqual([]);
  });

  test('a stack on a shared platform Gateway: a ListenerSet in its namespace, its own ClientTrafficPolicy, redirect on the platform HTTP listener', () => {
    const s = setup();
    const platform = new PlatformGateway(new NamespacedChart(s.app, 'edge', { namespace: 'edge' }), 'Platform');
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], sharedGateway: platform });
    const docs = synthValid(s.chart);
    expect(docs.filter((d) => d.kind === 'Gateway' || d.kind === 'ReferenceGrant')).toEqual([]);
    const ls = only(docs, 'ListenerSet', 'web');
    expect(ls.spec.parentRef).toEqual({ name: 'platform', namespace: 'edge', kind: 'Gateway', group: 'gateway.networking.k8s.io' });
    expect(ls.spec.listeners.map((l: any) => [l.name, l.tls.certificateRefs[0].name, l.tls.certificateRefs[0].namespace])).toEqual([['https-example-com', 'site-tls', undefined]]);
    expect(only(docs, 'ClientTrafficPolicy').spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'web' }]);
    expect(only(docs, 'HTTPRoute', 'web-example-com').spec.parentRefs[0]).toMatchObject({ kind: 'ListenerSet', name: 'web', sectionName: 'https-example-com' });
    expect(only(docs, 'HTTPRoute', 'web-https-redirect').spec.parentRefs[0]).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'edge', sectionName: 'http' });
    expect(only(synthValid(s.app.node.findChild('edge') as Chart), 'Gateway', 'platform').spec.listeners.map((l: any) => l.name)).toEqual(['http']);
  });

  test('a platform Gateway behind a TLS load balancer trusts X-Forwarded-Proto once, for every stack on its HTTP listener', () => {
    const s = setup();
    const edge = new NamespacedChart(s.app, 'edge', { namespace: 'edge' });
    const platform = new PlatformGateway(edge, 'Platform', { behindTlsLoadBalancer: true });
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], sharedGateway: platform, behindTlsLoadBalancer: true });
    expect(only(synthValid(edge), 'ClientTrafficPolicy').spec.clientIPDetection).toEqual({ xForwardedFor: { numTrustedHops: 1 } });
    const docs = synthValid(s.chart);
    expect(only(docs, 'ClientTrafficPolicy').spec.clientIPDetection).toBeUndefined(); // the HTTP listener is the platform's
    expect(only(docs, 'HTTPRoute', 'web-example-com-http').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'edge', sectionName: 'http' }]);
  });

  test('what a shared Gateway cannot do per stack is refused with the alternative', () => {
    const platform = (s: ReturnType<typeof setup>, props = {}) => new PlatformGateway(new NamespacedChart(s.app, 'edge', { namespace: 'edge' }), 'Platform', props);
    let s = setup();
    expectStackError(() => new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], sharedGateway: platform(s), behindTlsLoadBalancer: true }),
      'behindTlsLoadBalancer', 'set behindTlsLoadBalancer on it');
    // The reverse: a stack unaware of the load balancer would only redirect the HTTP listener, where everything arrives.
    s = setup();
    expectStackError(() => new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], sharedGateway: platform(s, { behindTlsLoadBalancer: true }) }),
      'behindTlsLoadBalancer', 'set behindTlsLoadBalancer: true on this stack too');
    s = setup();
    expectStackError(() => new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], sharedGateway: platform(s), certificateMode: GatewayCertificateMode.GATEWAY_SHIM }),
      'certificateMode', 'ListenerSets only behind an alpha feature gate');
    s = setup();
    expectStackError(() => new GatewayApiEdge(s.chart, 'E', {
      name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web, clientAuth: { ca: s.ca.issuer } }], sharedGateway: platform(s, { implementation: GatewayImplementation.OTHER }),
    }), 'routes', 'only Envoy Gateway can validate client certificates per ListenerSet');
    s = setup();
    const client = new SecureWorkload(s.chart, 'Client', { name: 'client', image: 'x:1', port: 1 });
    client.connectTo(s.backend, { mutualTls: true });
    expectStackError(() => new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.backend }], sharedGateway: platform(s) }),
      'routes', 'one setting for the whole shared Gateway');
  });

  test('client certificates: a ClientTrafficPolicy on Envoy Gateway (RequireAndVerify, or VerifyIfGiven when optional); the Gateway\'s frontend validation elsewhere', () => {
    let s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web, clientAuth: { ca: s.ca.issuer } }] });
    let docs = synthValid(s.chart);
    expect(only(docs, 'ClientTrafficPolicy').spec.tls.clientValidation).toEqual({ mode: 'RequireAndVerify', caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'internal-ca' }] });
    expect(only(docs, 'Gateway').spec.tls).toBeUndefined();
    s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web, clientAuth: { ca: s.ca.issuer, optional: true } }] });
    expect(only(synthValid(s.chart), 'ClientTrafficPolicy').spec.tls.clientValidation.mode).toBe('VerifyIfGiven');
    s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web, clientAuth: { ca: s.ca.issuer } }], implementation: GatewayImplementation.OTHER });
    docs = synthValid(s.chart);
    expect(only(docs, 'Gateway').spec.tls.frontend.default.validation.caCertificateRefs).toEqual([{ group: '', kind: 'ConfigMap', name: 'internal-ca' }]);
    expect(docs.filter((d) => d.kind === 'ClientTrafficPolicy')).toEqual([]);
  });

  test('clientAuth on some hosts only: on Envoy Gateway those hosts get a ListenerSet of their own with its own client validation', () => {
    const routes = (x: ReturnType<typeof setup>) => [{ host: 'example.com', backend: x.web, clientAuth: { ca: x.ca.issuer } }, { host: 'api.example.com', backend: x.web }];
    const s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: routes(s) });
    const docs = synthValid(s.chart);
    // The Gateway keeps the HTTP listener and the host without client certificates; its policy validates none.
    expect(only(docs, 'Gateway').spec.listeners.map((l: any) => l.hostname ?? l.name)).toEqual(['http', 'api.example.com']);
    expect(only(docs, 'Gateway').spec.allowedListeners).toEqual({ namespaces: { from: 'Same' } });
    const set = only(docs, 'ListenerSet');
    expect(set.metadata.name).toBe('web-mtls-internal-ca');
    expect(set.spec.parentRef).toMatchObject({ kind: 'Gateway', name: 'web', namespace: 'web' });
    expect(set.spec.listeners.map((l: any) => l.hostname)).toEqual(['example.com']);
    const policies = docs.filter((d) => d.kind === 'ClientTrafficPolicy');
    expect(policies.map((p) => [p.spec.targetRefs[0].kind, p.spec.targetRefs[0].name, p.spec.tls.clientValidation?.mode])).toEqual([
      ['Gateway', 'web', undefined], ['ListenerSet', 'web-mtls-internal-ca', 'RequireAndVerify']]);
    // The host's route attaches to its listener in the ListenerSet.
    expect(only(docs, 'HTTPRoute', 'web-example-com').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'web-mtls-internal-ca', sectionName: 'https-example-com' }]);
    // Another implementation validates per Gateway only: refused.
    const t = setup();
    expectStackError(() => new GatewayApiEdge(t.chart, 'E', { name: 'web', certificates: [t.site], routes: routes(t), implementation: GatewayImplementation.OTHER }), 'routes', 'per Gateway');
  });

  test('passthrough becomes a TLS listener and a TLSRoute', () => {
    const s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'tls.example.com', backend: s.backend, passthrough: true }] });
    const docs = synthValid(s.chart);
    expect(only(docs, 'Gateway').spec.listeners[1]).toMatchObject({ name: 'tls-tls-example-com', protocol: 'TLS', tls: { mode: 'Passthrough' } });
    expect(only(docs, 'TLSRoute').spec.rules[0].backendRefs).toEqual([{ name: 'backend', port: 443 }]);
  });

  test('the TLS profile: a ClientTrafficPolicy on Envoy Gateway (modern: TLS 1.3 only, no cipher list), a stated requirement elsewhere', () => {
    let s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], tlsProfile: TlsProfile.MODERN });
    let docs = synthValid(s.chart);
    expect(only(docs, 'ClientTrafficPolicy').spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web' }], tls: { minVersion: '1.3', maxVersion: '1.3' },
    });
    expect(only(docs, 'Gateway').metadata.annotations).toBeUndefined();
    s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], tlsProfile: TlsProfile.MODERN, implementation: GatewayImplementation.OTHER });
    docs = synthValid(s.chart);
    expect(docs.filter((d) => d.kind === 'ClientTrafficPolicy')).toEqual([]);
    expect(only(docs, 'Gateway').metadata.annotations['tls-stack/tls-profile']).toBe('mozilla-modern-6.0: protocols TLSv1.3');
  });

  test('behind a TLS load balancer: app rules on the HTTP listener for X-Forwarded-Proto https (the rest is redirected), and Envoy keeps the header', () => {
    const s = setup();
    new GatewayApiEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], behindTlsLoadBalancer: true });
    const docs = synthValid(s.chart);
    const viaLb = only(docs, 'HTTPRoute', 'web-example-com-http');
    expect(viaLb.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web', sectionName: 'http' }]);
    expect(viaLb.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'X-Forwarded-Proto', value: 'https' }] }]);
    expect(viaLb.spec.rules[0].filters[0].responseHeaderModifier.set).toContainEqual({ name: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' });
    expect(only(docs, 'HTTPRoute', 'web-https-redirect').spec.rules[0].matches).toBeUndefined(); // catch-all: what did not come over TLS
    expect(only(docs, 'ClientTrafficPolicy').spec.clientIPDetection).toEqual({ xForwardedFor: { numTrustedHops: 1 } });
    expect(checkManifests(docs.map((doc) => ({ file: 'x/a.yaml', doc }))).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
  });
});

describe('TraefikEdge', () => {
  test('client auth gets its own TLSOption with RequireAndVerifyClientCert and the CA secret', () => {
    const s = setup();
    new TraefikEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'api.example.com', backend: s.web, clientAuth: { ca: s.ca.issuer } }, { host: 'example.com', backend: s.web }] });
    const docs = synthValid(s.chart);
    const opt = only(docs, 'TLSOption', 'web-mtls-internal-ca');
    expect(opt.spec.clientAuth).toEqual({ secretNames: ['web-edge-internal-ca-client-tls'], clientAuthType: 'RequireAndVerifyClientCert' });
    expect(only(docs, 'IngressRoute', 'web-site-mtls').spec.tls.options.name).toBe('web-mtls-internal-ca');
    expect(only(docs, 'IngressRoute', 'web-site').spec.tls.options.name).toBe('web');
  });

  test('passthrough is an IngressRouteTCP with tls.passthrough', () => {
    const s = setup();
    new TraefikEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'tls.example.com', backend: s.backend, passthrough: true }] });
    const tcp = only(synthValid(s.chart), 'IngressRouteTCP');
    expect(tcp.spec).toMatchObject({ entryPoints: ['websecure'], routes: [{ match: 'HostSNI(`tls.example.com`)' }], tls: { passthrough: true } });
  });

  test('WebSocket routes need no ServersTransport: no Traefik timeout cuts an upgraded connection', () => {
    const s = setup();
    const ws = new SecureWorkload(s.chart, 'Ws', { name: 'ws', image: 'x:1', port: 8000, protocol: AppProtocol.WEBSOCKET });
    new TraefikEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'api.example.com', path: '/ws', backend: ws, websocket: true }, { host: 'api.example.com', backend: ws }] });
    const docs = synthValid(s.chart);
    expect(docs.filter((d) => d.kind === 'ServersTransport')).toEqual([]);
    for (const r of only(docs, 'IngressRoute', 'web-site').spec.routes) expect(r.services[0].serversTransport).toBeUndefined();
  });

  test('behind a TLS load balancer the web entry point routes to the app through redirectScheme (not noop@internal, which answers 418)', () => {
    const s = setup();
    new TraefikEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }], behindTlsLoadBalancer: true });
    const web = only(synthValid(s.chart), 'IngressRoute', 'web-http');
    expect(web.spec.entryPoints).toEqual(['web']);
    expect(web.spec.routes).toEqual([{
      kind: 'Rule', match: 'Host(`example.com`)', priority: 'Host(`example.com`)'.length, services: [{ name: 'web', port: 80 }],
      middlewares: [{ name: 'web-redirect-https', namespace: 'web' }, { name: 'web-security-headers', namespace: 'web' }],
    }]);
    // HSTS: Traefik's headers middleware sends it only for requests it sees as HTTPS, here by the load balancer's header.
    const headers = only(synthValid(s.chart), 'Middleware', 'web-security-headers').spec.headers;
    expect(headers).toMatchObject({ stsSeconds: 31536000, sslProxyHeaders: { 'X-Forwarded-Proto': 'https' } });
  });

  test('without a load balancer Traefik trusts no proxy header for HSTS', () => {
    const s = setup();
    new TraefikEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }] });
    expect(only(synthValid(s.chart), 'Middleware', 'web-security-headers').spec.headers.sslProxyHeaders).toBeUndefined();
  });
});

describe('createTlsEdge', () => {
  test.each([[EdgeKind.INGRESS_NGINX, 'Ingress'], [EdgeKind.GATEWAY_API, 'Gateway'], [EdgeKind.TRAEFIK, 'IngressRoute']])('%s emits %s', (kind, docKind) => {
    const s = setup();
    createTlsEdge(s.chart, 'E', { name: 'web', certificates: [s.site], routes: [{ host: 'example.com', backend: s.web }] }, { kind });
    expect(synthValid(s.chart).some((d) => d.kind === docKind)).toBe(true);
  });
});

describe('GatewayApiEdge with cert-manager gateway-shim', () => {
  test('no Certificate objects: the Gateway carries the issuer, key and lifetimes; listeners have hostnames and the Secrets', () => {
    const s = setup();
    new GatewayApiEdge(s.chart, 'E', {
      name: 'web', certificates: [s.site], certificateMode: GatewayCertificateMode.GATEWAY_SHIM,
      routes: [{ host: 'example.com', backend: s.web }, { host: 'api.example.com', backend: s.web }],
    });
    const docs = synthValid(s.chart);
    expect(docs.filter((d) => d.kind === 'Certificate' && d.spec.secretName === 'site-tls')).toEqual([]);
    const gw = only(docs, 'Gateway');
    expect(gw.metadata.annotations).toMatchObject({
      'cert-manager.io/cluster-issuer': 'selfsigned', 'cert-manager.io/private-key-algorithm': 'ECDSA', 'cert-manager.io/private-key-size': '256',
      'cert-manager.io/private-key-rotation-policy': 'Always', 'cert-manager.io/duration': '2160h', 'cert-manager.io/renew-before': '720h',
    });
    for (const l of gw.spec.listeners.filter((x: any) => x.protocol === 'HTTPS')) {
      expect(l.hostname).toBeDefined();
      expect(l.tls.certificateRefs[0].name).toBe('site-tls');
    }
    expect(s.site.certificateName).toBe('site-tls');
    expect(checkManifests(docs.map((doc) => ({ file: 'x/a.yaml', doc }))).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
  });

  test('a certificate name no listener carries would be dropped: synth error', () => {
    const s = setup();
    expectStackError(() => new GatewayApiEdge(s.chart, 'E', {
      name: 'web', certificates: [s.site], certificateMode: GatewayCertificateMode.GATEWAY_SHIM, routes: [{ host: 'example.com', backend: s.web }],
    }), 'certificates', 'api.example.com', 'gateway-shim');
  });

  test('certificates with different settings cannot share one Gateway\'s annotations', () => {
    const s = setup();
    const rsa = new TlsCertificate(s.chart, 'Rsa', { name: 'rsa', issuer: s.issuer, dnsNames: ['rsa.example.com'], privateKey: { algorithm: KeyAlgorithm.RSA } });
    expectStackError(() => new GatewayApiEdge(s.chart, 'E', {
      name: 'web', certificates: [s.site, rsa], certificateMode: GatewayCertificateMode.GATEWAY_SHIM,
      routes: [{ host: 'example.com', backend: s.web }, { host: 'api.example.com', backend: s.web }, { host: 'rsa.example.com', backend: s.web }],
    }), 'certificates', 'one issuer, key and lifetime');
  });
});

describe('HTTP-01 solvers must answer on the edge that serves the host', () => {
  const le = (chart: any, solver: AcmeSolver) => new LetsEncryptIssuer(chart, 'Le', { email: 'ops@example.com', solvers: [solver] });
  test.each([
    [EdgeKind.GATEWAY_API, AcmeSolver.http01Ingress({ ingressClassName: 'nginx' }), 'http01GatewayHttpRoute'],
    [EdgeKind.TRAEFIK, AcmeSolver.http01Ingress({ ingressClassName: 'nginx' }), "ingressClassName: 'traefik'"],
    [EdgeKind.INGRESS_NGINX, AcmeSolver.http01GatewayHttpRoute({ parentRefs: [{ name: 'web', namespace: 'web' }] }), "ingressClassName: 'nginx'"],
  ])('%s with a solver for another edge is a synth error', (kind, solver, hint) => {
    const s = setup();
    const cert = new TlsCertificate(s.chart, 'Pub', { name: 'pub', issuer: le(s.chart, solver), dnsNames: ['example.com'] });
    expectStackError(() => createTlsEdge(s.chart, 'E', { name: 'web', certificates: [cert], routes: [{ host: 'example.com', backend: s.web }] }, { kind }), 'routes[0].host', 'HTTP-01', hint);
  });
  test.each([
    [EdgeKind.GATEWAY_API, AcmeSolver.http01GatewayHttpRoute({ parentRefs: [{ name: 'web', namespace: 'web' }] })],
    [EdgeKind.TRAEFIK, AcmeSolver.http01Ingress({ ingressClassName: 'traefik' })],
    [EdgeKind.INGRESS_NGINX, AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })],
    [EdgeKind.GATEWAY_API, AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf', key: 'token' } })],
  ])('%s with a matching (or DNS-01) solver is accepted', (kind, solver) => {
    const s = setup();
    const cert = new TlsCertificate(s.chart, 'Pub', { name: 'pub', issuer: le(s.chart, solver), dnsNames: ['example.com'] });
    expect(() => createTlsEdge(s.chart, 'E', { name: 'web', certificates: [cert], routes: [{ host: 'example.com', backend: s.web }] }, { kind })).not.toThrow();
  });
});
