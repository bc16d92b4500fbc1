import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { main } from '../../../lib/cli';
import { RULES, Severity, checkManifests, loadManifests } from '../../../lib/policy/check';
import { NGINX_CONTROLLER_CONFIG_ANNOTATION } from '../../../lib/policy/controller-wide';
import { TlsPolicyValidation } from '../../../lib/policy/validation-plugin';
import { available } from '../../tools';

const root = path.join(__dirname, '..', '..', '..');
const SEED_001 = path.join(root, '..', 'shared', 'seeds', '001_95641ff62dc7b44b.txt');
const at = (doc: any, file = 'x/a.yaml') => ({ file, doc });
const rulesOf = (docs: any[]) => checkManifests(docs.map((d) => at(d))).filter((f) => f.severity === Severity.ERROR).map((f) => f.rule);

const deployment = (container: object = {}, pod: object = {}, volumes: object[] = []) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: {
      metadata: { labels: { a: 'b' } },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...pod },
        volumes,
        containers: [{ name: 'c', image: 'x:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }, ...container }],
      },
    },
  },
});
const ingress = (annotations: Record<string, string>, tls = true) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'n', annotations },
  spec: {
    ingressClassName: 'nginx',
    tls: tls ? [{ hosts: ['a.example.com'], secretName: 'a-tls' }] : undefined,
    rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }],
  },
});
const certificate = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'a', namespace: 'n' }, spec: { secretName: 'a-tls', dnsNames: ['a.example.com'], issuerRef: { name: 'le', kind: 'ClusterIssuer' } } };
const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'le' }, spec: { acme: { server: 'https://acme-v02.api.letsencrypt.org/directory', privateKeySecretRef: { name: 'k' }, solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }] } } };
const backendTls = (name: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'BackendTLSPolicy', metadata: { name, namespace: 'n' },
  spec: { targetRefs: [{ group: '', kind: 'Service', name: 's' }], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 's.n.svc' } },
});
const service = (type: string, ports: object[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { type, selector: { a: 'b' }, ports } });
const controller = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' }, data: { hsts: 'true', ...data } });

const GW = 'gateway.networking.k8s.io/v1';
const EG = 'gateway.envoyproxy.io/v1alpha1';
const gateway = (spec: object = {}) => ({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'g', namespace: 'n' }, spec: { gatewayClassName: 'eg', listeners: [
  { name: 'http', port: 80, protocol: 'HTTP' }, { name: 'https-a', port: 443, protocol: 'HTTPS', hostname: 'a.example.com', tls: { certificateRefs: [{ name: 'a-tls' }] } }], ...spec } });
const listenerSet = (namespace: string, host = 'b.example.com') => ({ apiVersion: GW, kind: 'ListenerSet', metadata: { name: 'ls', namespace }, spec: { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g', namespace: 'n' },
  listeners: [{ name: 'https-x', port: 443, protocol: 'HTTPS', hostname: host, tls: { certificateRefs: [{ name: 'a-tls' }] } }] } });
