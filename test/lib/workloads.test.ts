import { AppProtocol, ProbeKind, ReloadStrategy, SecureWorkload, SelfSignedIssuer, ServiceType, TlsCertificate, TlsEnv, synthChecked } from '../../lib';
import { Chart, Size } from 'cdk8s';
import { expectStackError, only, scratch, synthValid } from '../support';

function setup() {
  const { app, chart } = scratch('shop');
  const issuer = new SelfSignedIssuer(chart, 'Issuer');
  const certificate = new TlsCertificate(chart, 'Cert', { name: 'api', issuer, dnsNames: ['api.shop.svc'] });
  return { app, chart, certificate };
}
const podSpec = (docs: any[]) => only(docs, 'Deployment').spec.template.spec;

describe('SecureWorkload', () => {
  test('mounts the certificate secret read-only, whole directory, mode 0440, and sets directory-style env', () => {
    const { chart, certificate } = setup();
    new SecureWorkload(chart, 'Api', { name: 'api', image: 'ghcr.io/x/api:1', port: 8443, tls: { certificate } });
    const spec = podSpec(synthValid(chart));
    const volume = spec.volumes.find((v: any) => v.secret);
    expect(volume.secret).toEqual({ secretName: 'api-tls', defaultMode: 0o440 });
    const mount = spec.containers[0].volumeMounts.find((m: any) => m.name === volume.name);
    expect(mount).toEqual({ name: volume.name, mountPath: '/etc/tls', readOnly: true });
    for (const m of spec.containers[0].volumeMounts) expect(m.subPath).toBeUndefined();
    expect(spec.containers[0].env).toEqual([{ name: 'TLS_ENABLED', value: 'true' }, { name: 'TLS_CERT_PATH', value: '/etc/tls' }]);
  });

  test('file-style and custom env conventions', () => {
    expect(TlsEnv.files().render('/certs')).toEqual({ USE_SSL: 'true', SSL_CERT_PATH: '/certs/tls.crt', SSL_KEY_PATH: '/certs/tls.key' });
    expect(TlsEnv.custom({ cert: 'CERT_FILE', key: 'KEY_FILE', ca: 'CA_FILE' }).render('/c'))
      .toEqual({ CERT_FILE: '/c/tls.crt', KEY_FILE: '/c/tls.key', CA_FILE: '/c/ca.crt' });
    const { chart, certificate } = setup();
    new SecureWorkload(chart, 'Api', { name: 'api', image: 'x:1', port: 8443, tls: { certificate, env: TlsEnv.files(), mountPath: '/run/tls', fileMode: 0o400 } });
    const spec = podSpec(synthValid(chart));
    expect(spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'SSL_CERT_PATH', value: '/run/tls/tls.crt' }, { name: 'SSL_KEY_PATH', value: '/run/tls/tls.key' }]));
    expect(spec.volumes.find((v: any) => v.secret).secret.defaultMode).toBe(0o400);
  });

  test('literal env values that are no secret pass the construct and the gate: file paths, ids, public keys, URLs without a password', () => {
    const { app, chart, certificate } = setup();
    new SecureWorkload(chart, 'Api', {
      name: 'api', image: 'x:1', port: 8443, tls: { certificate, env: TlsEnv.custom({ key: 'TLS_KEY', cert: 'TLS_CERT' }) },
      env: {
        SSL_KEY: '/etc/tls/tls.key', SSL_KEY_PATH: '/etc/tls/tls.key', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', JWT_PUBLIC_KEY: 'MFkwEwYH', TOKEN_TTL: '3600',
        REDIS_AUTH: 'true', SORT_KEY: 'created', DATABASE_URL: 'postgres://app@db.shop.svc/shop', CACHE_URL: 'redis://:$(REDIS_PASSWORD)@cache:6379',
        // Settings about a secret, numbers and durations, references, a CA certificate.
        PASSWORD_POLICY: 'strict', TOKEN_REFRESH_INTERVAL: '300', PASSWORD_HASH_ROUNDS: '12', SESSION_TOKEN_LIFETIME: '8h', DB_PASSWORD_COPY: '$(DB_PASSWORD)',
        CA_PEM: '-----BEGIN CERTIFICATE-----',
      },
    });
    expect(() => synthChecked(app)).not.toThrow();
    expect(podSpec(synthValid(chart)).containers[0].env).toEqual(expect.arrayContaining([{ name: 'TLS_KEY', value: '/etc/tls/tls.key' }]));
  });

  test('Pod Security Standards restricted', () => {
    const { chart } = setup();
    new SecureWorkload(chart, 'Web', { name: 'web', image: 'x:1', port: 8080 });
    const spec = podSpec(synthValid(chart));
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.automountServiceAccountToken).toBe(false);
    const sc = spec.containers[0].securityContext;
    expect(sc).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(sc.runAsUser).toBeGreaterThan(0);
  });

  test('HTTPS probes when the app serves TLS, HTTP otherwise, TCP on request', () => {
    const { chart, certificate } = setup();
    new SecureWorkload(chart, 'Tls', { name: 'tls', image: 'x:1', port: 8443, tls: { certificate }, healthPath: '/health' });
    new SecureWorkload(chart, 'Plain', { name: 'plain', image: 'x:1', port: 8080 });
    new SecureWorkload(chart, 'Tcp', { name: 'tcp', image: 'x:1', port: 9000, probe: ProbeKind.TCP });
    const docs = synthValid(chart);
    const container = (n: string) => only(docs, 'Deployment', n).spec.template.spec.containers[0];
    expect(container('tls').readinessProbe.httpGet).toEqual({ path: '/health', port: 8443, scheme: 'HTTPS' });
    expect(container('tls').livenessProbe.httpGet.scheme).toBe('HTTPS');
    expect(container('plain').readinessProbe.httpGet.scheme).toBe('HTTP');
    expect(container('tcp').readinessProbe.tcpSocket).toEqual({ port: 9000 });
  });

  test('Service ports carry appProtocol for https, wss, ws and http', () => {
    const { chart, certificate } = setup();
    new SecureWorkload(chart, 'A', { name: 'a', image: 'x:1', port: 8443, tls: { certificate } });
    new SecureWorkload(chart, 'B', { name: 'b', image: 'x:1', port: 8443, tls: { certificate }, protocol: AppProtocol.WEBSOCKET, serviceType: ServiceType.LOAD_BALANCER });
    new SecureWorkload(chart, 'C', { name: 'c', image: 'x:1', port: 8080, protocol: AppProtocol.WEBSOCKET });
    const d = new SecureWorkload(chart, 'D', { name: 'd', image: 'x:1', port: 8080 });
    const docs = synthValid(chart);
    const port = (n: string) => only(docs, 'Service', n).spec.ports[0];
    expect(port('a')).toEqual({ name: 'https', port: 443, targetPort: 8443, appProtocol: 'https' });
    expect(port('b').appProtocol).toBe('kubernetes.io/wss');
    expect(only(docs, 'Service', 'b').spec.type).toBe('LoadBalancer');
    expect(port('c').appProtocol).toBe('kubernetes.io/ws');
    expect(port('d')).toEqual({ name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' });
    expect(d.url).toBe('http://d.shop.svc:80');
  });

  test('reloads on renewal through Stakater Reloader unless the app watches its files', () => {
    const { chart, certificate } = setup();
    new SecureWorkload(chart, 'A', { name: 'a', image: 'x:1', port: 8443, tls: { certificate } });
    new SecureWorkload(chart, 'B', { name: 'b', image: 'x:1', port: 8443, tls: { certificate }, reload: ReloadStrategy.APP_WATCHES_FILES });
    const docs = synthValid(chart);
    expect(only(docs, 'Deployment', 'a').metadata.annotations).toEqual({ 'secret.reloader.stakater.com/reload': 'api-tls' });
    expect(only(docs, 'Deployment', 'b').metadata.annotations).toBeUndefined();
  });

  test('secret env comes from secretKeyRef, never inline', () => {
    const { chart } = setup();
    new SecureWorkload(chart, 'A', { name: 'a', image: 'x:1', port: 8080, secretEnv: { DB_PASSWORD: { name: 'db', key: 'password' } } });
    expect(podSpec(synthValid(chart)).containers[0].env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }]);
  });

  describe('bad input', () => {
    test('port out of range', () => {
      expectStackError(() => new SecureWorkload(setup().chart, 'A', { name: 'a', image: 'x:1', port: 70000 }), 'port', 'test/A', '70000', '1 and 65535');
    });
    test('world-readable key mode', () => {
      const { chart, certificate } = setup();
      expectStackError(() => new SecureWorkload(chart, 'A', { name: 'a', image: 'x:1', port: 8443, tls: { certificate, fileMode: 0o644 } }), 'tls.fileMode', '0644', '0o440 or 0o400');
    });
    test('name that is not a DNS label', () => {
      expectStackError(() => new SecureWorkload(setup().chart, 'A', { name: 'My_App', image: 'x:1', port: 80 }), 'name', 'RFC 1123 label');
    });
    test('relative mount path', () => {
      const { chart, certificate } = setup();
      expectStackError(() => new SecureWorkload(chart, 'A', { name: 'a', image: 'x:1', port: 8443, tls: { certificate, mountPath: 'certs' } }), 'tls.mountPath', 'absolute');
    });
    test('certificate from another namespace (its secret would not exist for the pod)', () => {
      const { app, certificate } = setup();
      const other = new Chart(app, 'other', { namespace: 'other' });
      expectStackError(() => new SecureWorkload(other, 'A', { name: 'a', image: 'x:1', port: 8443, tls: { certificate } }), 'tls.certificate', 'namespace "shop"', '"other"');
    });
    test('root user', () => {
      expectStackError(() => new SecureWorkload(setup().chart, 'A', { name: 'a', image: 'x:1', port: 80, runAsUser: 0 }), 'runAsUser', 'restricted');
    });
  });
});

