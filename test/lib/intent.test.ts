// What the user asked for and what the cluster will do must not differ: every case where an edge, a controller or
// Kubernetes would silently do less than the spec says is refused at build (with the path, the field and the fix) or
// delivered; and no input the types accept ends in an untyped error.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import {
  AcmeDirectory, AcmeIssuer, AcmeSolver, AcmeServer, EdgeKind, GatewayApiEdge, GatewayCertificateMode, GatewayImplementation, InternalCa, KeyRotationPolicy,
  LetsEncryptIssuer, NamespacedChart, NginxControllerSettings, NginxIngressEdge, PlatformGateway, TlsEnv, TlsProfile, TlsStackError, clusterRequirements, SecureWorkload, SelfSignedIssuer, ServiceType, TlsCertificate, TlsPolicyError, TlsStackChart, TlsStackSpec,
  TraefikEdge, createTlsEdge, serviceDnsNames, synthChecked, writeApps,
} from '../../lib';
import { expectStackError, only } from '../support';

const KINDS = [EdgeKind.GATEWAY_API, EdgeKind.TRAEFIK, EdgeKind.INGRESS_NGINX];

/** An app with a cluster chart (issuers, internal CA) and a stack namespace "shop". */
function world() {
  const app = Testing.app();
  const cluster = new Chart(app, 'cluster', { disableResourceNameHashes: true });
  const ca = new InternalCa(cluster, 'Ca');
  const issuer = new SelfSignedIssuer(cluster, 'Self');
  return { app, cluster, ca, issuer };
}
const stack = (w: ReturnType<typeof world>, over: Partial<TlsStackSpec> = {}) => new TlsStackChart(w.app, 'shop', {
  namespace: 'shop', issuer: w.issuer, internalCa: w.ca,
  sites: [{ name: 'shop', hosts: ['shop.example.com', 'admin.example.com'] }],
  apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }],
  routes: [{ host: 'shop.example.com', app: 'web' }],
  ...over,
});
const docsOf = (app: App) => synthChecked(app).charts.flatMap((c) => c.docs);

