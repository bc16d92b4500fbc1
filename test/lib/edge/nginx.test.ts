import { Chart, Duration } from 'cdk8s';
import {
  AppProtocol, InternalCa, NginxControllerSettings, serviceDnsNames, NginxIngressEdge, SecureWorkload, SelfSignedIssuer, TlsCertificate, TlsProfile, TlsVersion,
} from '../../../lib';
import { expectStackError, only, scratch, synthValid } from '../../support';

function setup() {
  const { app, chart } = scratch('web');
  const issuer = new SelfSignedIssuer(chart, 'Issuer');
  const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer, dnsNames: ['example.com', 'www.example.com'] });
  const api = new TlsCertificate(chart, 'Api', { name: 'api', issuer, dnsNames: ['api.example.com'] });
  const web = new SecureWorkload(chart, 'Web', { name: 'web', image: 'x:1', port: 3000 });
  const gw = new SecureWorkload(chart, 'Gw', { name: 'gw', image: 'x:1', port: 8000, protocol: AppProtocol.WEBSOCKET });
  return { app, chart, issuer, site, api, web, gw, certificates: [site, api] };
}

function edge(s: ReturnType<typeof setup>, extra: object = {}) {
  return new NginxIngressEdge(s.chart, 'Edge', {
    name: 'web',
    certificates: s.certificates,
    routes: [
      { host: 'example.com', backend: s.web },
      { host: 'www.example.com', backend: s.web },
      { host: 'api.example.com', backend: s.gw },
      { host: 'api.example.com', path: '/ws', backend: s.gw, websocket: true },
    ],
    ...extra,
  });
}

