import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { AppProtocol, EdgeKind, SelfSignedIssuer, TlsStackChart, TlsStackSpec, synthChecked } from '../../lib';
import { adopt } from '../../lib/adopt';

// Adopting the library's own output gives back an equivalent spec: a generated TlsStackChart spec, synthesized on every
// edge, read back by adopt, gives the same hosts → (app, path, WebSocket), the same Secret of each host, and the same
// app images and ports; and the adopted spec synthesizes through the gate again.

/** Bounded and reproducible in the normal suite (seed 7); `FC_RUNS=500 FC_SEED=$RANDOM npx jest roundtrip` for a long run. */
const RUNS = Number(process.env.FC_RUNS ?? 100);
const SEED = Number(process.env.FC_SEED ?? 7);

const HOSTS = ['example.com', 'www.example.com', 'api.example.com', 'ws.example.org', 'shop.example.org', '*.pages.example.com', 'a.pages.example.com'];
const specArb = fc.record({
  namespace: fc.constantFrom('shop', 'web', 'ns1'),
  // Each host on one site at most: a partition of a subset of the hosts.
  sites: fc.uniqueArray(fc.constantFrom(...HOSTS), { minLength: 1, maxLength: 5 }).chain((hosts) => fc.array(fc.nat(2), { minLength: hosts.length, maxLength: hosts.length })
    .map((bins) => [0, 1, 2].map((b, i) => ({ name: ['front', 'api-site', 'pages'][i], hosts: hosts.filter((_h, j) => bins[j] === b) })).filter((s) => s.hosts.length))),
  apps: fc.uniqueArray(fc.record({ name: fc.constantFrom('web', 'api', 'chat', 'svc-a'), port: fc.integer({ min: 1024, max: 65535 }), websocket: fc.boolean(), minor: fc.nat(20) }),
    { minLength: 1, maxLength: 3, selector: (a) => a.name }),
  routes: fc.array(fc.record({ hostIndex: fc.nat(20), path: fc.constantFrom('/', '/ws', '/api', '/v1/items'), appIndex: fc.nat(2), websocket: fc.boolean() }), { minLength: 1, maxLength: 6 }),
});

type Generated = {
  namespace: string; sites: Array<{ name: string; hosts: string[] }>; apps: Array<{ name: string; port: number; websocket: boolean; minor: number }>;
  routes: Array<{ hostIndex: number; path: string; appIndex: number; websocket: boolean }>;
};

/** The spec: routes on the sites' hosts to the apps, unique by host and path; WebSocket routes only to WebSocket apps. */
function toSpec(g: Generated): Omit<TlsStackSpec, 'issuer'> {
  const hosts = g.sites.flatMap((s) => s.hosts);
  const seen = new Set<string>();
  const routes = g.routes.map((r) => {
    const app = g.apps[r.appIndex % g.apps.length];
    return { host: hosts[r.hostIndex % hosts.length], path: r.path, app: app.name, websocket: r.websocket && app.websocket };
  }).filter((r) => !seen.has(`${r.host}${r.path}`) && !!seen.add(`${r.host}${r.path}`));
  return {
    namespace: g.namespace,
    sites: g.sites,
    apps: g.apps.map((a) => ({ name: a.name, image: `ghcr.io/example/${a.name}:1.${a.minor}.0`, port: a.port, protocol: a.websocket ? AppProtocol.WEBSOCKET : AppProtocol.HTTP })),
    routes,
  };
}

const key = (r: { host: string; path?: string; app: string; websocket?: boolean }) => `${r.host}${r.path ?? '/'} → ${r.app}${r.websocket ? ' (WebSocket)' : ''}`;
const secretOf = (sites: Array<{ name: string; hosts: string[]; secretName?: string }>, host: string) => {
  const site = sites.find((s) => s.hosts.includes(host)) ?? sites.find((s) => s.hosts.includes(`*.${host.slice(host.indexOf('.') + 1)}`));
  return site && (site.secretName ?? `${site.name}-tls`);
};

describe.each(Object.values(EdgeKind))('round trip through %s', (kind) => {
  test('synthesize → adopt gives the same hosts, routes, Secrets and apps, and the adopted spec synthesizes', () => {
    fc.assert(fc.property(specArb, (g) => {
      const spec = toSpec(g);
      const app = Testing.app();
      const issuer = new SelfSignedIssuer(new Chart(app, 'issuers'), 'Dev');
      new TlsStackChart(app, 'stack', { ...spec, issuer, edge: { kind } });
      const docs = synthChecked(app).charts.flatMap((c) => c.docs.map((doc) => ({ file: `dist/${c.chart.node.id}.yaml`, doc })));
      const result = adopt(docs);
      expect(result.conflicts).toEqual([]);
      expect(result.synthErrors).toEqual([]);
      const [stack] = result.model.stacks;
      expect(result.model.stacks.map((s) => [s.namespace, s.edge.kind])).toEqual([[spec.namespace, kind]]);
      // Traefik marks no WebSocket route (Go's net/http keeps an upgraded connection open by itself): a route to a
      // WebSocket app is read back as a WebSocket route. The other edges mark each.
      const wsApps = new Set(spec.apps.filter((a) => a.protocol === AppProtocol.WEBSOCKET).map((a) => a.name));
      const expected = spec.routes!.map((r) => ({ ...r, websocket: kind === EdgeKind.TRAEFIK ? wsApps.has(r.app) : r.websocket }));
      expect(stack.routes.map(key).sort()).toEqual(expected.map(key).sort());
      for (const r of spec.routes!) expect([r.host, secretOf(stack.sites, r.host)]).toEqual([r.host, secretOf(spec.sites, r.host)]);
      expect(stack.sites.map((s) => s.secretName ?? `${s.name}-tls`).sort()).toEqual(spec.sites.map((s) => `${s.name}-tls`).sort());
      const routed = new Set(spec.routes!.map((r) => r.app));
      expect(stack.apps.map((a) => [a.name, a.image, a.port]).sort()).toEqual(spec.apps.filter((a) => routed.has(a.name)).map((a) => [a.name, a.image, a.port]).sort());
    }), { numRuns: RUNS, seed: SEED });
  });
});