const httpRoute = (name: string, rules: object[]) => ({ apiVersion: GW, kind: 'HTTPRoute', metadata: { name, namespace: 'n' }, spec: { parentRefs: [{ name: 'g', sectionName: 'https-a' }], hostnames: ['a.example.com'], rules } });
const ctp = (tls: object) => ({ apiVersion: EG, kind: 'ClientTrafficPolicy', metadata: { name: 'p', namespace: 'n' }, spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }], tls: { minVersion: '1.2', ...tls } } });
const btp = (spec: object, section?: string) => ({ apiVersion: EG, kind: 'BackendTrafficPolicy', metadata: { name: 'b', namespace: 'n' }, spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r', ...(section ? { sectionName: section } : {}) }], ...spec } });
/** A Gateway whose two HTTPS listeners serve one certificate for both of their hosts. */
const overlapping = () => [
  gateway({ listeners: [{ name: 'https-a', port: 443, protocol: 'HTTPS', hostname: 'a.example.com', tls: { certificateRefs: [{ name: 'ab-tls' }] } }, { name: 'https-b', port: 443, protocol: 'HTTPS', hostname: 'b.example.com', tls: { certificateRefs: [{ name: 'ab-tls' }] } }] }),
  { ...certificate, metadata: { name: 'ab', namespace: 'n' }, spec: { ...certificate.spec, secretName: 'ab-tls', dnsNames: ['a.example.com', 'b.example.com'] } },
];
const ingressRoute = (name: string, option: string) => ({ apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name, namespace: 'n' }, spec: { entryPoints: ['websecure'],
  routes: [{ kind: 'Rule', match: 'Host(`a.example.com`)', services: [{ name: 's', port: 80 }] }], tls: { secretName: 'a-tls', options: { name: option, namespace: 'n' } } } });

const nginxNeeds = (name: string, config: Record<string, string>, ingressClassName = 'nginx') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'n', annotations: { [NGINX_CONTROLLER_CONFIG_ANNOTATION]: JSON.stringify({ ingressClassName, config }) } }, data: {} });
const tlsOption = (name: string, spec: object) => ({ apiVersion: 'traefik.io/v1alpha1', kind: 'TLSOption', metadata: { name, namespace: 'n' }, spec });
const wildcardRoute = (name: string, option: string) => ({ ...ingressRoute(name, option), spec: { ...ingressRoute(name, option).spec, routes: [{ kind: 'Rule', match: 'HostRegexp(`^[a-z0-9-]+\\.example\\.com$`)', services: [{ name: 's', port: 80 }] }] } });

