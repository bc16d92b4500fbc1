// Where users' workloads go: multi-tenant and SaaS stacks with hundreds of hosts, on every edge, on a Gateway of the
// stack's own and on a shared one. Gateway API holds 64 listeners per Gateway or ListenerSet and 16 hostnames and 16
// rules per HTTPRoute (apis/v1 MaxItems); the edges must spread what they write over as many objects as it takes.
import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import {
  AcmeServer, AcmeSolver, AppProtocol, EdgeKind, LetsEncryptIssuer, NamespacedChart, PlatformGateway, SelfSignedIssuer, TlsStackChart, TlsStackError, synthChecked,
} from '../../lib';
import { Severity, checkManifests } from '../../lib/policy/check';
import { validateDocument } from '../../lib/policy/schema';
import { routeOf } from '../routing';

type Variant = 'gateway-api' | 'gateway-api shared' | 'traefik' | 'ingress-nginx';
const VARIANTS: Variant[] = ['gateway-api', 'gateway-api shared', 'traefik', 'ingress-nginx'];
const hostOf = (i: number) => `tenant-${i}.example.com`;

/** One stack with `n` hosts, each its own site and route (two apps, every tenth route a WebSocket path too). */
function build(n: number, variant: Variant, paths = 1) {
  const app = Testing.app();
  const cluster = new Chart(app, 'cluster', { disableResourceNameHashes: true });
  const issuer = new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf', key: 'token' } })] });
  const shared = variant === 'gateway-api shared' ? new PlatformGateway(new NamespacedChart(app, 'platform', { namespace: 'edge' }), 'Gateway') : undefined;
  const hosts = Array.from({ length: n }, (_, i) => hostOf(i));
  new TlsStackChart(app, 'saas', {
    namespace: 'saas', issuer,
    sites: [{ name: 'tenants', hosts: ['*.example.com'] }],
    apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }, { name: 'live', image: 'ghcr.io/example/live:1.0.0', port: 8081, protocol: AppProtocol.WEBSOCKET }],
    routes: hosts.flatMap((host, i) => [
      ...Array.from({ length: paths }, (_, p) => ({ host, app: 'web', path: p ? `/v${p}` : '/' })),
      ...(i % 10 === 0 ? [{ host, app: 'live', path: '/live', websocket: true }] : []),
    ]),
    edge: { kind: variant.startsWith('gateway-api') ? EdgeKind.GATEWAY_API : variant as EdgeKind, sharedGateway: shared },
  });
  return { app, hosts };
}

describe.each([16, 17, 64, 65, 500])('%i hosts', (n) => {
  test.each(VARIANTS)('%s: every document valid, every host served and redirected, no object over its limit', (variant) => {
    const { app, hosts } = build(n, variant);
    const docs = synthChecked(app).charts.flatMap((c) => c.docs);
    // Gateway API's limits, per object.
    for (const d of docs.filter((x) => x.kind === 'HTTPRoute')) {
      expect((d.spec.hostnames ?? []).length).toBeLessThanOrEqual(16);
      expect(d.spec.rules.length).toBeLessThanOrEqual(16);
    }
    for (const d of docs.filter((x) => x.kind === 'Gateway' || x.kind === 'ListenerSet')) expect(d.spec.listeners.length).toBeLessThanOrEqual(64);
    if (variant.startsWith('gateway-api')) {
      // Every host: one HTTPS listener, one redirect on the HTTP listener.
      const listeners = docs.filter((d) => d.kind === 'Gateway' || d.kind === 'ListenerSet').flatMap((d) => d.spec.listeners).filter((l) => l.protocol === 'HTTPS');
      expect(listeners.map((l) => l.hostname).sort()).toEqual([...hosts].sort());
      const redirected = docs.filter((d) => d.kind === 'HTTPRoute' && d.spec.rules[0].filters?.[0]?.type === 'RequestRedirect').flatMap((d) => d.spec.hostnames);
      expect(redirected.sort()).toEqual([...hosts].sort());
      // Every ListenerSet of the stack has the stack's TLS policy: none is left with Envoy's defaults.
      const policies = new Set(docs.filter((d) => d.kind === 'ClientTrafficPolicy').map((p) => `${p.spec.targetRefs[0].kind}/${p.spec.targetRefs[0].name}`));
      for (const ls of docs.filter((d) => d.kind === 'ListenerSet')) expect(policies).toContain(`ListenerSet/${ls.metadata.name}`);
    }
    for (const i of [0, 1, n - 1]) {
      expect(routeOf(docs, hostOf(i), '/')).toBe('saas/web');
      if (i % 10 === 0) expect(routeOf(docs, hostOf(i), '/live')).toBe('saas/live');
    }
  });
});

