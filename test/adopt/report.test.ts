import * as path from 'path';
import { EdgeKind, loadManifests } from '../../lib';
import { adopt } from '../../lib/adopt';
import { NoteKind } from '../../lib/adopt/model';
import { FIXTURES, runGenerated, served } from './support';

const adoptFixture = (name: string, options: Parameters<typeof adopt>[1] = {}) => adopt(loadManifests([path.join(FIXTURES, name)]), options);

/** The lines of a report section (`## title` up to the next `## `). */
const section = (report: string, title: string) => report.split(`\n## ${title}\n`)[1]?.split('\n## ')[0] ?? '';

describe('migration report', () => {
  const seed = adoptFixture('seed-001.txt', { force: true });

  test('seed 001: it names what cdk8s-tls check finds there: the snippet annotation, the X-XSS-Protection value, the hosts without TLS', () => {
    const findings = section(seed.report, 'What `cdk8s-tls check` finds in the input');
    expect(findings).toContain('[snippet-annotations] `metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]`');
    expect(findings).toContain('[x-xss-protection]: X-XSS-Protection is "1; mode=block"');
    expect(findings).toContain('[hosts-without-tls] `spec.tls`: host analytics.example.com has no TLS entry');
    expect(findings).toContain('[hosts-without-tls] `spec.tls`: host api.analytics.example.com has no TLS entry');
    // And what adopt does with them: the snippet and the header are refused, and the hosts get the redirect and TLS.
    const ingress = seed.report.split('### Ingress analytics/api-ingress')[1].split('\n### ')[0];
    expect(ingress).toMatch(/#### Dropped or refused\n\n(- .*\n)*- \*\*nginx\.ingress\.kubernetes\.io\/configuration-snippet\*\*: snippet annotations inject raw nginx configuration/);
    expect(ingress).toContain('- **X-XSS-Protection: 1; mode=block**: enables the XSS auditor browsers removed, itself exploitable (OWASP): the edge sends "X-XSS-Protection: 0"');
    const host = seed.report.split('\n### analytics.example.com\n')[1].split('\n### ')[0];
    expect(host).toContain('- `/` → Service `frontend` port 3000 (container port 3000)');
    expect(host).toContain('- **certificate**: Secret api-tls-secret, Certificate api-tls-secret (the name ingress-shim gave it), issuer letsencrypt-prod: cert-manager keeps the certificate in it');
    expect(host).toMatch(/#### The library adds\n\n- \*\*response headers\*\*: Content-Security-Policy: frame-ancestors 'none'; /);
  });

  test('seed 001: the conflicts, what --force kept, and the second definition of api-ingress under "not adopted"', () => {
    const conflicts = section(seed.report, 'Conflicts');
    expect(conflicts).toContain('**object networking.k8s.io/v1 Ingress analytics/api-ingress** is claimed by:');
    expect(conflicts).toContain('**host and path analytics.example.com/** is claimed by:');
    expect(seed.conflicts.map((c) => c.subject)).toEqual(['object networking.k8s.io/v1 Ingress analytics/api-ingress', 'host and path api.analytics.example.com/', 'host and path analytics.example.com/']);
    expect(section(seed.report, 'Not adopted')).toContain('Ingress analytics/api-ingress (`');
    // Without --force nothing is generated, and the report says why.
    const blocked = adoptFixture('seed-001.txt');
    expect(blocked.blocked).toBe(true);
    expect(blocked.typescript).toBeUndefined();
    expect(blocked.report).toContain('**Nothing was written**: 3 conflict(s) below.');
  });

  test('the snippet\'s HSTS (preload) is kept as the edge\'s HSTS option; its X-XSS-Protection is refused', () => {
    const [stack] = seed.model.stacks;
    expect(stack.edge.headers).toEqual({ hsts: { maxAgeSeconds: 31536000, includeSubDomains: true, preload: true } });
    expect(seed.typescript).toContain('headers: { hsts: { maxAge: Duration.days(365), includeSubDomains: true, preload: true } }');
  });

  test('a literal secret is refused, read from a Secret instead, and never shown', () => {
    const shop = adoptFixture('ingress-nginx-shim');
    expect(shop.model.notes.find((n) => n.subject === 'env SESSION_SECRET')).toMatchObject({ kind: NoteKind.REFUSED, detail: expect.stringContaining('*** (18 characters)'), fix: 'create it: kubectl -n shop create secret generic web-env --from-literal=session_secret=...' });
    expect(shop.model.notes.find((n) => n.subject === 'env NODE_TLS_REJECT_UNAUTHORIZED=0')).toMatchObject({ kind: NoteKind.REFUSED, detail: 'turns certificate verification off: dropped' });
    expect(shop.typescript).toContain("SESSION_SECRET: { name: 'web-env', key: 'session_secret' }");
    expect(shop.typescript).not.toContain('NODE_TLS_REJECT_UNAUTHORIZED');
    expect(shop.report + shop.typescript).not.toContain('hunter2');
  });

  test('what the input sets that the spec cannot say is listed with its escape hatch', () => {
    const shop = adoptFixture('ingress-nginx-shim');
    expect(shop.model.notes.find((n) => n.subject === 'nginx.ingress.kubernetes.io/enable-cors')).toMatchObject({ kind: NoteKind.CANNOT, fix: expect.stringContaining('addAnnotation') });
    const wiki = adoptFixture('traefik');
    expect(wiki.model.notes.find((n) => n.subject === 'Middleware strip-api (stripPrefix)')).toMatchObject({ kind: NoteKind.CANNOT });
    expect(wiki.model.notes.find((n) => n.subject === 'X-XSS-Protection: 1; mode=block')).toMatchObject({ kind: NoteKind.REFUSED, detail: expect.stringContaining('the headers Middleware of IngressRoute wiki/wiki') });
    expect(wiki.model.notes.find((n) => n.subject === 'ciphers TLS_RSA_WITH_AES_128_CBC_SHA')).toMatchObject({ kind: NoteKind.REFUSED });
  });

  test('client certificates: the routes require them from the stack\'s internal CA, and the report says the old CA is no longer accepted', () => {
    const partners = adoptFixture('mtls');
    expect(partners.model.stacks[0]).toMatchObject({ internalCa: true, routes: [{ clientAuth: true }, { clientAuth: true }] });
    expect(partners.report).toContain('clients must present a certificate of the stack\'s internal CA (InternalCa): the CA in partners/partner-ca is no longer accepted');
    expect(partners.model.notes.find((n) => n.subject === 'nginx.ingress.kubernetes.io/backend-protocol')).toMatchObject({ kind: NoteKind.REFUSED, detail: expect.stringContaining('without verifying it') });
    const docs = runGenerated(partners.typescript!);
    const ingress = docs.find((d) => d.kind === 'Ingress');
    expect(ingress.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'on' });
  });
});

describe('--edge', () => {
  test('gateway-api moves an ingress-nginx setup to Gateway API: same hosts, paths, backends and Secrets; the HTTP-01 solver follows', () => {
    const moved = adoptFixture('ingress-nginx-shim', { edge: EdgeKind.GATEWAY_API });
    expect(moved.synthErrors).toEqual([]);
    expect(moved.typescript).toContain('kind: EdgeKind.GATEWAY_API');
    expect(moved.typescript).toContain('solvers: [AcmeSolver.http01GatewayHttpRoute()]');
    expect(moved.typescript).not.toContain('NginxControllerSettings');
    const docs = runGenerated(moved.typescript!);
    expect(docs.some((d) => d.kind === 'Ingress')).toBe(false);
    const { routes, secrets } = served(docs);
    expect(routes.map((r) => `${r.host}${r.path} ${r.service}:${r.port}${r.websocket ? ' ws' : ''}`)).toEqual([
      'api.shop.example.com/v1 api:9000', 'api.shop.example.com/ws api:9000 ws', 'shop.example.com/ web:80', 'www.shop.example.com/ web:80',
    ]);
    expect(secrets).toEqual({ 'shop.example.com': 'shop-web-tls', 'www.shop.example.com': 'shop-web-tls', 'api.shop.example.com': 'shop-api-tls' });
    expect(moved.report).toContain('**edge**: ingress-nginx → Gateway API (--edge)');
  });

  test.each([EdgeKind.TRAEFIK, EdgeKind.INGRESS_NGINX])('a Gateway API setup onto %s keeps its hosts and Secrets', (kind) => {
    const moved = adoptFixture('gateway-api', { edge: kind });
    expect(moved.synthErrors).toEqual([]);
    const { secrets } = served(runGenerated(moved.typescript!));
    expect(secrets).toEqual({ 'chat.example.net': 'chat-example-net-tls', 'status.example.net': 'status-example-net-tls' });
  });
});
