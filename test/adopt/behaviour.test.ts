import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EdgeKind, loadManifests } from '../../lib';
import { adopt } from '../../lib/adopt';
import { AdoptOptions, NoteKind } from '../../lib/adopt/model';
import { runGenerated, served } from './support';

/** Adopts YAML text as a file of the input would be. */
function adoptYaml(yaml: string, options: AdoptOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adopt-'));
  fs.writeFileSync(path.join(dir, 'in.yaml'), yaml);
  const result = adopt(loadManifests([dir]), options);
  fs.rmSync(dir, { recursive: true });
  return result;
}

const app = (name: string, port: number, extra = '') => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: ${name}, image: "ghcr.io/example/${name}:1.0.0", ports: [{ containerPort: ${port} }]${extra} }]
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { selector: { app: ${name} }, ports: [{ port: ${port} }] }
`;
const ISSUER = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: letsencrypt-prod }
spec: { acme: { server: https://acme-v02.api.letsencrypt.org/directory, email: ops@example.com, solvers: [{ http01: { ingress: { ingressClassName: nginx } } }] } }
`;

describe('adopt', () => {
  test('a host served over plain HTTP gets a certificate of its own, a redirect and HSTS; the report says they are added', () => {
    const r = adoptYaml(`${ISSUER}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop }
spec:
  ingressClassName: nginx
  rules: [{ host: plain.example.com, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 8080 } } } }] } }]
${app('web', 8080)}`);
    expect(r.synthErrors).toEqual([]);
    expect(r.model.stacks[0].sites).toEqual([{ name: 'plain-example-com', hosts: ['plain.example.com'], source: 'new', origin: expect.anything() }]);
    const notes = r.model.notes.filter((n) => n.host === 'plain.example.com' && n.kind === NoteKind.ADDED).map((n) => n.subject);
    expect(notes).toEqual(expect.arrayContaining(['TLS', 'HTTP → HTTPS redirect', 'response headers', 'TLS profile']));
    const docs = runGenerated(r.typescript!);
    expect(served(docs).secrets).toEqual({ 'plain.example.com': 'plain-example-com-tls' });
    expect(docs.find((d) => d.kind === 'Ingress').metadata.annotations['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('true');
  });

  test('TLS passthrough: the app keeps serving the certificate it mounts (a Certificate of the input), and the host is passed through', () => {
    const r = adoptYaml(`${ISSUER}---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: vault, namespace: shop }
spec: { secretName: vault-tls, dnsNames: [vault.example.com], issuerRef: { name: letsencrypt-prod, kind: ClusterIssuer } }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: vault, namespace: shop, annotations: { nginx.ingress.kubernetes.io/ssl-passthrough: "true" } }
spec:
  ingressClassName: nginx
  rules: [{ host: vault.example.com, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: vault, port: { number: 8200 } } } }] } }]
${app('vault', 8200, ', volumeMounts: [{ name: tls, mountPath: /vault/tls, readOnly: true }]')}`.replace('    spec:\n      containers', '    spec:\n      volumes: [{ name: tls, secret: { secretName: vault-tls } }]\n      containers'));
    expect(r.synthErrors).toEqual([]);
    const [stack] = r.model.stacks;
    expect(stack.routes).toMatchObject([{ host: 'vault.example.com', path: '/', app: 'vault', passthrough: true }]);
    expect(stack.apps[0].tls).toEqual({ site: 'vault', mountPath: '/vault/tls' });
    const docs = runGenerated(r.typescript!);
    expect(docs.find((d) => d.kind === 'Ingress').metadata.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
    const deployment = docs.find((d) => d.kind === 'Deployment');
    expect(deployment.spec.template.spec.volumes.find((v: any) => v.secret)?.secret.secretName).toBe('vault-tls');
  });

  test('Gateway API TLSRoute passthrough to an app without a known certificate: it gets one from cert-manager at /etc/tls (changed)', () => {
    const r = adoptYaml(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: shop }
spec:
  gatewayClassName: eg
  listeners: [{ name: tls, protocol: TLS, port: 443, hostname: db.example.com, tls: { mode: Passthrough } }]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: { name: db, namespace: shop }
spec:
  parentRefs: [{ name: gw, sectionName: tls }]
  hostnames: [db.example.com]
  rules: [{ backendRefs: [{ name: db, port: 5432 }] }]
${app('db', 5432)}`);
    expect(r.synthErrors).toEqual([]);
    expect(r.model.stacks[0].apps[0].tls).toEqual({ site: 'db-passthrough', mountPath: '/etc/tls' });
    expect(r.model.notes.find((n) => n.subject === 'app db')).toMatchObject({ kind: NoteKind.CHANGED, fix: 'point the app at /etc/tls/tls.crt and /etc/tls/tls.key' });
    expect(runGenerated(r.typescript!).some((d) => d.kind === 'TLSRoute' && d.spec.hostnames[0] === 'db.example.com')).toBe(true);
  });

  test('an issuer used by stacks on two edges gets one HTTP-01 solver per edge, each selecting its stacks\' hosts', () => {
    const r = adoptYaml(`${ISSUER}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop, annotations: { cert-manager.io/cluster-issuer: letsencrypt-prod } }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [shop.example.com], secretName: shop-tls }]
  rules: [{ host: shop.example.com, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 8080 } } } }] } }]
