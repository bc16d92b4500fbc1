import { AICOS_SERVICES } from '../../charts/aicos';
import { EdgeKind } from '../../lib';
import { envDocs, only } from '../support';

const byName = (docs: any[], kind: string) => Object.fromEntries(docs.filter((d) => d.kind === kind).map((d) => [d.metadata.name, d]));
const env = (d: any) => Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const mounts = (d: any) => d.spec.template.spec.containers[0].volumeMounts;
const volumes = (d: any) => d.spec.template.spec.volumes;

describe.each(['dev', 'staging', 'prod'])('internal PKI seeds in %s', (envName) => {
  const charts = envDocs(envName, EdgeKind.INGRESS_NGINX);

  test('cluster issuers: the internal CA chain is closed (every issuerRef resolves)', () => {
    const all = Object.values(charts).flat();
    const issuers = new Set(all.filter((d) => d.kind === 'ClusterIssuer').map((d) => d.metadata.name));
    for (const c of all.filter((d) => d.kind === 'Certificate')) expect(issuers).toContain(c.spec.issuerRef.name);
    expect(only(charts['cluster-issuers'], 'Certificate', 'internal-ca-root').spec.isCA).toBe(true);
    expect(only(charts['cluster-issuers'], 'Bundle', 'internal-ca').spec.sources[0].secret.name).toBe('internal-ca-root-tls');
  });

  describe('seed 002 (aicos)', () => {
    const docs = charts.aicos;
    const deployments = byName(docs, 'Deployment');
    const certs = byName(docs, 'Certificate');

    test.each(AICOS_SERVICES)('%s: own internal certificate with in-cluster names, /app/certs read-only, TLS env, HTTPS probe', (name, port) => {
      expect(certs[name].spec.issuerRef.name).toBe('internal-ca');
      expect(certs[name].spec.dnsNames).toEqual([name, `${name}.aicos`, `${name}.aicos.svc`, `${name}.aicos.svc.cluster.local`]);
      const d = deployments[name];
      expect(env(d)).toMatchObject({ TLS_ENABLED: 'true', TLS_CERT_PATH: '/app/certs' });
      const m = mounts(d).find((x: any) => x.mountPath === '/app/certs');
      expect(m).toEqual({ name: 'tls', mountPath: '/app/certs', readOnly: true });
      expect(volumes(d).find((v: any) => v.name === 'tls').secret).toEqual({ secretName: `${name}-tls`, defaultMode: 0o440 });
      const probe = d.spec.template.spec.containers[0].readinessProbe;
      expect(probe.httpGet).toEqual({ path: '/health', port, scheme: 'HTTPS' });
      expect(only(docs, 'Service', name).spec.ports[0]).toMatchObject({ port, appProtocol: 'https' });
    });

    test('the backend calls every service over https and trusts the CA; nothing turns verification off', () => {
      const e = env(deployments['aicos-backend']);
      for (const [name, port, urlEnv] of AICOS_SERVICES) expect(e[urlEnv]).toBe(`https://${name}.aicos.svc:${port}`);
      expect(e.NODE_EXTRA_CA_CERTS).toBe('/etc/tls-ca/ca.crt');
      expect(volumes(deployments['aicos-backend']).find((v: any) => v.name === 'tls-ca').configMap.name).toBe('internal-ca');
      expect(JSON.stringify(docs)).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED|insecure|proxy-ssl-verify":"off/);
      expect(only(docs, 'Namespace', 'aicos').metadata.labels['trust.tls-stack/internal-ca']).toBe('enabled');
    });

    test('each internal service admits only the backend; only the routed backend admits the edge\'s controller', () => {
      const np = only(docs, 'NetworkPolicy', 'aicos-integrations');
      const from = np.spec.ingress[0].from;
      // No route reaches the service: the edge's proxies are not let in.
      expect(from).toHaveLength(1);
      expect(from[0].podSelector.matchLabels).toEqual(deployments['aicos-backend'].spec.selector.matchLabels);
      const routed = docs.filter((d: any) => d.kind === 'NetworkPolicy' && d.spec.ingress[0].from.some((f: any) => !f.podSelector));
      expect(routed.map((d: any) => d.metadata.name)).toEqual(docs.filter((d: any) => d.kind === 'NetworkPolicy' && d.metadata.name === 'aicos-backend').map((d: any) => d.metadata.name));
    });
  });

  describe('seed 003 (naaccord)', () => {
    const docs = charts.naaccord;
    const deployments = byName(docs, 'Deployment');

    test('services server: in-cluster server certificate, requires a verified client certificate', () => {
      const cert = only(docs, 'Certificate', 'services-server');
      expect(cert.spec).toMatchObject({ commonName: 'services-server', usages: ['digital signature', 'server auth'], issuerRef: { name: 'internal-ca' } });
      expect(cert.spec.dnsNames).toContain('services-server.naaccord.svc');
      expect(env(deployments['services-server'])).toMatchObject({ TLS_CLIENT_AUTH: 'required', TLS_CA_PATH: '/etc/tls-ca/ca.crt', TLS_ENABLED: 'true' });
    });

    test('web server: client certificate "web-server" from the same CA, mounted read-only, URL over https', () => {
      const client = only(docs, 'Certificate', 'web-server-client');
      expect(client.spec).toMatchObject({ commonName: 'web-server', usages: ['digital signature', 'client auth'], issuerRef: { name: 'internal-ca' } });
      const web = deployments['web-server'];
      expect(env(web)).toMatchObject({ SERVICES_URL: 'https://services-server.naaccord.svc:8001', TLS_CLIENT_CERT_PATH: '/etc/tls-client/tls.crt', TLS_CLIENT_KEY_PATH: '/etc/tls-client/tls.key' });
      expect(mounts(web).find((m: any) => m.mountPath === '/etc/tls-client').readOnly).toBe(true);
      expect(volumes(web).find((v: any) => v.name === 'tls-client').secret.secretName).toBe(client.spec.secretName);
    });
  });

  describe('seed 000 (backend-api)', () => {
    const docs = charts['backend-api'];

    test('RSA 4096 with IP + DNS SANs and a PKCS#12 keystore whose password is a Secret reference', () => {
      const cert = only(docs, 'Certificate', 'backend-api');
      expect(cert.spec.privateKey).toMatchObject({ algorithm: 'RSA', size: 4096 });
      expect(cert.spec.ipAddresses).toEqual(['10.0.0.50']);
      expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['backend-api.backend-api.svc']));
      expect(cert.spec.keystores.pkcs12).toEqual({ create: true, passwordSecretRef: { name: 'backend-api-keystore', key: 'password' }, profile: 'Modern2023' });
      const e = env(only(docs, 'Deployment', 'backend-api'));
      expect(e).toMatchObject({ SSL_PFX_PATH: '/etc/tls/keystore.p12', SSL_PORT: '6922', ENABLE_HSTS: 'true', HSTS_MAX_AGE: '31536000' });
      expect(e.SSL_PFX_PASSWORD).toEqual({ secretKeyRef: { name: 'backend-api-keystore', key: 'password' } });
    });

    test('the edge (in place of the seed\'s L4 redirector) terminates public TLS and reaches the backend over verified HTTPS', () => {
      const ing = docs.find((d: any) => d.kind === 'Ingress');
      expect(ing.metadata.annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
        'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
        'nginx.ingress.kubernetes.io/proxy-ssl-name': 'backend-api.backend-api.svc',
        'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      });
      const secret = ing.metadata.annotations['nginx.ingress.kubernetes.io/proxy-ssl-secret'].split('/')[1];
      expect(docs.filter((d: any) => d.kind === 'Certificate').map((c: any) => c.spec.secretName)).toContain(secret);
    });
  });
});
