// The bad-input corpus: realistic mistakes, each refused at synth time with the construct path, the field, the value
// and the fix, and nothing written. One test per class of mistake.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch, YamlOutputType } from 'cdk8s';
import {
  AcmeDirectory, AcmeIssuer, AcmeServer, AcmeSolver, EdgeKind, GatewayApiEdge, ICertificateIssuer, InternalCa, KeyAlgorithm, LetsEncryptIssuer, LetsEncryptProfile, SecureWorkload,
  SelfSignedIssuer, ServiceType, TlsCertificate, TlsStackChart, TlsStackError, TlsStackSpec, serviceDnsNames, synthChecked, writeApps,
} from '../lib';

const dns01 = AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf', key: 'token' } });
const le = (chart: Chart, props: Partial<ConstructorParameters<typeof LetsEncryptIssuer>[2]> = {}) =>
  new LetsEncryptIssuer(chart, 'Le', { server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [dns01], ...props });

/** Builds into a fresh App with its own outdir, then writes; asserts the refusal and that nothing was written. */
function expectRefused(build: (app: App) => void, where: string | RegExp, field: string, ...fragments: Array<string | RegExp>): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
  let error: unknown;
  try {
    build(app);
    writeApps([{ app }]);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TlsStackError);
  const e = error as TlsStackError;
  expect(e.path).toMatch(where);
  expect(e.field).toBe(field);
  for (const f of fragments) expect(e.message).toMatch(f);
  expect(fs.readdirSync(outdir)).toEqual([]);
}