describe('client certificates are checked where the spec asks, or the spec is refused', () => {
  test.each(KINDS)('%s: clientAuth behind a TLS-terminating load balancer is refused (no handshake reaches the edge)', (kind) => {
    expectStackError(() => stack(world(), { routes: [{ host: 'admin.example.com', app: 'web', clientAuth: true }], edge: { kind, behindTlsLoadBalancer: true } }),
      'routes[0].clientAuth', 'never sees a client certificate');
  });

  test.each(KINDS)('%s: clientAuth to an app also on its own LoadBalancer Service is refused (the check could be gone around)', (kind) => {
    expectStackError(() => stack(world(), {
      apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8443, tls: { internal: true }, serviceType: ServiceType.LOAD_BALANCER }],
      routes: [{ host: 'admin.example.com', app: 'web', clientAuth: true }], edge: { kind },
    }), 'routes[0].backend', 'own LoadBalancer Service');
  });

  test.each(KINDS)('%s: two hosts with different client-certificate settings each keep their own', (kind) => {
    const w = world();
    const partners = new InternalCa(w.cluster, 'Partners', { name: 'partners-ca' });
    const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
    const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer: w.issuer, dnsNames: ['a.example.com', 'b.example.com'] });
    const backend = new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8080 });
    createTlsEdge(chart, 'E', { name: 'e', certificates: [site], routes: [
      { host: 'a.example.com', backend, clientAuth: { ca: w.ca.issuer, optional: true } },
      { host: 'b.example.com', backend, clientAuth: { ca: partners.issuer } },
    ] }, { kind });
    const docs = docsOf(w.app);
    // Per host: which CA and whether the certificate is required.
    const settings = (host: string): [string, boolean] => {
      if (kind === EdgeKind.INGRESS_NGINX) {
        const ing = docs.find((d) => d.kind === 'Ingress' && d.spec.rules.some((r: any) => r.host === host));
        const a = ing.metadata.annotations;
        return [a['nginx.ingress.kubernetes.io/auth-tls-secret'], a['nginx.ingress.kubernetes.io/auth-tls-verify-client'] === 'on'];
      }
      if (kind === EdgeKind.TRAEFIK) {
        const route = docs.find((d) => d.kind === 'IngressRoute' && d.spec.tls && d.spec.routes.some((r: any) => r.match.includes(host)));
        const option = only(docs, 'TLSOption', route.spec.tls.options.name);
        return [option.spec.clientAuth.secretNames[0], option.spec.clientAuth.clientAuthType === 'RequireAndVerifyClientCert'];
      }
      // The Gateway holds one setting's hosts, a ListenerSet of the edge each other's.
      const holder = docs.find((d) => (d.kind === 'ListenerSet' || d.kind === 'Gateway') && d.spec.listeners.some((l: any) => l.hostname === host));
      const policy = docs.find((d) => d.kind === 'ClientTrafficPolicy' && d.spec.targetRefs[0].kind === holder.kind && d.spec.targetRefs[0].name === holder.metadata.name);
      return [policy.spec.tls.clientValidation.caCertificateRefs[0].name, policy.spec.tls.clientValidation.mode === 'RequireAndVerify'];
    };
    const [a, b] = [settings('a.example.com'), settings('b.example.com')];
    expect(a[0]).toMatch(/internal-ca/);
    expect(a[1]).toBe(false);
    expect(b[0]).toMatch(/partners-ca/);
    expect(b[1]).toBe(true);
  });

  test('ingress-nginx: a TLS backend Service named "mtls" next to a clientAuth route gets its own Ingress, and the check stays', () => {
    const w = world();
    const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
    const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer: w.issuer, dnsNames: ['status.example.com', 'admin.example.com'] });
    const mtls = new SecureWorkload(chart, 'Status', { name: 'mtls', image: 'x:1', port: 8443,
      tls: { certificate: new TlsCertificate(chart, 'StatusCert', { name: 'mtls', issuer: w.ca.issuer, dnsNames: serviceDnsNames('mtls', 'web') }) } });
    const admin = new SecureWorkload(chart, 'Admin', { name: 'admin', image: 'x:1', port: 8080 });
    new NginxIngressEdge(chart, 'E', { name: 'web', certificates: [site], routes: [{ host: 'status.example.com', backend: mtls }, { host: 'admin.example.com', backend: admin, clientAuth: { ca: w.ca.issuer } }] });
    const ingresses = docsOf(w.app).filter((d) => d.kind === 'Ingress');
    expect(ingresses).toHaveLength(2);
    const adminIngress = ingresses.find((i) => i.spec.rules[0].host === 'admin.example.com');
    expect(adminIngress.spec.rules).toHaveLength(1);
    expect(adminIngress.metadata.annotations['nginx.ingress.kubernetes.io/auth-tls-verify-client']).toBe('on');
  });

  test('Traefik: a wildcard host cannot verify client certificates (Traefik picks TLS options by Host() names)', () => {
    expectStackError(() => stack(world(), { sites: [{ name: 'pages', hosts: ['*.pages.example.com'] }], routes: [{ host: '*.pages.example.com', app: 'web', clientAuth: true }], edge: { kind: EdgeKind.TRAEFIK } }),
      'routes[0].clientAuth', 'wildcard host gets its default options');
  });

  test.each(KINDS)('%s: the paths of one host agree on client certificates (checked in the handshake, before any path)', (kind) => {
    expectStackError(() => stack(world(), { routes: [{ host: 'shop.example.com', app: 'web', clientAuth: true }, { host: 'shop.example.com', app: 'web', path: '/public' }], edge: { kind } }),
      'routes[1]', /routes\[0\] \(\/\) has client certificates from internal-ca, verify depth 1, this one no client certificates/);
  });

  test('the verify depth follows the CA: 2 through an intermediate', () => {
    const w = world();
    const ca = new InternalCa(w.cluster, 'Deep', { name: 'deep-ca', intermediate: true });
    stack(w, { internalCa: ca, routes: [{ host: 'admin.example.com', app: 'web', clientAuth: true }], edge: { kind: EdgeKind.INGRESS_NGINX } });
    const ing = docsOf(w.app).find((d) => d.kind === 'Ingress');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/auth-tls-verify-depth']).toBe('2');
  });

  test.each([EdgeKind.GATEWAY_API, EdgeKind.TRAEFIK])('%s: verifyDepth and passCertificateToUpstream, which it cannot deliver, are refused', (kind) => {
    for (const option of [{ verifyDepth: 3 }, { passCertificateToUpstream: true }]) {
      const w = world();
      const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
      const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer: w.issuer, dnsNames: ['a.example.com'] });
      const backend = new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8080 });
      expectStackError(() => createTlsEdge(chart, 'E', { name: 'e', certificates: [site], routes: [{ host: 'a.example.com', backend, clientAuth: { ca: w.ca.issuer, ...option } }] }, { kind }),
        `routes[0].clientAuth.${Object.keys(option)[0]}`, /drop (verifyDepth|passCertificateToUpstream)/);
    }
  });

  test('Gateway API on another implementation: passthrough hosts beside client-certificate hosts stay on the one Gateway that validates', () => {
    const w = world();
    const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
    const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer: w.issuer, dnsNames: ['a.example.com'] });
    const backend = new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8080 });
    const tls = new SecureWorkload(chart, 'T', { name: 't', image: 'x:1', port: 8443, tls: { certificate: new TlsCertificate(chart, 'TC', { name: 'tc', issuer: w.ca.issuer, dnsNames: ['t.example.com'] }) } });
    new GatewayApiEdge(chart, 'E', { name: 'e', certificates: [site], implementation: GatewayImplementation.OTHER, routes: [
      { host: 't.example.com', backend: tls, passthrough: true }, { host: 'a.example.com', backend, clientAuth: { ca: w.ca.issuer } }] });
    const docs = docsOf(w.app);
    expect(docs.filter((d) => d.kind === 'ListenerSet')).toEqual([]);
    const gw = only(docs, 'Gateway');
    expect(gw.spec.listeners.map((l: any) => l.hostname).filter(Boolean).sort()).toEqual(['a.example.com', 't.example.com']);
    expect(gw.spec.tls.frontend.default.validation.caCertificateRefs).toHaveLength(1);
  });

  test('Gateway API on another implementation has no optional client validation: refused', () => {
    const w = world();
    const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
    const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer: w.issuer, dnsNames: ['a.example.com'] });
    const backend = new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8080 });
    expectStackError(() => new GatewayApiEdge(chart, 'E', { name: 'e', certificates: [site], implementation: GatewayImplementation.OTHER, routes: [{ host: 'a.example.com', backend, clientAuth: { ca: w.ca.issuer, optional: true } }] }),
      'routes[0].clientAuth.optional', 'no optional mode');
  });
});