describe('NginxIngressEdge', () => {
  test('ingressClassName, redirect, custom-headers, TLS for every host from the certificates', () => {
    const s = setup();
    edge(s);
    const docs = synthValid(s.chart);
    const ing = only(docs, 'Ingress', 'web');
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/custom-headers': 'web/web-security-headers',
      // Mozilla 6.0 intermediate: ssl_prefer_server_ciphers off, which only the per-server annotation can say
      'nginx.ingress.kubernetes.io/ssl-prefer-server-ciphers': 'false',
    });
    expect(ing.metadata.annotations['kubernetes.io/ingress.class']).toBeUndefined();
    expect(ing.spec.tls).toEqual([
      { hosts: ['example.com', 'www.example.com'], secretName: 'site-tls' },
      { hosts: ['api.example.com'], secretName: 'api-tls' },
    ]);
    // every host of every Ingress is covered by a TLS entry whose secret a Certificate produces
    const secrets = new Set(docs.filter((d) => d.kind === 'Certificate').map((d) => d.spec.secretName));
    for (const i of docs.filter((d) => d.kind === 'Ingress')) {
      for (const rule of i.spec.rules) {
        const entry = i.spec.tls.find((t: any) => t.hosts.includes(rule.host));
        expect(entry).toBeDefined();
        expect(secrets).toContain(entry.secretName);
      }
    }
  });

  test('never emits snippet annotations; headers come from a ConfigMap with X-XSS-Protection 0', () => {
    const s = setup();
    edge(s);
    const docs = synthValid(s.chart);
    expect(docs.flatMap((d) => Object.keys(d.metadata.annotations ?? {})).filter((k) => /snippet/.test(k))).toEqual([]);
    expect(JSON.parse(only(docs, 'ConfigMap', 'web-security-headers').metadata.annotations['tls-stack/ingress-nginx-controller-config']).config['allow-snippet-annotations']).toBe('false');
    const cm = only(docs, 'ConfigMap', 'web-security-headers');
    expect(cm.data).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'X-XSS-Protection': '0', 'Referrer-Policy': 'strict-origin-when-cross-origin' });
    expect(cm.data['Strict-Transport-Security']).toBeUndefined(); // HSTS comes from the controller, once
  });

  test('WebSocket timeouts only on WebSocket paths, in their own Ingress', () => {
    const s = setup();
    edge(s, { websocketTimeout: Duration.hours(2) });
    const docs = synthValid(s.chart);
    const ws = only(docs, 'Ingress', 'web-websocket');
    expect(ws.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('7200');
    expect(ws.metadata.annotations['nginx.ingress.kubernetes.io/proxy-send-timeout']).toBe('7200');
    expect(ws.spec.rules).toEqual([{ host: 'api.example.com', http: { paths: [{ path: '/ws', pathType: 'Prefix', backend: { service: { name: 'gw', port: { number: 80 } } } }] } }]);
    expect(ws.spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'api-tls' }]);
    const normal = only(docs, 'Ingress', 'web');
    expect(Object.keys(normal.metadata.annotations).filter((k) => k.includes('timeout'))).toEqual([]);
    expect(normal.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path))).not.toContain('/ws');
    expect(only(docs, 'Service', 'gw').spec.ports[0].appProtocol).toBe('kubernetes.io/ws');
  });

  test('behind an outer TLS load balancer: redirect on X-Forwarded-Proto (trusted by the controller), HSTS from the edge\'s headers', () => {
    const s = setup();
    const e = edge(s, { behindTlsLoadBalancer: true });
    const settings = new NginxControllerSettings(s.chart, 'Controller', { edges: [e] });
    const docs = synthValid(s.chart);
    const ing = only(docs, 'Ingress', 'web');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
    // Without use-forwarded-headers the controller ignores X-Forwarded-Proto and force-ssl-redirect loops.
    expect(settings.data['use-forwarded-headers']).toBe('true');
    // ingress-nginx adds HSTS only when it terminated TLS itself: the edge's custom headers carry it, and are allowed.
    expect(only(docs, 'ConfigMap', 'web-security-headers').data['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(settings.data['global-allowed-response-headers'].split(',')).toContain('Strict-Transport-Security');
  });

  test('not behind a load balancer: X-Forwarded-Proto is not trusted, HSTS comes from the controller only', () => {
    const s = setup();
    const settings = new NginxControllerSettings(s.chart, 'Controller', { edges: [edge(s)] });
    expect(settings.data['use-forwarded-headers']).toBeUndefined();
    expect(settings.data['ssl-prefer-server-ciphers']).toBeUndefined(); // not a ConfigMap key (an Ingress annotation)
    expect(only(synthValid(s.chart), 'ConfigMap', 'web-security-headers').data['Strict-Transport-Security']).toBeUndefined();
  });

  describe('bad input', () => {
    test('host outside every certificate', () => {
      const s = setup();
      expectStackError(() => new NginxIngressEdge(s.chart, 'E', { name: 'e', certificates: s.certificates, routes: [{ host: 'shop.example.com', backend: s.web }] }),
        'routes[0].host', 'shop.example.com', 'no certificate');
    });
    test('duplicate host/path', () => {
      const s = setup();
      expectStackError(() => new NginxIngressEdge(s.chart, 'E', {
        name: 'e', certificates: s.certificates, routes: [{ host: 'example.com', backend: s.web }, { host: 'example.com', path: '/', backend: s.gw }],
      }), 'routes[1].path', 'example.com/', 'routes[0]');
    });
    test('TLS below 1.2', () => {
      const s = setup();
      expectStackError(() => edge(s, { tlsProfile: TlsProfile.custom({ name: 'old', minVersion: TlsVersion.TLS_1_1 }) }), 'tlsProfile.minVersion', 'TLSv1.1');
    });
    test('preload without includeSubDomains', () => {
      const s = setup();
      expectStackError(() => edge(s, { headers: { hsts: { preload: true, includeSubDomains: false } } }), 'headers.hsts.preload', 'Edge');
    });
    test('WebSocket route to a backend that does not speak WebSocket', () => {
      const s = setup();
      expectStackError(() => new NginxIngressEdge(s.chart, 'E', { name: 'e', certificates: s.certificates, routes: [{ host: 'example.com', path: '/ws', backend: s.web, websocket: true }] }),
        'routes[0].backend', 'AppProtocol.WEBSOCKET');
    });
    test('TLS backend whose certificate no internal CA signed (the edge could not verify it)', () => {
      const s = setup();
      const tlsApp = new SecureWorkload(s.chart, 'T', { name: 't', image: 'x:1', port: 8443, tls: { certificate: s.api } });
      expectStackError(() => new NginxIngressEdge(s.chart, 'E', { name: 'e', certificates: s.certificates, routes: [{ host: 'api.example.com', backend: tlsApp }] }),
        'routes[0].backend', 'must verify it', 'InternalCa');
    });
  });
});