describe('npm run check rules', () => {
  test('a clean set has no errors', () => {
    expect(rulesOf([deployment(), ingress({}), certificate, issuer, controller({})])).toEqual([]);
  });

  const ERRORS: Array<[string, any[]]> = [
    ['schema', [{ ...certificate, spec: { ...certificate.spec, bogus: true } }]],
    ['snippet-annotations', [ingress({ 'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "X: y";' }), certificate]],
    ['x-xss-protection', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h' }, data: { 'X-XSS-Protection': '1; mode=block' } }]],
    ['hosts-without-tls', [ingress({}, false)]],
    ['tls-secret-source', [ingress({})]],
    ['key-material', [{ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 's' }, stringData: { 'tls.crt': 'x', 'tls.key': '-----BEGIN PRIVATE KEY-----' } }]],
    ['secret-mounts', [deployment({ volumeMounts: [{ name: 'tls', mountPath: '/tls/tls.crt', subPath: 'tls.crt', readOnly: true }] }, {}, [{ name: 'tls', secret: { secretName: 'a-tls' } }])]],
    ['secret-mounts', [deployment({ volumeMounts: [{ name: 'tls', mountPath: '/tls' }] }, {}, [{ name: 'tls', secret: { secretName: 'a-tls' } }])]],
    ['secret-mounts', [deployment({ volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }] }, {}, [{ name: 'tls', secret: { secretName: 'a-tls', defaultMode: 0o644 } }])]],
    ['verify-off', [ingress({ 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' }), certificate]],
    ['verify-off', [deployment({ env: [{ name: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' }] })]],
    ['verify-off', [{ apiVersion: 'traefik.io/v1alpha1', kind: 'ServersTransport', metadata: { name: 't' }, spec: { insecureSkipVerify: true } }]],
    ['weak-tls', [controller({ 'ssl-protocols': 'TLSv1 TLSv1.1 TLSv1.2' })]],
    ['weak-tls', [controller({ 'ssl-ciphers': 'ECDHE-RSA-AES128-SHA:AES128-SHA' })]],
    ['weak-tls', [{ apiVersion: 'traefik.io/v1alpha1', kind: 'TLSOption', metadata: { name: 'o' }, spec: { minVersion: 'VersionTLS10' } }]],
    ['missing-hsts', [controller({ hsts: 'false' })]],
    ['certificates', [{ ...certificate, spec: { ...certificate.spec, usages: ['client auth'] } }, issuer]],
    ['certificates', [certificate, { ...certificate, metadata: { name: 'b', namespace: 'n' } }, issuer]],
    ['pod-security', [deployment({ securityContext: {} })]],
    ['pod-security', [deployment({}, { seccompProfile: undefined })]],
    ['secret-mounts', [deployment({ volumeMounts: [{ name: 'tls', mountPath: '/etc', readOnly: true }] }, {}, [{ name: 'tls', secret: { secretName: 'a-tls' } }])]],
    ['literal-secrets', [deployment({ env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] })]],
    ['literal-secrets', [deployment({ env: [{ name: 'DATABASE_URL', value: 'postgres://u:hunter2@db/app' }] })]],
    ['literal-secrets', [deployment({ env: [{ name: 'githubPat', value: 'ghp_x' }] })]],
    ['duplicate-objects', [certificate, { ...certificate, spec: { ...certificate.spec, secretName: 'b-tls' } }, issuer]],
    ['policy-targets', [backendTls('a'), backendTls('b')]],
    ['replicas', [{ ...deployment(), spec: { ...deployment().spec, replicas: -1 } }]],
    ['plain-http-exposed', [service('LoadBalancer', [{ name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' }])]],
    ['plain-http-exposed', [service('NodePort', [{ name: 'web', port: 8080, targetPort: 8080, appProtocol: 'kubernetes.io/ws' }])]],
    ['object-names', [{ ...certificate, metadata: { name: `a-${'x'.repeat(252)}`, namespace: 'n' } }, issuer]],
    ['object-names', [{ ...service('ClusterIP', [{ name: 'https', port: 443 }]), metadata: { name: 's'.repeat(64), namespace: 'n' } }]],
    ['object-names', [{ ...service('ClusterIP', [{ name: 'https', port: 443 }]), metadata: { name: '1web', namespace: 'n' } }]],
    ['labels', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', labels: { team: 'x'.repeat(64) } } }]],
    ['labels', [{ ...certificate, spec: { ...certificate.spec, secretTemplate: { labels: { 'Bad Key!': 'v' } } } }, issuer]],
    // The controllers' own rules (lib/policy/controller-rules.ts), each with the fault its controller refuses or mishandles.
    ['envoy-request-buffer', [btp({ requestBuffer: { limit: '4Gi' } })]],
    ['envoy-request-buffer', [btp({ requestBuffer: { limit: '4194304Ki' } })]],
    ['envoy-alpn-overlap', [...overlapping(), ctp({ alpnProtocols: ['h2', 'http/1.1'] })]],
    ['envoy-ciphers', [ctp({ ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'] })]],
    ['envoy-client-ca-grant', [ctp({ clientValidation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca', namespace: 'other' }] } })]],
    ['envoy-policy-section', [gateway(), httpRoute('r', [{ name: 'websocket-0', backendRefs: [{ name: 's', port: 80 }] }]), btp({ timeout: { http: { streamIdleTimeout: '3600s' } } }, 'websocket-1')]],
    ['listenerset-allowed', [gateway(), listenerSet('other')]],
    ['listener-conflict', [gateway({ allowedListeners: { namespaces: { from: 'Same' } } }), listenerSet('n', 'a.example.com')]],
    ['cert-manager-duration', [{ ...certificate, spec: { ...certificate.spec, duration: '30m' } }, issuer]],
    ['cert-manager-duration', [{ ...certificate, spec: { ...certificate.spec, duration: '2h', renewBefore: '2h' } }, issuer]],
    ['cert-manager-duration', [{ ...certificate, spec: { ...certificate.spec, renewBefore: '1m' } }, issuer]],
    ['cert-manager-key', [{ ...certificate, spec: { ...certificate.spec, commonName: 'é'.repeat(40) } }, issuer]],
    ['cert-manager-key', [{ ...certificate, spec: { ...certificate.spec, privateKey: { algorithm: 'ECDSA', size: 512 } } }, issuer]],
    ['cert-manager-secret-template', [{ ...certificate, spec: { ...certificate.spec, secretTemplate: { annotations: { 'cert-manager.io/issuer-name': 'x' } } } }, issuer]],
    ['cert-manager-keystore-password', [{ ...certificate, spec: { ...certificate.spec, keystores: { pkcs12: { create: true, password: 'x', passwordSecretRef: { name: 'p', key: 'k' } } } } }, issuer]],
    ['cert-manager-solver', [certificate, { ...issuer, spec: { acme: { ...issuer.spec.acme, solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [] } } }] } } }]],
    ['cert-manager-solver', [certificate, { ...issuer, spec: { acme: { ...issuer.spec.acme, solvers: [{ dns01: { cloudflare: { apiTokenSecretRef: { name: 'a', key: 'b' } }, route53: { region: 'eu-west-1' } } }] } } }]],
    ['trust-manager-bundle', [{ apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'ca' }, spec: { sources: [{ secret: { name: 'root' } }], target: { configMap: { key: 'ca.crt' } } } }]],
    ['nginx-path', [{ ...ingress({}), spec: { ...ingress({}).spec, rules: [{ host: 'a.example.com', http: { paths: [{ path: '/~user', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } }, certificate]],
    ['nginx-annotation-values', [ingress({ 'nginx.ingress.kubernetes.io/proxy-body-size': '1Gi' }), certificate]],
    ['nginx-secret-namespace', [ingress({ 'nginx.ingress.kubernetes.io/auth-tls-secret': 'other/ca', 'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'on' }), certificate]],
    ['nginx-host-path', [ingress({}), { ...ingress({}), metadata: { name: 'j', namespace: 'n' } }, certificate]],
    ['traefik-tls-option', [{ apiVersion: 'traefik.io/v1alpha1', kind: 'TLSOption', metadata: { name: 'o', namespace: 'n' }, spec: { minVersion: 'VersionTLS12', cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256'] } }]],
    ['traefik-tls-option', [{ apiVersion: 'traefik.io/v1alpha1', kind: 'TLSOption', metadata: { name: 'o', namespace: 'n' }, spec: { minVersion: 'TLS1.2' } }]],
    ['traefik-options-per-host', [ingressRoute('a', 'plain'), ingressRoute('b', 'mtls'), certificate]],
    ['nginx-controller-wide', [nginxNeeds('a', { 'ssl-protocols': 'TLSv1.3' }), nginxNeeds('b', { 'ssl-protocols': 'TLSv1.2 TLSv1.3' })]],
    ['nginx-controller-wide', [nginxNeeds('a', { hsts: 'true', 'hsts-preload': 'true' }), nginxNeeds('b', { hsts: 'true', 'hsts-preload': 'false' })]],
    ['traefik-wildcard-options', [wildcardRoute('a', 'mtls'), tlsOption('mtls', { minVersion: 'VersionTLS12', clientAuth: { secretNames: ['ca'], clientAuthType: 'RequireAndVerifyClientCert' } }), certificate]],
    ['traefik-wildcard-options', [wildcardRoute('a', 'modern'), wildcardRoute('b', 'intermediate'), tlsOption('modern', { minVersion: 'VersionTLS13' }), tlsOption('intermediate', { minVersion: 'VersionTLS12' }), certificate]],
    ['traefik-namespace', [{ ...ingressRoute('a', 'plain'), spec: { ...ingressRoute('a', 'plain').spec, routes: [{ ...ingressRoute('a', 'plain').spec.routes[0], middlewares: [{ name: 'headers', namespace: 'other' }] }] } }, certificate]],
    ['kubernetes-annotations-size', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', annotations: { note: 'x'.repeat(262145) } } }]],
    ['kubernetes-pod-template', [deployment({ ports: [{ containerPort: 8443, name: 'https-websocket-api' }] })]],
    ['kubernetes-pod-template', [deployment({ env: [{ name: '1_VAR', value: 'x' }] })]],
    ['kubernetes-pod-template', [deployment({ volumeMounts: [{ name: 'nope', mountPath: '/x', readOnly: true }] })]],
    ['kubernetes-pod-template', [deployment({ livenessProbe: { tcpSocket: { port: 8080 }, successThreshold: 2 } })]],
    ['kubernetes-pod-template', [deployment({}, {}, [{ name: 'tls', secret: { secretName: 'a-tls', defaultMode: 777 } }])]],
    ['kubernetes-service-ports', [service('ClusterIP', [{ port: 443, appProtocol: 'https' }, { port: 80 }])]],
    ['kubernetes-service-ports', [service('ClusterIP', [{ name: 'https', port: 443, appProtocol: 'kubernetes.io/wss/x' }])]],
    ['kubernetes-ingress-path', [{ ...ingress({}), spec: { ...ingress({}).spec, rules: [{ host: 'a.example.com', http: { paths: [{ path: '/a/../b', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } }, certificate]],
  ];
  test.each(ERRORS)('%s catches its fault', (rule, docs) => {
    expect(rulesOf(docs as any[])).toContain(rule);
  });

  const WARNINGS: Array<[string, any[]]> = [
    ['deprecated-ingress-class', [{ ...ingress({ 'kubernetes.io/ingress.class': 'nginx' }), spec: { ...ingress({}).spec, ingressClassName: undefined } }, certificate]],
    ['mutable-images', [deployment({ image: 'ghcr.io/example/app:latest' })]],
    ['mutable-images', [deployment({ image: 'nginx' })]],
    ['plain-http-exposed', [service('LoadBalancer', [{ name: 'http', port: 80 }, { name: 'https', port: 443 }])]],
  ];
  test.each(WARNINGS)('%s warns', (rule, docs) => {
    const found = checkManifests(docs.map((d) => at(d))).filter((f) => f.rule === rule);
    expect(found.map((f) => f.severity)).toContain(Severity.WARNING);
  });

  test('every finding\'s fix names the library prop to change, after the YAML fix', () => {
    const findings = [...ERRORS, ...WARNINGS].flatMap(([, docs]) => checkManifests(docs.map((d: any) => at(d))));
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(RULES));
    for (const f of findings) expect([f.rule, f.fix]).toEqual([f.rule, expect.stringMatching(/^[^\n]+\. In cdk8s-secure-tls: (?!undefined)\S/)]);
  });

  test('every rule has a test that trips it (here, or CEL in cel.test.ts)', () => {
    const tested = new Set([...ERRORS.map(([r]) => r), ...WARNINGS.map(([r]) => r)]);
    expect(RULES.filter((r) => !tested.has(r))).toEqual([]);
  });

  test('controller-wide settings: response headers merge, IngressClasses are separate controllers, wildcard routes sharing a profile agree', () => {
    expect(rulesOf([nginxNeeds('a', { 'global-allowed-response-headers': 'X-A', 'use-forwarded-headers': 'true' }), nginxNeeds('b', { 'global-allowed-response-headers': 'X-B' })])).not.toContain('nginx-controller-wide');
    expect(rulesOf([nginxNeeds('a', { 'ssl-protocols': 'TLSv1.3' }), nginxNeeds('b', { 'ssl-protocols': 'TLSv1.2 TLSv1.3' }, 'internal')])).not.toContain('nginx-controller-wide');
    expect(rulesOf([wildcardRoute('a', 'o'), wildcardRoute('b', 'p'), tlsOption('o', { minVersion: 'VersionTLS12' }), tlsOption('p', { minVersion: 'VersionTLS12' }), certificate])).not.toContain('traefik-wildcard-options');
  });

  test('a pinned tag or a digest draws no warning; a literal non-secret value is fine', () => {
    expect(checkManifests([at(deployment({ image: 'ghcr.io/example/app@sha256:abc', env: [{ name: 'SSL_KEY_PATH', value: '/etc/tls/tls.key' }, { name: 'TLS_KEY', value: '/etc/tls/tls.key' }] }))])).toEqual([]);
  });

  test('Gateway API: app routes on the HTTP listener and HTTPS routes without HSTS are errors', () => {
    const gw = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'n' }, spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'a.example.com', tls: { certificateRefs: [{ name: 'a-tls' }] } }] } };
    const route = (section: string, filters: object[] = []) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: section, namespace: 'n' }, spec: { parentRefs: [{ name: 'g', sectionName: section }], rules: [{ filters, backendRefs: [{ name: 's', port: 80 }] }] } });
    expect(rulesOf([gw, certificate, route('http')])).toEqual(expect.arrayContaining(['hosts-without-tls']));
    expect(rulesOf([gw, certificate, route('https')])).toEqual(['missing-hsts']);
    expect(rulesOf([gw, certificate, route('https', [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: 'max-age=31536000' }] } }])])).toEqual([]);
  });

  test('cross references resolve per folder (dist/prod and dist/staging are separate units)', () => {
    const docs = [at(certificate, 'dist/prod/a.yaml'), at(certificate, 'dist/staging/a.yaml'), at(issuer, 'dist/prod/i.yaml'), at(issuer, 'dist/staging/i.yaml')];
    expect(checkManifests(docs).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
  });

  test('property: any YAML a user points it at is checked, never crashes (fields of the wrong type, null documents, lists for maps)', () => {
    const shipped = loadManifests([path.join(root, 'dist')]);
    // A shipped document with one field (at any depth) replaced by any JSON value.
    const mutate = (doc: any, at: number, value: unknown): any => {
      let n = 0;
      const walk = (x: any): any => {
        if (n++ === at) return value;
        if (Array.isArray(x)) return x.map(walk);
        if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
        return x;
      };
      return walk(doc);
    };
    fc.assert(fc.property(fc.array(fc.record({ doc: fc.nat(shipped.length - 1), at: fc.nat(60), value: fc.jsonValue({ maxDepth: 2 }) }), { minLength: 1, maxLength: 6 }), (mutations) => {
      const docs = shipped.map((m) => ({ ...m }));
      for (const { doc, at, value } of mutations) docs[doc] = { ...docs[doc], doc: mutate(docs[doc].doc, at, value) };
      expect(() => checkManifests(docs)).not.toThrow();
    }), { numRuns: Number(process.env.FC_RUNS ?? 200), seed: Number(process.env.FC_SEED ?? 7) });
  });

  test('the shipped dist/ is clean', () => {
    expect(checkManifests(loadManifests([path.join(root, 'dist')])).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
  });

  (available(`seed 001 (${SEED_001})`, fs.existsSync(SEED_001), 'check out ../shared beside the repository') ? test : test.skip)('seed 001\'s hand-written YAML: snippet, X-XSS-Protection 1, hosts without TLS', () => {
    const rules = checkManifests(loadManifests([SEED_001])).filter((f) => f.severity === Severity.ERROR).map((f) => `${f.name}:${f.rule}`);
    expect(rules).toEqual(expect.arrayContaining(['api-ingress:snippet-annotations', 'api-ingress:x-xss-protection', 'http-redirect:hosts-without-tls']));
  });

  test('the command: human report grouped by file, --json for CI, exit 1 on errors and 0 when clean', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-'));
    fs.writeFileSync(path.join(dir, 'bad.yaml'), JSON.stringify(ingress({ 'nginx.ingress.kubernetes.io/server-snippet': 'x' })));
    // The command's own entry (the packaged bin runs it; the consumer test runs that binary): exit code and output.
    const run = async (...args: string[]) => {
      let stdout = '';
      const status = await main(['check', ...args], { stdout: { write: (x: string) => { stdout += x; } }, stderr: { write: () => true } });
      return { status, stdout };
    };
    const human = await run(dir);
    expect(human.status).toBe(1);
    expect(human.stdout).toContain(`${dir}/bad.yaml`);
    expect(human.stdout).toMatch(/error\s+Ingress\/i \[snippet-annotations\]/);
    const json = await run('--json', dir);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).findings.map((f: any) => f.rule)).toContain('snippet-annotations');
    expect((await run(path.join(root, 'dist'))).status).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  test('YAML as the API server reads it: a repeated key or a syntax error is refused with its place; prose blocks that do not parse are skipped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-yaml-'));
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    const run = async () => {
      let stderr = '';
      const status = await main(['check', dir], { stdout: { write: () => true }, stderr: { write: (x: string) => { stderr += x; } } });
      return { status, stderr };
    };
    write('README.md', 'Example:\n```yaml\nkind: [unclosed\n```\n');
    write('ok.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {on: yes, t: 2024-01-01}\n');
    expect(await run()).toEqual({ status: 0, stderr: '' });
    // Plain scalars as YAML 1.2 reads them: "yes" and the date stay strings (no Date objects, no booleans).
    expect(loadManifests([path.join(dir, 'ok.yaml')])[0].doc.metadata.labels).toEqual({ on: 'yes', t: '2024-01-01' });
    // Merge keys and explicit tags, as kubectl reads them.
    write('tags.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  labels: &l {app: a}\n  annotations:\n    <<: *l\n    note: n\ndata: {a: !!binary aGk=}\n');
    const [secret] = loadManifests([path.join(dir, 'tags.yaml')]).map((m) => m.doc);
    expect([Buffer.from(secret.data.a).toString(), secret.metadata.annotations]).toEqual(['hi', { app: 'a', note: 'n' }]);
    fs.rmSync(path.join(dir, 'tags.yaml'));
    write('dup.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n');
    expect(await run()).toEqual({ status: 2, stderr: `cdk8s-tls check: ${dir}/dup.yaml:5:3: not valid YAML (Map keys must be unique); kubectl apply would refuse it: fix the file\n` });
    fs.rmSync(path.join(dir, 'dup.yaml'));
    write('broken.yaml', 'apiVersion: v1\nkind: [Namespace\n');
    expect(await run()).toMatchObject({ status: 2, stderr: expect.stringMatching(new RegExp(`^cdk8s-tls check: ${dir}/broken\\.yaml:\\d+:\\d+: not valid YAML \\(`)) });
    fs.rmSync(dir, { recursive: true });
  });
});

describe('cdk8s validation plugin', () => {
  test('reports violations and fails on errors, succeeds on dist', async () => {
    const run = async (files: Record<string, any[]>) => {
      const violations: any[] = [];
      let status = '';
      await new TlsPolicyValidation().validate({
        manifests: Object.keys(files),
        parseManifest: (f: string) => files[f],
        report: { addViolation: (v: any) => violations.push(v), submit: (s: string) => { status = s; } },
      });
      return { violations, status };
    };
    const bad = await run({ 'x/a.yaml': [ingress({ 'nginx.ingress.kubernetes.io/configuration-snippet': 'x' })] });
    expect(bad.status).toBe('failure');
    expect(bad.violations.map((v) => v.ruleName)).toContain('error:snippet-annotations');
    expect(bad.violations[0].violatingResources[0]).toMatchObject({ resourceName: 'Ingress/i', manifestPath: 'x/a.yaml' });
    const good = await run({ 'x/a.yaml': [deployment(), certificate, issuer] });
    expect(good.status).toBe('success');
  });
});