describe('what the edge serves and forwards', () => {
  test.each(KINDS)('%s: a CA certificate is never the edge\'s serving certificate (its Secret holds the CA key)', (kind) => {
    const w = world();
    const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
    const caCert = new TlsCertificate(chart, 'Ca', { name: 'ca', issuer: w.issuer, isCa: true, dnsNames: ['app.example.com'] });
    const backend = new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8080 });
    expectStackError(() => createTlsEdge(chart, 'E', { name: 'e', certificates: [caCert], routes: [{ host: 'app.example.com', backend }] }, { kind }), 'certificates', 'CA\'s private key');
  });

  test.each(KINDS)('%s: contentSecurityPolicy false leaves the app\'s own policy alone; framing stays guarded', (kind) => {
    const w = world();
    stack(w, { edge: { kind, headers: { contentSecurityPolicy: false } } });
    const text = JSON.stringify(docsOf(w.app));
    expect(text).not.toContain('Content-Security-Policy');
    expect(text).not.toContain('contentSecurityPolicy');
    expect(text).toMatch(/X-Frame-Options|frameDeny/);
  });

  test('Envoy Gateway: a request-body limit above what it buffers (4 GiB - 1) is refused; ingress-nginx and Traefik take it', () => {
    const routes = [{ host: 'shop.example.com', app: 'web', maxRequestBodySize: Size.gibibytes(4) }];
    expectStackError(() => stack(world(), { routes }), 'routes[0].maxRequestBodySize', 'Size.kibibytes(4194303)');
    expect(() => stack(world(), { routes: [{ ...routes[0], maxRequestBodySize: Size.kibibytes(4194303) }] })).not.toThrow();
    for (const kind of [EdgeKind.TRAEFIK, EdgeKind.INGRESS_NGINX]) expect(() => docsOf(stack(world(), { routes, edge: { kind } }).node.root as App)).not.toThrow();
  });

  test('ingress-nginx: a path its strict validation refuses is refused at build', () => {
    expectStackError(() => stack(world(), { routes: [{ host: 'shop.example.com', app: 'web', path: '/~user' }], edge: { kind: EdgeKind.INGRESS_NGINX } }), 'routes[0].path', 'strict path validation');
    expect(() => docsOf(stack(world(), { routes: [{ host: 'shop.example.com', app: 'web', path: '/v1.2/api' }], edge: { kind: EdgeKind.INGRESS_NGINX } }).node.root as App)).not.toThrow();
  });

  test('every edge: a path the API server or Gateway API refuses is refused at build', () => {
    for (const p of ['/a//b', '/a/./b', '/a/../b', '/a/%2Fb', '/a/..']) expectStackError(() => stack(world(), { routes: [{ host: 'shop.example.com', app: 'web', path: p }] }), 'routes[0].path', 'plain path');
  });

  test('Traefik: the HTTP→HTTPS redirect ranks below every other router (cert-manager\'s HTTP-01 solver among them)', () => {
    const w = world();
    const hosts = Array.from({ length: 6 }, (_, i) => `h${i}.example.com`);
    stack(w, { sites: [{ name: 'shop', hosts }], routes: hosts.map((host) => ({ host, app: 'web' })), edge: { kind: EdgeKind.TRAEFIK } });
    const redirect = docsOf(w.app).find((d) => d.kind === 'IngressRoute' && d.spec.entryPoints[0] === 'web');
    expect(redirect.spec.routes[0].priority).toBe(1);
  });

  test('ingress-nginx: the profile and HSTS a stack asks for are stated as controller settings until the App carries them', () => {
    const w = world();
    const s = stack(w, { edge: { kind: EdgeKind.INGRESS_NGINX, tlsProfile: TlsProfile.MODERN, headers: { hsts: { maxAge: Duration.days(730), preload: true } } } });
    const setting = () => clusterRequirements(w.app).find((r) => r.what.startsWith('ingress-nginx (IngressClass "nginx"): HSTS, TLS protocols'));
    const values = JSON.parse(/controller\.config: (\{.*\}) \(or/.exec(setting()!.how!)![1]);
    expect(values).toMatchObject({ 'ssl-protocols': 'TLSv1.3', 'hsts': 'true', 'hsts-max-age': '63072000', 'hsts-preload': 'true', 'allow-snippet-annotations': 'false' });
    expect(values['global-allowed-response-headers'].split(',')).toEqual(expect.arrayContaining(['X-Frame-Options', 'Content-Security-Policy']));
    // With NginxControllerSettings for the edge in the App, the ConfigMap to merge is the requirement instead.
    new NginxControllerSettings(new Chart(w.app, 'ingress', { disableResourceNameHashes: true }), 'Nginx', { edges: [s.edge as NginxIngressEdge] });
    expect(setting()).toBeUndefined();
    expect(clusterRequirements(w.app).map((r) => r.what)).toContain('ingress-nginx: the keys of ConfigMap ingress-nginx/ingress-nginx-controller');
  });

  test('ingress-nginx: two stacks that need different controller-wide settings from one controller are refused', () => {
    const w = world();
    stack(w, { edge: { kind: EdgeKind.INGRESS_NGINX, tlsProfile: TlsProfile.MODERN } });
    new TlsStackChart(w.app, 'blog', { namespace: 'blog', issuer: w.issuer, sites: [{ name: 'blog', hosts: ['blog.example.com'] }], apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [{ host: 'blog.example.com', app: 'web' }], edge: { kind: EdgeKind.INGRESS_NGINX } });
    expect(() => docsOf(w.app)).toThrow(TlsPolicyError);
    expect(() => docsOf(w.app)).toThrow(/nginx-controller-wide[\s\S]*ssl-protocols is controller-wide/);
  });

  test('Traefik: a wildcard host\'s profile is stated as Traefik\'s default TLS options (the only ones its handshakes get)', () => {
    const w = world();
    stack(w, { sites: [{ name: 'pages', hosts: ['*.pages.example.com'] }], routes: [{ host: '*.pages.example.com', app: 'web' }], edge: { kind: EdgeKind.TRAEFIK, tlsProfile: TlsProfile.MODERN } });
    const r = clusterRequirements(w.app).find((x) => x.what.startsWith('Traefik\'s default TLS options'));
    expect(r?.what).toBe('Traefik\'s default TLS options: minVersion VersionTLS13, sniStrict true');
    expect(r?.how).toContain('TLSOption named "default"');
    // Exact hosts get their own TLSOption: nothing to state.
    const exact = world();
    stack(exact, { edge: { kind: EdgeKind.TRAEFIK, tlsProfile: TlsProfile.MODERN } });
    expect(clusterRequirements(exact.app).map((x) => x.what).filter((x) => x.startsWith('Traefik\'s default TLS options'))).toEqual([]);
  });

  test('a stack on a shared Gateway keeps the Gateway\'s TLS profile unless it sets its own (never a silent downgrade)', () => {
    const minVersions = (profile?: TlsProfile) => {
      const w = world();
      const shared = new PlatformGateway(new NamespacedChart(w.app, 'platform', { namespace: 'edge' }), 'Gateway', { tlsProfile: TlsProfile.MODERN });
      stack(w, { edge: { sharedGateway: shared, tlsProfile: profile } });
      return docsOf(w.app).filter((d) => d.kind === 'ClientTrafficPolicy').map((p) => `${p.spec.targetRefs[0].kind}:${p.spec.tls.minVersion}`).sort();
    };
    expect(minVersions()).toEqual(['Gateway:1.3', 'ListenerSet:1.3']);
    expect(minVersions(TlsProfile.INTERMEDIATE)).toEqual(['Gateway:1.3', 'ListenerSet:1.2']);
  });

  test('options of another edge kind are refused, not ignored', () => {
    expectStackError(() => stack(world(), { edge: { kind: EdgeKind.INGRESS_NGINX, redirectStatus: 301 } }), 'edge.redirectStatus', 'would ignore');
    expectStackError(() => stack(world(), { edge: { kind: EdgeKind.GATEWAY_API, ingressClassName: 'nginx' } }), 'edge.ingressClassName', 'would ignore');
  });
});