describe('SecureWorkload: what the user set is kept, sidecars are as restricted as the app', () => {
  test('a variable the user set is never replaced by the library: the TLS file variables, the trust bundle, the URL of a callee', () => {
    // SSL_CERT_PATH from TlsEnv.files() would replace the user's own value.
    const first = setup();
    expectStackError(() => new SecureWorkload(first.chart, 'A', { name: 'a', image: 'x:1', port: 8443, tls: { certificate: first.certificate, env: TlsEnv.files() }, env: { SSL_CERT_PATH: '/opt/app/cert.pem' } }),
      'env.SSL_CERT_PATH', 'would replace your value', 'tls.env');
    const { chart } = setup();
    // NODE_EXTRA_CA_CERTS from trusting a bundle: the app's other outbound TLS would lose its CA.
    const client = new SecureWorkload(chart, 'B', { name: 'b', image: 'x:1', port: 8080, env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem' } });
    expectStackError(() => client.trust({ configMapName: 'internal-ca', key: 'ca.crt', namespaceLabel: ['trust', 'yes'] }), 'env.NODE_EXTRA_CA_CERTS', 'mtlsEnv.ca');
    expect(client.trustBundle).toBeUndefined(); // refused before anything changed
    expect(podSpec(synthValid(chart)).containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp']);
    client.node.tryRemoveChild('Deployment');
    client.node.tryRemoveChild('Service');
    // Naming other variables for the bundle keeps the user's.
    const named = new SecureWorkload(chart, 'C', { name: 'c', image: 'x:1', port: 8080, env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem' }, mtlsEnv: { ca: ['TLS_CA_PATH'] } });
    named.trust({ configMapName: 'internal-ca', key: 'ca.crt', namespaceLabel: ['trust', 'yes'] });
    const env = podSpec(synthValid(chart)).containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/ssl/corp.pem' }, { name: 'TLS_CA_PATH', value: '/etc/tls-ca/ca.crt' }]));
  });

  test('a construct of the library outside any Chart is refused with its path and the fix', () => {
    const { app } = scratch('shop');
    expectStackError(() => new SelfSignedIssuer(app, 'Dev'), 'scope', 'inside a Chart');
  });

  test('addContainer: a sidecar runs non-root, read-only, without capabilities, with its own /tmp; the gate passes it', () => {
    const { app, chart, certificate } = setup();
    const w = new SecureWorkload(chart, 'Api', { name: 'api', image: 'x:1', port: 8443, tls: { certificate } });
    w.addContainer({ name: 'log-shipper', image: 'ghcr.io/example/shipper:2.1.0', env: { LOG_LEVEL: 'info' }, resources: { cpu: { request: 50 } } });
    expect(() => synthChecked(app)).not.toThrow();
    const spec = podSpec(synthValid(chart));
    const sidecar = spec.containers.find((c: any) => c.name === 'log-shipper');
    expect(sidecar.securityContext).toEqual(expect.objectContaining({
      runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] },
    }));
    expect(sidecar.volumeMounts).toEqual([expect.objectContaining({ mountPath: '/tmp' })]);
    expect(sidecar.resources.requests.cpu).toBe('50m');
    expectStackError(() => w.addContainer({ name: 'api', image: 'x:1' }), 'containers[api].name', 'no other container');
    expectStackError(() => w.addContainer({ name: 'tok', image: 'x:1', env: { GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } }), 'containers[tok].env.GITHUB_TOKEN', 'secretEnv');
  });

  test('resources are whole millicores and whole sizes, or a typed error', () => {
    const { chart } = setup();
    expectStackError(() => new SecureWorkload(chart, 'A', { name: 'a', image: 'x:1', port: 8080, resources: { cpu: { request: 0.5 } } }), 'resources.cpu.request', 'millicores');
    expectStackError(() => new SecureWorkload(chart, 'B', { name: 'b', image: 'x:1', port: 8080, resources: { cpu: { limit: Number.NaN } } }), 'resources.cpu.limit', 'millicores');
    expectStackError(() => new SecureWorkload(chart, 'C', { name: 'c', image: 'x:1', port: 8080, resources: { memory: { limit: Size.mebibytes(Number.NaN) } } }), 'resources.memory.limit', 'Size.mebibytes');
    expectStackError(() => new SecureWorkload(chart, 'D', { name: 'd', image: 'x:1', port: 8080, resources: { memory: { request: Size.mebibytes(0.001) } } }), 'resources.memory.request', 'Size.mebibytes');
  });
});