const chartOf = (app: App, ns = 'web') => new Chart(app, ns, { namespace: ns, disableResourceNameHashes: true });
const cert = (app: App, props: Partial<ConstructorParameters<typeof TlsCertificate>[2]>, issuer?: (c: Chart) => ICertificateIssuer) => {
  const chart = chartOf(app);
  return new TlsCertificate(chart, 'Cert', { name: 'site', issuer: issuer ? issuer(chart) : le(chart), dnsNames: ['app.example.com'], ...props });
};
const stack = (app: App, id: string, over: Partial<TlsStackSpec> = {}) => {
  const issuer = (app.node.tryFindChild('issuers')?.node.tryFindChild('I') as SelfSignedIssuer | undefined) ?? new SelfSignedIssuer(new Chart(app, 'issuers'), 'I');
  return new TlsStackChart(app, id, {
    namespace: 'shop', issuer, sites: [{ name: `${id}-site`, hosts: [`${id}.example.com`] }],
    apps: [{ name: `${id}-web`, image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [{ host: `${id}.example.com`, app: `${id}-web` }], ...over,
  });
};

describe('names and keys an ACME CA never issues', () => {
  test.each([
    ['localhost', /single-label name/],
    ['web', /single-label name/],
    ['api.shop.svc', /"svc" is not a public top-level domain/],
    ['api.shop.svc.cluster.local', /"local" is not a public top-level domain/],
    ['printer.internal', /"internal" is not a public top-level domain/],
    ['app.test', /"test" is not a public top-level domain/],
    ['nas.home.arpa', /\.arpa and \.onion are not issued/],
    ['co.uk', /a public suffix itself/],
  ])('%s', (name, why) => {
    expectRefused((app) => cert(app, { dnsNames: [name] }), 'web/Cert', 'dnsNames', why, /Issue in-cluster and private names from an InternalCa/);
  });

  test('an IP address as a DNS name, on any issuer', () => {
    expectRefused((app) => cert(app, { dnsNames: ['10.0.0.5'] }, (c) => new SelfSignedIssuer(c, 'S')), 'web/Cert', 'dnsNames', 'an IP address is not a DNS name: list it in ipAddresses');
  });

  test('a private IP address on a public CA', () => {
    expectRefused((app) => cert(app, { ipAddresses: ['10.0.0.50'] }), 'web/Cert', 'ipAddresses', /never issues for it: it is a private, loopback or reserved address: issue it from an InternalCa/);
  });

  test('a public IP address without Let\'s Encrypt\'s shortlived profile', () => {
    expectRefused((app) => cert(app, { ipAddresses: ['8.8.8.8'] }), 'web/Cert', 'ipAddresses', /Let's Encrypt issues IP addresses only with its profile "shortlived"/);
  });

  test('a public IP address on a public CA other than Let\'s Encrypt', () => {
    const eab = { keyId: 'kid', keySecret: { name: 'zerossl-eab', key: 'hmac' } };
    expectRefused((app) => cert(app, { ipAddresses: ['8.8.8.8'] }, (c) => new AcmeIssuer(c, 'Z', { directory: AcmeDirectory.ZEROSSL, name: 'zerossl', email: 'ops@example.com', solvers: [dns01], externalAccountBinding: eab })),
      'web/Cert', 'ipAddresses', /issues no IP address certificates over ACME/);
  });

  test('an IP address whose issuer has only DNS-01 solvers (RFC 8738: IP identifiers are never proven with DNS-01)', () => {
    expectRefused((app) => cert(app, { dnsNames: [], ipAddresses: ['8.8.8.8'] }, (c) => le(c, { profile: LetsEncryptProfile.SHORT_LIVED })),
      'web/Cert', 'ipAddresses', /an IP address can only be proven with HTTP-01 .*no HTTP-01 solver of issuer "letsencrypt-staging" serves it: add AcmeSolver\.http01Ingress/);
  });

  test.each([
    ['localhost', /single-label name/],
    ['api.shop.svc', /"svc" is not a public top-level domain/],
    ['8.8.8.8', /orders a commonName as a DNS name, and an IP address is not one/],
  ])('%s as commonName (cert-manager orders it as one more DNS name)', (name, why) => {
    expectRefused((app) => cert(app, { commonName: name }), 'web/Cert', 'commonName', why);
  });

  test('a commonName longer than 64 characters (X.509 ub-common-name), on any issuer', () => {
    const long = `${'a'.repeat(60)}.example.com`;
    expectRefused((app) => cert(app, { commonName: long, dnsNames: [long] }, (c) => new SelfSignedIssuer(c, 'S')), 'web/Cert', 'commonName', 'it is too long (72 > 64 bytes; X.509 ub-common-name, cert-manager\'s webhook)');
  });

  test('more than 100 names on one Let\'s Encrypt certificate', () => {
    const names = Array.from({ length: 100 }, (_, i) => `h${i}.example.com`);
    expectRefused((app) => cert(app, { dnsNames: names, commonName: 'www.example.com' }), 'web/Cert', 'dnsNames', /"101 names".*at most 100 names on a certificate/);
  });

  test('an Ed25519 key on Let\'s Encrypt', () => {
    expectRefused((app) => cert(app, { privateKey: { algorithm: KeyAlgorithm.ED25519 } }), 'web/Cert', 'privateKey.algorithm', /accepts RSA \(2048-4096\) and ECDSA P-256\/P-384 keys only/);
  });

  test('a duration the CA ignores (Let\'s Encrypt decides: 160 hours with shortlived)', () => {
    expectRefused((app) => cert(app, { duration: Duration.days(30) }, (c) => le(c, { profile: LetsEncryptProfile.SHORT_LIVED })), 'web/Cert', 'duration', /issues 160h certificates whatever is requested/);
  });

  test('ZeroSSL without External Account Binding', () => {
    expectRefused((app) => new AcmeIssuer(chartOf(app), 'Z', { directory: AcmeDirectory.ZEROSSL, name: 'zerossl', email: 'ops@example.com', solvers: [dns01] }),
      'web/Z', 'externalAccountBinding', /refuses accounts without External Account Binding/);
  });

  test('an IP address as a route host (the API server rejects it in an Ingress)', () => {
    // Named in the stack's own words (its path, routes[0].host), and where inside it the check is.
    expectRefused((app) => stack(app, 'shop', { routes: [{ host: '203.0.113.10', app: 'shop-web' }] }), 'shop', 'routes[0].host', /a route host must be a DNS name.*\(shop\/Edge: routes\[0\]\.host\)/);
  });
});

describe('two owners of one object, host, policy or Secret', () => {
  test('two stacks in one namespace with an app of the same name: duplicate objects', () => {
    expectRefused((app) => {
      stack(app, 'shop', { apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [{ host: 'shop.example.com', app: 'web' }] });
      stack(app, 'blog', { createNamespace: false, apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [{ host: 'blog.example.com', app: 'web' }] });
    }, /outdir|corpus/, 'manifests', /blog\/App-web\/Deployment: Deployment web metadata\.name: \[duplicate-objects\] apps Deployment shop\/web is also defined by shop\/App-web\/Deployment/,
    /In cdk8s-secure-tls: two stacks in one namespace need distinct `apps\[\]\.name`/);
  });

  test('two stacks claim the same public host', () => {
    expectRefused((app) => {
      stack(app, 'shop');
      stack(app, 'blog', { namespace: 'blog', sites: [{ name: 'blog-site', hosts: ['shop.example.com'] }], routes: [{ host: 'shop.example.com', app: 'blog-web' }] });
    }, 'blog', 'routes', /edge shop\/Edge already serves this host in this app/);
  });

  test('more paths on a Traefik wildcard than priorities below its exact hosts', () => {
    const routes = Array.from({ length: 14 }, (_, i) => ({ host: '*.a.io', path: `/${'p'.repeat(i)}`, app: 'shop-web' }));
    expectRefused((app) => stack(app, 'shop', { sites: [{ name: 'wild', hosts: ['*.a.io'] }], routes, edge: { kind: EdgeKind.TRAEFIK } }),
      'shop', 'routes', /"\*\.a\.io": Traefik ranks a wildcard's routes below every exact host under it, which leaves room for 13 path lengths here, and it has 14/);
  });

  test('two sites list the same host', () => {
    expectRefused((app) => stack(app, 'shop', { sites: [{ name: 'a', hosts: ['shop.example.com'] }, { name: 'b', hosts: ['shop.example.com', 'www.shop.example.com'] }] }),
      'shop', 'sites[1].hosts', /sites\[0\] \(a\) lists it too/);
  });

  test('two edges verify the same backend: one BackendTLSPolicy for the Service (two would be Conflicted)', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-')) });
    const chart = chartOf(app);
    const ca = new InternalCa(new Chart(app, 'cluster'), 'Ca');
    const issuer = new SelfSignedIssuer(chart, 'S');
    const site = new TlsCertificate(chart, 'Site', { name: 'site', issuer, dnsNames: ['a.example.com', 'b.example.com'] });
    const api = new SecureWorkload(chart, 'Api', { name: 'api', image: 'ghcr.io/example/api:1', port: 8443,
      tls: { certificate: new TlsCertificate(chart, 'ApiCert', { name: 'api', issuer: ca.issuer, dnsNames: serviceDnsNames('api', 'web') }) } });
    new GatewayApiEdge(chart, 'A', { name: 'a', certificates: [site], routes: [{ host: 'a.example.com', backend: api }] });
    new GatewayApiEdge(chart, 'B', { name: 'b', certificates: [site], routes: [{ host: 'b.example.com', backend: api }] });
    const policies = synthChecked(app).charts.flatMap((c) => c.docs).filter((d) => d.kind === 'BackendTLSPolicy');
    expect(policies.map((p) => [p.metadata.name, p.spec.targetRefs[0].name, p.spec.validation.hostname])).toEqual([['a-api', 'api', 'api.web.svc']]);
  });

  test('two certificates write one Secret', () => {
    expectRefused((app) => {
      const chart = chartOf(app);
      const issuer = new SelfSignedIssuer(chart, 'S');
      new TlsCertificate(chart, 'A', { name: 'a', issuer, dnsNames: ['a.example.com'], secretName: 'shared-tls' });
      new TlsCertificate(chart, 'B', { name: 'b', issuer, dnsNames: ['b.example.com'], secretName: 'shared-tls' });
    }, 'web/B', 'secretName', /certificate web\/A already writes this Secret/);
  });
});

describe('unsafe or impossible workloads', () => {
  const workload = (app: App, props: Partial<ConstructorParameters<typeof SecureWorkload>[2]>) =>
    new SecureWorkload(chartOf(app), 'W', { name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080, ...props });

  test('replicas: -1', () => {
    expectRefused((app) => workload(app, { replicas: -1 }), 'web/W', 'replicas', /a whole number of at least 0/);
  });

  test('a plain-HTTP app on a LoadBalancer Service (port 80 to the internet, around the edge)', () => {
    expectRefused((app) => workload(app, { serviceType: ServiceType.LOAD_BALANCER }), 'web/W', 'serviceType', /served unencrypted around the TLS edge/);
  });

  test.each(['DB_PASSWORD', 'API_TOKEN', 'SIGNING_KEY', 'CLIENT_SECRET', 'SECRET_KEY_BASE', 'DB_PASS', 'SMTP_PASS', 'GITHUB_PAT', 'PRIVATE_KEY_PEM', 'API_KEYS',
    'REDIS_AUTH', 'dbPassword'])('a literal secret in env: %s', (name) => {
    expectRefused((app) => workload(app, { env: { [name]: 'hunter2' } }), 'web/W', `env.${name}`, /"\*\*\* \(7 characters\)": its name says it holds a secret.*move it to secretEnv/);
  });

  test('a password in a URL in env, whatever the variable is called', () => {
    expectRefused((app) => workload(app, { env: { DATABASE_URL: 'postgres://u:hunter2@db.shop.svc/shop' } }), 'web/W', 'env.DATABASE_URL',
      /"postgres:\/\/u:\*\*\*@db\.shop\.svc\/shop": its URL carries a password.*move it to secretEnv/);
  });

  const mountedAt = (app: App, dir: string) => {
    const chart = chartOf(app);
    const certificate = new TlsCertificate(chart, 'C', { name: 'c', issuer: new SelfSignedIssuer(chart, 'S'), dnsNames: ['a.example.com'] });
    new SecureWorkload(chart, 'W', { name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8443, tls: { certificate, mountPath: dir } });
  };
  test.each([
    ['/etc', /it is a system directory \(\/etc\)/],
    ['/etc/ssl/certs', /inside a system directory \(\/etc\/ssl\/certs\).*here the system CA store/],
    ['/usr', /system directory/],
    ['/', /system directory/],
    ['//etc', /a system directory \(\/\/etc, that is \/etc\)/],
    ['/./etc', /that is \/etc\)/],
    ['/etc/../etc', /that is \/etc\)/],
    ['/etc/.', /that is \/etc\)/],
    ['/etc/pki/tls/certs', /here the system CA store/],
    ['/etc/pki/ca-trust', /here the system CA store/],
    ['/proc/self', /inside a system directory \(\/proc\/self\)/],
    ['/lib64/', /inside a system directory \(\/lib64\)/],
  ])('the certificate mounted over a system directory: %s', (dir, why) => {
    expectRefused((app) => mountedAt(app, dir), 'web/W', 'tls.mountPath', why);
  });

  test.each(['/etc/tls-ca', '/etc/tls-ca/', '/etc//tls-client'])('the certificate mounted over the CA bundle or client certificate directory: %s', (dir) => {
    expectRefused((app) => mountedAt(app, dir), 'web/W', 'tls.mountPath', /hold the CA bundle and the client certificate/);
  });

  test.each<[string, (w: SecureWorkload) => void, RegExp]>([
    ['makes a container privileged', (w) => w.deploymentObject.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true)),
      /web\/W\/Deployment: Deployment web spec\.template\.spec\.containers\[web\]\.securityContext\.privileged: \[pod-security\] container web is privileged/],
    ['sets replicas: -1', (w) => w.deploymentObject.addJsonPatch(JsonPatch.replace('/spec/replicas', -1)),
      /web\/W\/Deployment: Deployment web spec\.replicas: \[replicas\] spec\.replicas is -1.*In cdk8s-secure-tls: SecureWorkload `replicas`/],
    ['makes a plain-HTTP Service a LoadBalancer', (w) => w.serviceObject.addJsonPatch(JsonPatch.add('/spec/type', 'LoadBalancer')),
      /web\/W\/Service: Service web spec\.ports\[0\]: \[plain-http-exposed\] a LoadBalancer Service exposes port 80 \(http\) as plain HTTP.*In cdk8s-secure-tls: SecureWorkload `serviceType` ClusterIP/],
    ['adds an object with a name too long', (w) => new ApiObject(w, 'Raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `web-${'x'.repeat(250)}` } }),
      /web\/W: ConfigMap web-x+ metadata\.name: \[object-names\] .*it is too long \(254 > 253 characters\)/],
    ['adds a label value too long', (w) => w.deploymentObject.metadata.addLabel('team', 'x'.repeat(64)),
      /web\/W\/Deployment: Deployment web metadata\.labels\["team"\]: \[labels\] label the value of "team": it is too long \(64 > 63 characters\)/],
  ])('an escape hatch that %s: refused at the gate, naming construct, object, field and the prop to change', (_, hatch, message) => {
    expectRefused((app) => hatch(workload(app, {})), /corpus/, 'manifests', message);
  });
});