describe('issuers and certificates do what they say', () => {
  test('any ACME issuer\'s HTTP-01 Gateway solver answers on the Gateways of the edges it proves hosts for, passthrough hosts too', () => {
    const w = world();
    const zerossl = new AcmeIssuer(w.cluster, 'ZeroSsl', { directory: AcmeDirectory.ZEROSSL, name: 'zerossl', email: 'ops@example.com',
      solvers: [AcmeSolver.http01GatewayHttpRoute()], externalAccountBinding: { keyId: 'k', keySecret: { name: 'eab', key: 'hmac' } } });
    stack(w, { issuer: zerossl });
    const issuer = docsOf(w.app).find((d) => d.kind === 'ClusterIssuer' && d.metadata.name === 'zerossl');
    expect(issuer.spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop', namespace: 'shop', sectionName: 'http' }]);
  });

  test('a Gateway solver that no edge answers for is refused at synth, and nothing is written', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'intent-'));
    const app = new App({ outdir: out });
    const cluster = new Chart(app, 'cluster', { disableResourceNameHashes: true });
    const le = new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [AcmeSolver.http01GatewayHttpRoute()] });
    new TlsCertificate(new Chart(app, 'web', { namespace: 'web' }), 'C', { name: 'c', issuer: le, dnsNames: ['unrouted.example.com'] });
    expect(() => writeApps([{ app }])).toThrow(TlsPolicyError);
    try {
      writeApps([{ app }]);
    } catch (e) {
      expect((e as TlsPolicyError).errors.join('\n')).toMatch(/\[cert-manager-solver\] no Gateway: the challenge route attaches to nothing/);
    }
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('gateway-shim keeps the rotation policy asked for, and refuses what its annotations cannot carry', () => {
    const w = world();
    const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
    const backend = new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8080 });
    const kept = new TlsCertificate(chart, 'Kept', { name: 'kept', issuer: w.issuer, dnsNames: ['a.example.com'], privateKey: { rotationPolicy: KeyRotationPolicy.NEVER } });
    new GatewayApiEdge(chart, 'E', { name: 'e', certificates: [kept], routes: [{ host: 'a.example.com', backend }], certificateMode: GatewayCertificateMode.GATEWAY_SHIM });
    expect(only(docsOf(w.app), 'Gateway').metadata.annotations['cert-manager.io/private-key-rotation-policy']).toBe('Never');
    const w2 = world();
    const chart2 = new Chart(w2.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
    const keystore = new TlsCertificate(chart2, 'Ks', { name: 'ks', issuer: w2.issuer, dnsNames: ['a.example.com'], keystores: { pkcs12: { passwordSecret: { name: 'p', key: 'k' } } } });
    const backend2 = new SecureWorkload(chart2, 'W', { name: 'w', image: 'x:1', port: 8080 });
    expectStackError(() => new GatewayApiEdge(chart2, 'E', { name: 'e', certificates: [keystore], routes: [{ host: 'a.example.com', backend: backend2 }], certificateMode: GatewayCertificateMode.GATEWAY_SHIM }),
      'keystores', 'GatewayCertificateMode.EXPLICIT');
  });

  test('a spec\'s errors name the spec\'s own fields, and where inside the stack the check is', () => {
    expectStackError(() => stack(world(), { sites: [{ name: 'shop', hosts: ['Shop.example.com'] }] }), 'sites[0].hosts', /upper-case.*\(shop\/Certificate-shop: dnsNames\)/);
    expectStackError(() => stack(world(), { sites: [{ name: 'shop', hosts: ['shop.example.com'], keySize: 1024 }] }), 'sites[0].keySize', /256, 384 for ECDSA/);
  });
});