test('a host with more paths than an HTTPRoute holds rules: its routes are split, and every path still reaches its app', () => {
  const { app } = build(2, 'gateway-api', 40);
  const docs = synthChecked(app).charts.flatMap((c) => c.docs);
  const routes = docs.filter((d) => d.kind === 'HTTPRoute' && d.spec.hostnames?.[0] === hostOf(0) && !d.spec.rules[0].filters?.some((f: any) => f.type === 'RequestRedirect'));
  expect(routes.length).toBe(3); // 41 rules: 16 + 16 + 9
  for (const p of ['/', '/v1', '/v17', '/v39', '/live']) expect(routeOf(docs, hostOf(0), p)).toBe(p === '/live' ? 'saas/live' : 'saas/web');
});

test('on another Gateway API implementation a Gateway of the stack\'s own does not grow: refused at 64 hosts, with the way out', () => {
  const app = Testing.app();
  const issuer = new SelfSignedIssuer(new Chart(app, 'cluster'), 'Self');
  const hosts = Array.from({ length: 64 }, (_, i) => hostOf(i));
  let error: unknown;
  try {
    new TlsStackChart(app, 'saas', {
      namespace: 'saas', issuer, sites: [{ name: 'tenants', hosts: ['*.example.com'] }], apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }],
      routes: hosts.map((host) => ({ host, app: 'web' })), edge: { gatewayImplementation: 'other' as never },
    });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TlsStackError);
  expect((error as TlsStackError).message).toMatch(/at most 64 listeners .* needs 65 .* PlatformGateway/);
});

/**
 * Realistic stacks at any size: 1 to 500 hosts over one to three stacks, paths with dots, versions and `.well-known`,
 * WebSocket routes, every edge kind, Gateway API stacks on their own Gateway or a shared one. Every document must pass its
 * upstream schema, CEL rules and the controllers' own rules (lib/policy/controller-rules.ts), and every route must reach
 * its app; a spec the library refuses must be refused with a TlsStackError.
 */
test('property: stacks of 1 to 500 hosts, mixed paths and edges, shared Gateways', () => {
  const size = fc.oneof(fc.constantFrom(1, 16, 17, 63, 64, 65, 500), fc.integer({ min: 1, max: 120 }));
  const paths = fc.uniqueArray(fc.constantFrom('/', '/api', '/v1.2', '/v2/users', '/.well-known/security.txt', '/assets/app.js', '/docs/v1.0/'), { minLength: 1, maxLength: 3 });
  const stackArb = fc.record({ hosts: size, paths, edge: fc.constantFrom(...VARIANTS), websocketEvery: fc.constantFrom(0, 7) });
  let built = 0;
  fc.assert(fc.property(fc.array(stackArb, { minLength: 1, maxLength: 3 }), (stacks) => {
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster', { disableResourceNameHashes: true });
    const issuer = new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf', key: 'token' } })] });
    const platform = new PlatformGateway(new NamespacedChart(app, 'platform', { namespace: 'edge' }), 'Gateway');
    const expected: Array<[string, string, string]> = [];
    try {
      stacks.forEach((s, k) => {
        const hosts = Array.from({ length: s.hosts }, (_, i) => `h${i}.s${k}.example.com`);
        const routes = hosts.flatMap((host, i) => [
          ...s.paths.map((path) => ({ host, path, app: 'web' })),
          ...(s.websocketEvery && i % s.websocketEvery === 0 ? [{ host, path: '/socket', app: 'live', websocket: true }] : []),
        ]);
        new TlsStackChart(app, `s${k}`, {
          namespace: `s${k}`, issuer, sites: [{ name: 'hosts', hosts: [`*.s${k}.example.com`] }],
          apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080, networkPolicy: true }, { name: 'live', image: 'ghcr.io/example/live:1.0.0', port: 8081, protocol: AppProtocol.WEBSOCKET, networkPolicy: true }],
          routes,
          edge: { kind: s.edge.startsWith('gateway-api') ? EdgeKind.GATEWAY_API : s.edge as EdgeKind, sharedGateway: s.edge === 'gateway-api shared' ? platform : undefined },
        });
        for (const r of [routes[0], routes[routes.length - 1]]) expected.push([r.host, r.path, `s${k}/${r.app}`]);
      });
    } catch (e) {
      if (!(e instanceof TlsStackError)) throw e;
      return;
    }
    const docs = synthChecked(app).charts.flatMap((c) => c.docs);
    for (const d of docs) expect([d.kind, d.metadata?.name, validateDocument(d)]).toEqual([d.kind, d.metadata?.name, { schema: [], cel: [], celUnknown: [] }]);
    expect(checkManifests(docs.map((doc) => ({ file: 'all/a.yaml', doc }))).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    // No NetworkPolicy rule admits every source (an empty or missing from).
    for (const np of docs.filter((d) => d.kind === 'NetworkPolicy')) for (const rule of np.spec.ingress ?? []) expect(rule.from?.length ?? 0).toBeGreaterThan(0);
    for (const [host, path, target] of expected) expect([host, path, routeOf(docs, host, path)]).toEqual([host, path, target]);
    built++;
  }), { numRuns: Number(process.env.FC_RUNS ?? 12), seed: Number(process.env.FC_SEED ?? 42) });
  expect(built).toBeGreaterThan(0);
});