describe('messages say what is wrong with a name', () => {
  test('a namespace too long for a label', () => {
    expectRefused((app) => stack(app, 'shop', { namespace: 'n'.repeat(70) }), 'shop', 'namespace', 'it is too long (70 > 63 characters)');
  });

  test('a DNS name too long', () => {
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`;
    expectRefused((app) => cert(app, { dnsNames: [long] }, (c) => new SelfSignedIssuer(c, 'S')), 'web/Cert', 'dnsNames', `it is too long (${long.length} > 253 characters)`);
  });

  test.each([
    [{ team: 'x'.repeat(64) }, 'secretLabels["team"]', /the value of "team": it is too long \(64 > 63 characters\)/],
    [{ 'Bad Key!': 'yes' }, 'secretLabels["Bad Key!"]', /the key "Bad Key!": it has characters other than letters, digits/],
    [{ 'Example.com/team': 'web' }, 'secretLabels["Example.com/team"]', /its prefix has upper-case letters/],
  ])('an invalid label: %j', (secretLabels, field, why) => {
    expectRefused((app) => cert(app, { secretLabels }, (c) => new SelfSignedIssuer(c, 'S')), 'web/Cert', field, why, /Kubernetes labels are "prefix\/name: value"/);
  });

  test('an upper-case app name', () => {
    expectRefused((app) => stack(app, 'shop', { apps: [{ name: 'Web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [] }), 'shop', 'apps[0].name', 'it has upper-case letters');
  });
});