describe('no untyped error for any input the types accept', () => {
  test('durations that are not whole seconds, sizes that are not whole KiB', () => {
    const { cluster, issuer } = world();
    expectStackError(() => new TlsCertificate(cluster, 'A', { name: 'a', issuer, dnsNames: ['a.example.com'], duration: Duration.seconds(Number.NaN) }), 'duration', 'whole number of seconds');
    expectStackError(() => new TlsCertificate(cluster, 'B', { name: 'b', issuer, dnsNames: ['b.example.com'], renewBefore: Duration.millis(1500) }), 'renewBefore', 'whole number of seconds');
    expect(expectStackError(() => stack(world(), { edge: { websocketTimeout: Duration.seconds(0.5) } }), 'websocketTimeout', 'whole number of seconds').message).toContain('"500 ms"');
    expectStackError(() => stack(world(), { edge: { headers: { hsts: { maxAge: Duration.seconds(Infinity) } } } }), 'headers.hsts.maxAge', 'whole number of seconds');
    expect(expectStackError(() => stack(world(), { routes: [{ host: 'shop.example.com', app: 'web', maxRequestBodySize: Size.mebibytes(0.001) }] }), 'routes[0].maxRequestBodySize', 'whole number of kibibytes').message).toContain('"1.024 KiB"');
  });

  test('holes in spec lists (new Array(n) is a valid list)', () => {
    expectStackError(() => stack(world(), { routes: new Array(2) }), 'routes[0]', 'fill in the element');
    expectStackError(() => stack(world(), { sites: new Array(1) }), 'sites[0]', 'fill in the element');
    expectStackError(() => stack(world(), { apps: [{ name: 'web', image: 'x:1', port: 8080, calls: new Array(1) }] }), 'apps[0].calls[0]', 'fill in the element');
    const w = world();
    expectStackError(() => new LetsEncryptIssuer(w.cluster, 'L', { email: 'ops@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' }), ...new Array<AcmeSolver>(1)] }), 'solvers[1]', 'fill in the element');
  });

  test('a label key cdk8s cannot write', () => {
    const { cluster, issuer } = world();
    expectStackError(() => new TlsCertificate(cluster, 'C', { name: 'c', issuer, dnsNames: ['c.example.com'], secretAnnotations: { constructor: 'x' } }), 'secretAnnotations["constructor"]', 'cdk8s cannot write this key');
  });

  test('hosts whose derived names meet (x.example.com and x.example.com-http behind a load balancer) build without a clash of ids', () => {
    const w = world();
    expect(() => stack(w, { sites: [{ name: 's', hosts: ['x.example.com', 'x.example.com-http'] }], routes: [{ host: 'x.example.com', app: 'web' }, { host: 'x.example.com-http', app: 'web' }], edge: { behindTlsLoadBalancer: true } }))
      .not.toThrow(/already a Construct/);
  });

  test('Testing.synth and app.synth throw the gate\'s TlsPolicyError, naming construct and field', () => {
    const w = world();
    const s = stack(w);
    s.workloads.web.deploymentObject.addJsonPatch(JsonPatch.replace('/spec/replicas', -1));
    expect(() => Testing.synth(s)).toThrow(TlsPolicyError);
    expect(() => Testing.synth(s)).toThrow(/shop\/App-web\/Deployment: Deployment web spec\.replicas/);
  });

  test('Traefik and TraefikEdge stay typed too: a route to no edge kind is a typed error', () => {
    expectStackError(() => stack(world(), { edge: { kind: 'haproxy' as EdgeKind } }), 'edge.kind', 'EdgeKind.GATEWAY_API');
    expect(TraefikEdge).toBeDefined();
  });
});