describe('NginxControllerSettings', () => {
  test('HSTS, protocols, Mozilla ciphers, 308, ACME path, allowed headers, snippets off', () => {
    const s = setup();
    const e = edge(s, { headers: { hsts: { preload: true } } });
    const settings = new NginxControllerSettings(s.chart, 'Controller', { edges: [e] });
    const cm = only(synthValid(s.chart), 'ConfigMap', 'ingress-nginx-controller');
    expect(cm.metadata.namespace).toBe('ingress-nginx');
    expect(cm.data).toEqual(settings.data);
    expect(cm.data).toMatchObject({
      'allow-snippet-annotations': 'false',
      'hsts': 'true', 'hsts-max-age': '31536000', 'hsts-include-subdomains': 'true', 'hsts-preload': 'true',
      'ssl-protocols': 'TLSv1.2 TLSv1.3',
      'ssl-ciphers': TlsProfile.INTERMEDIATE.ciphers.join(':'),
      'http-redirect-code': '308',
      'no-tls-redirect-locations': '/.well-known/acme-challenge',
    });
    expect(cm.data['global-allowed-response-headers'].split(',').sort()).toEqual(Object.keys(e.securityHeaders.headers).sort());
  });
  test('modern profile: TLS 1.3 only, no ssl-ciphers', () => {
    const s = setup();
    const settings = new NginxControllerSettings(s.chart, 'C', { edges: [edge(s, { tlsProfile: TlsProfile.MODERN })] });
    expect(settings.data['ssl-protocols']).toBe('TLSv1.3');
    expect(settings.data['ssl-ciphers']).toBeUndefined();
  });
  test('edges that disagree on HSTS cannot share a controller', () => {
    const s = setup();
    const a = edge(s);
    const t = setup(); // another stack's edge (one edge per host in an app)
    const b = new NginxIngressEdge(t.chart, 'B', { name: 'b', certificates: t.certificates, routes: [{ host: 'example.com', path: '/b', backend: t.web }], headers: { hsts: { includeSubDomains: false } } });
    expectStackError(() => new NginxControllerSettings(s.chart, 'C', { edges: [a, b] }), 'edges', 'controller-wide');
  });
});

describe('NginxIngressEdge upstream TLS, client auth and passthrough', () => {
  function pki() {
    const s = setup();
    const ca = new InternalCa(new Chart(s.app, 'cluster'), 'Ca');
    const backendCert = new TlsCertificate(s.chart, 'BackendCert', { name: 'backend', issuer: ca.issuer, dnsNames: ['backend.example.com', ...serviceDnsNames('backend', 'web')] });
    const backend = new SecureWorkload(s.chart, 'Backend', { name: 'backend', image: 'x:1', port: 6922, tls: { certificate: backendCert } });
    const certs = [...s.certificates, new TlsCertificate(s.chart, 'Pub', { name: 'pub', issuer: s.issuer, dnsNames: ['backend.example.com'] })];
    return { ...s, ca, backend, certs };
  }

  test('re-encryption to a TLS backend is verified: backend-protocol HTTPS, proxy-ssl-verify on, proxy-ssl-name = service name', () => {
    const s = pki();
    new NginxIngressEdge(s.chart, 'E', { name: 'web', certificates: s.certs, routes: [{ host: 'backend.example.com', backend: s.backend }] });
    const docs = synthValid(s.chart);
    const ing = only(docs, 'Ingress', 'web-backend');
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': 'backend.web.svc',
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'web/web-edge-internal-ca-client-tls',
    });
    // the proxy-ssl-secret is produced by a Certificate from the internal CA (its ca.crt verifies the backend)
    const edgeCert = only(docs, 'Certificate', 'web-edge-internal-ca-client');
    expect(edgeCert.spec).toMatchObject({ secretName: 'web-edge-internal-ca-client-tls', issuerRef: { name: 'internal-ca' }, usages: ['digital signature', 'client auth'] });
  });

  test('client-certificate verification at the edge', () => {
    const s = pki();
    new NginxIngressEdge(s.chart, 'E', {
      name: 'web', certificates: s.certs,
      routes: [{ host: 'api.example.com', backend: s.web, clientAuth: { ca: s.ca.issuer, passCertificateToUpstream: true } }, { host: 'example.com', backend: s.web }],
    });
    const docs = synthValid(s.chart);
    expect(only(docs, 'Ingress', 'web-mtls').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/auth-tls-secret': 'web/web-edge-internal-ca-client-tls',
      'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'on',
      'nginx.ingress.kubernetes.io/auth-tls-verify-depth': '1',
      'nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream': 'true',
    });
    expect(only(docs, 'Ingress', 'web').metadata.annotations['nginx.ingress.kubernetes.io/auth-tls-secret']).toBeUndefined();
  });

  test('passthrough: ssl-passthrough with a note about --enable-ssl-passthrough, no TLS block', () => {
    const s = pki();
    new NginxIngressEdge(s.chart, 'E', { name: 'web', certificates: s.certificates, routes: [{ host: 'backend.example.com', backend: s.backend, passthrough: true }] });
    const ing = only(synthValid(s.chart), 'Ingress', 'web-passthrough');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
    expect(ing.metadata.annotations['tls-stack/note']).toMatch('--enable-ssl-passthrough');
    expect(ing.spec.tls).toBeUndefined();
  });

  test('passthrough to a backend whose certificate does not name the host', () => {
    const s = pki();
    expectStackError(() => new NginxIngressEdge(s.chart, 'E', { name: 'web', certificates: s.certificates, routes: [{ host: 'example.com', backend: s.backend, passthrough: true }] }),
      'routes[0].backend', 'naming "example.com"');
  });
});