${app('web', 8080)}---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: { name: blog, namespace: blog }
spec:
  entryPoints: [websecure]
  routes: [{ kind: Rule, match: Host(\`blog.example.com\`), services: [{ name: blog, port: 80 }] }]
  tls: { secretName: blog-tls }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: blog, namespace: blog }
spec: { secretName: blog-tls, dnsNames: [blog.example.com], issuerRef: { name: letsencrypt-prod, kind: ClusterIssuer } }
`);
    expect(r.synthErrors).toEqual([]);
    expect(r.model.issuers[0].acme!.solvers).toEqual([
      { type: 'http01Ingress', ingressClassName: 'traefik', selector: { dnsNames: ['blog.example.com'] } },
      { type: 'http01Ingress', ingressClassName: 'nginx', selector: { dnsNames: ['shop.example.com'] } },
    ]);
    expect(r.model.stacks.map((s) => [s.namespace, s.edge.kind])).toEqual([['blog', EdgeKind.TRAEFIK], ['shop', EdgeKind.INGRESS_NGINX]]);
  });

  test('no issuer in the input: the spec references ClusterIssuer letsencrypt-prod with a TODO; a namespaced Issuer stays the team\'s (ExternalIssuer)', () => {
    const none = adoptYaml(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [shop.example.com], secretName: shop-tls }]
  rules: [{ host: shop.example.com, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 8080 } } } }] } }]
${app('web', 8080)}`);
    expect(none.synthErrors).toEqual([]);
    expect(none.typescript).toContain("  // TODO: no issuer in the input: this one must exist in the cluster (or build one here)\n  const letsencryptProd = new ExternalIssuer(issuers, 'letsencrypt-prod', { name: 'letsencrypt-prod' });");
    const namespaced = adoptYaml(`apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: vault, namespace: shop }
spec: { vault: { server: https://vault.example.com, path: pki/sign/shop } }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: web, namespace: shop }
spec: { secretName: web-tls, dnsNames: [web.example.com], issuerRef: { name: vault } }
`);
    expect(namespaced.synthErrors).toEqual([]);
    expect(namespaced.typescript).toContain("new ExternalIssuer(issuers, 'Issuer-shop-vault', { name: 'vault', kind: 'Issuer' })");
    expect(namespaced.model.notes.find((n) => n.subject === 'Issuer vault')).toMatchObject({ kind: NoteKind.CANNOT, fix: 'keep applying this Issuer as it is' });
  });

  test('two Certificates writing one Secret, and one host on two Certificates, are conflicts', () => {
    const cert = (name: string, secret: string, hosts: string) => `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: ${name}, namespace: shop }
spec: { secretName: ${secret}, dnsNames: [${hosts}], issuerRef: { name: letsencrypt-prod, kind: ClusterIssuer } }
`;
    const r = adoptYaml(`${ISSUER}${cert('a', 'shared-tls', 'a.example.com')}${cert('b', 'shared-tls', 'b.example.com')}${cert('c', 'c-tls', 'a.example.com, c.example.com')}`);
    expect(r.blocked).toBe(true);
    expect(r.conflicts.map((c) => [c.subject, c.claims.map((x) => x.origin.name)])).toEqual([
      ['Secret shop/shared-tls', ['a', 'b']],
      ['certificate of host a.example.com (namespace shop)', ['a', 'c']],
    ]);
    const forced = adoptYaml(`${ISSUER}${cert('a', 'shared-tls', 'a.example.com')}${cert('b', 'shared-tls', 'b.example.com')}${cert('c', 'c-tls', 'a.example.com, c.example.com')}`, { force: true });
    expect(forced.model.stacks[0].sites.map((s) => [s.name, s.hosts])).toEqual([['a', ['a.example.com']], ['c', ['c.example.com']]]);
    expect(forced.synthErrors).toEqual([]);
  });

  test('a Deployment the routes do not reach and a Secret nothing uses are listed as not adopted, with why', () => {
    const r = adoptYaml(`${ISSUER}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [shop.example.com], secretName: shop-tls }]
  rules: [{ host: shop.example.com, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 8080 } } } }] } }]
${app('web', 8080)}${app('worker', 9000)}---
apiVersion: v1
kind: Secret
metadata: { name: other, namespace: shop }
stringData: { token: abc }
`);
    expect(r.notAdopted.map((n) => [n.origin.kind, n.origin.name, n.reason])).toEqual([
      ['Deployment', 'worker', 'nothing the TLS stack adopts refers to this Deployment: keep applying it as it is'],
      ['Service', 'worker', 'nothing the TLS stack adopts refers to this Service: keep applying it as it is'],
      ['Secret', 'other', 'nothing the TLS stack adopts refers to this Secret: keep applying it as it is'],
    ]);
  });
});