/**
 * Each class of issue 26, as a user meets it: a main.ts that builds an App with an outdir and writes it. The refusal is
 * a typed error (TlsStackError, or its TlsPolicyError when the gate refuses) whose message names the field and the
 * fix, and the outdir holds nothing afterwards.
 */
describe('every class refused with its message, and nothing written', () => {
  const site = (w: ReturnType<typeof world>, extra: Partial<TlsStackSpec> = {}) => stack(w, extra);
  const hosts = (n: number) => Array.from({ length: n }, (_, i) => `t${i}.example.com`);
  const CASES: Array<[string, (w: ReturnType<typeof world>) => void, RegExp]> = [
    ['scale: a Gateway of its own on another implementation past 64 listeners', (w) => site(w, {
      sites: [{ name: 'shop', hosts: ['*.example.com'] }], routes: hosts(64).map((host) => ({ host, app: 'web' })), edge: { gatewayImplementation: GatewayImplementation.OTHER },
    }), /at most 64 listeners/],
    ['controller rule: Envoy Gateway\'s request-buffer maximum', (w) => site(w, { routes: [{ host: 'shop.example.com', app: 'web', maxRequestBodySize: Size.gibibytes(4) }] }), /Size\.kibibytes\(4194303\)/],
    ['controller rule: ingress-nginx strict path validation', (w) => site(w, { routes: [{ host: 'shop.example.com', app: 'web', path: '/~user' }], edge: { kind: EdgeKind.INGRESS_NGINX } }), /strict path validation/],
    ['controller rule: cert-manager\'s minimum duration', (w) => new TlsCertificate(new Chart(w.app, 'web', { namespace: 'web' }), 'C', { name: 'c', issuer: w.issuer, dnsNames: ['a.example.com'], duration: Duration.minutes(30) }), /at least Duration\.hours\(1\) \(cert-manager's minimum\)/],
    ['controller rule (at the gate): two edges needing different ingress-nginx controller settings', (w) => {
      site(w, { edge: { kind: EdgeKind.INGRESS_NGINX, tlsProfile: TlsProfile.MODERN } });
      new TlsStackChart(w.app, 'blog', { namespace: 'blog', issuer: w.issuer, sites: [{ name: 'blog', hosts: ['blog.example.com'] }], apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [{ host: 'blog.example.com', app: 'web' }], edge: { kind: EdgeKind.INGRESS_NGINX } });
    }, /\[nginx-controller-wide\] ssl-protocols is controller-wide/],
    ['intent: clientAuth behind a TLS-terminating load balancer', (w) => site(w, { routes: [{ host: 'admin.example.com', app: 'web', clientAuth: true }], edge: { behindTlsLoadBalancer: true } }), /never sees a client certificate/],
    ['intent: a CA certificate as the edge\'s serving certificate', (w) => {
      const chart = new Chart(w.app, 'web', { namespace: 'web', disableResourceNameHashes: true });
      const ca = new TlsCertificate(chart, 'Ca', { name: 'ca', issuer: w.issuer, isCa: true, dnsNames: ['app.example.com'] });
      createTlsEdge(chart, 'E', { name: 'e', certificates: [ca], routes: [{ host: 'app.example.com', backend: new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8080 }) }] });
    }, /CA's private key/],
    ['intent: the user\'s own env var the library would replace', (w) => site(w, { apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8443, tls: { internal: true, env: TlsEnv.files() }, env: { SSL_CERT_PATH: '/opt/cert.pem' } }] }), /apps\[0\]\.env\.SSL_CERT_PATH.*would replace your value/],
    ['intent: Traefik wildcard host with clientAuth', (w) => site(w, { sites: [{ name: 'shop', hosts: ['*.pages.example.com'] }], routes: [{ host: '*.pages.example.com', app: 'web', clientAuth: true }], edge: { kind: EdgeKind.TRAEFIK } }), /exact names of Host\(\) rules/],
    ['untyped input: a duration that is not whole seconds', (w) => site(w, { edge: { websocketTimeout: Duration.seconds(0.5) } }), /whole number of seconds/],
    ['untyped input: a hole in a spec list', (w) => site(w, { routes: new Array(2) }), /fill in the element/],
  ];
  test.each(CASES)('%s', (_, build, message) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'refused-'));
    const cluster = (app: App) => new Chart(app, 'cluster', { disableResourceNameHashes: true });
    const app = new App({ outdir: out });
    let error: unknown;
    try {
      const c = cluster(app);
      build({ app, cluster: c, ca: new InternalCa(c, 'Ca'), issuer: new SelfSignedIssuer(c, 'Self') } as ReturnType<typeof world>);
      writeApps([{ app }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsStackError);
    expect((error as Error).message).toMatch(message);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
