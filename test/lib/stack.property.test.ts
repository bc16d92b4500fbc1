import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import fc from 'fast-check';
import { TlsStackChart, TlsStackSpec } from '../../lib';
import {
  AcmeServer, AcmeSolver, AppProtocol, EdgeKind, ICertificateIssuer, InternalCa, LetsEncryptIssuer, NamespacedChart, PlatformGateway, SelfSignedIssuer, TlsProfile, TlsStackError,
  TlsVersion, synthChecked,
} from '../../lib';
import { Severity, checkManifests } from '../../lib/policy/check';
import { schemaErrors } from '../../lib/policy/schema';
import { routeOf } from '../routing';

/** Bounded and reproducible in the normal suite (seed 42); `FC_RUNS=5000 FC_SEED=$RANDOM npx jest stack.property` for a long run. */
const RUNS = Number(process.env.FC_RUNS ?? 150);

/** Mostly valid values, sometimes a bad one: both outcomes must be explored. */
const mostly = <T>(good: T[], bad: T[]) => fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const label = mostly(['app', 'api', 'www', 'ws', 'a1', 'x-y', ''], ['Bad_Label', '-lead', 'UPPER']);
const zone = fc.constantFrom('example.com', 'example.org', 'shop.example.com');
const host = fc.oneof({ weight: 12, arbitrary: fc.tuple(label, zone).map(([l, z]) => (l ? `${l}.${z}` : z)) }, { weight: 1, arbitrary: zone.map((z) => `*.${z}`) });
const name = mostly(['web', 'api', 'chat', 'svc-a', 'front'], ['Bad Name', 'x'.repeat(70)]);
const port = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 70000, 1.5) });
const profile = fc.oneof(
  fc.constant(TlsProfile.INTERMEDIATE), fc.constant(TlsProfile.MODERN),
  fc.constantFrom(...Object.values(TlsVersion)).map((v) => TlsProfile.custom({ name: 'custom', minVersion: v })),
);
const hsts = fc.record({ maxAgeDays: fc.constantFrom(1, 180, 365, 730), includeSubDomains: fc.boolean(), preload: fc.boolean() });

const specArb = fc.record({
  namespace: mostly(['shop', 'web', 'ns1'], ['Bad-NS']),
  acme: fc.boolean(),
  sites: fc.uniqueArray(fc.record({ name, hosts: fc.uniqueArray(host, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 3, selector: (x) => x.name }),
  apps: fc.uniqueArray(fc.record({
    name, port, websocket: fc.boolean(),
    tls: fc.constantFrom('none', 'site', 'internal'),
    callsFirst: fc.boolean(), mutualTls: fc.boolean(),
  }), { minLength: 1, maxLength: 3, selector: (x) => x.name }),
  routes: fc.array(fc.record({
    hostIndex: fc.nat(8), path: mostly(['/', '/ws', '/api'], ['no-slash']), appIndex: fc.nat(3),
    websocket: fc.boolean(), clientAuth: mostly([false], [true]), passthrough: mostly([false], [true]),
  }), { maxLength: 4 }),
  edge: fc.constantFrom(...Object.values(EdgeKind)),
  profile,
  hsts,
});

function build(r: any): Chart {
  const app = Testing.app();
  const cluster = new Chart(app, 'cluster');
  const issuer: ICertificateIssuer = r.acme
    ? new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] })
    : new SelfSignedIssuer(cluster, 'Self');
  const internalCa = new InternalCa(cluster, 'Ca');
  const hosts: string[] = r.sites.flatMap((s: any) => s.hosts);
  const appNames: string[] = r.apps.map((a: any) => a.name);
  const spec: TlsStackSpec = {
    namespace: r.namespace,
    issuer,
    internalCa,
    sites: r.sites,
    apps: r.apps.map((a: any, i: number) => ({
      name: a.name, image: 'ghcr.io/example/app:1', port: a.port,
      protocol: a.websocket ? AppProtocol.WEBSOCKET : AppProtocol.HTTP,
      tls: a.tls === 'site' ? { site: r.sites[0].name } : a.tls === 'internal' ? { internal: true } : undefined,
      calls: a.callsFirst && i > 0 ? [{ app: appNames[0], mutualTls: a.mutualTls }] : undefined,
    })),
    routes: r.routes.map((x: any) => ({
      host: hosts[x.hostIndex % hosts.length], path: x.path, app: appNames[x.appIndex % appNames.length] ?? 'missing',
      websocket: x.websocket, clientAuth: x.clientAuth, passthrough: x.passthrough,
    })),
    edge: { kind: r.edge, tlsProfile: r.profile, headers: { hsts: { maxAge: Duration.days(r.hsts.maxAgeDays), includeSubDomains: r.hsts.includeSubDomains, preload: r.hsts.preload } } },
  };
  return new TlsStackChart(app, 'stack', spec);
}

test('random stack specs give schema-valid, policy-clean YAML or a TlsStackError — never another exception', () => {
  let valid = 0;
  let rejected = 0;
  const reasons = new Map<string, number>();
  fc.assert(fc.property(specArb, (r) => {
    let chart: Chart;
    try {
      chart = build(r);
    } catch (e) {
      if (!(e instanceof TlsStackError)) throw e;
      expect(e.message).toContain(e.field);
      if (process.env.FC_VERBOSE) reasons.set(e.fix.slice(0, 60), (reasons.get(e.fix.slice(0, 60)) ?? 0) + 1);
      rejected++;
      return;
    }
    const docs = Testing.synth(chart);
    for (const d of docs) expect([d.kind, d.metadata?.name, schemaErrors(d)]).toEqual([d.kind, d.metadata?.name, []]);
    const errors = checkManifests(docs.map((doc) => ({ file: 'stack/all.yaml', doc }))).filter((f) => f.severity === Severity.ERROR);
    expect(errors).toEqual([]);
    valid++;
  }), { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? 42) });
  // Both outcomes must actually occur, or the generator is not exploring.
  if (process.env.FC_VERBOSE) console.log({ valid, rejected, reasons: [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12) });
  expect(valid).toBeGreaterThan(0);
  expect(rejected).toBeGreaterThan(0);
});

/**
 * Several stacks in one App, sharing namespaces, hosts, app names and stack names from small pools, so collisions are
 * frequent: edge kinds vary per stack, wildcards come with exact hosts under them, Gateway API stacks attach to a
 * shared Gateway or bring their own.
 */
const multiArb = fc.record({
  stacks: fc.array(fc.record({
    edge: fc.constantFrom(...Object.values(EdgeKind)),
    sharedGateway: fc.boolean(),
    name: fc.constantFrom(undefined, undefined, 'edge'),
    namespace: fc.constantFrom('shop', 'blog', 'shop'),
    createNamespace: fc.boolean(),
    hosts: fc.uniqueArray(fc.constantFrom('a.example.com', 'b.example.com', '*.example.com', '*.pages.example.com', 'docs.pages.example.com', 'api.pages.example.com'), { minLength: 1, maxLength: 3 }),
    paths: fc.constantFrom(['/'], ['/', '/api']),
    apps: fc.uniqueArray(fc.constantFrom('web', 'api', 'ws'), { minLength: 1, maxLength: 2 }),
    bodyLimit: fc.boolean(),
  }), { minLength: 2, maxLength: 3 }),
});

/** A host that the route's host matches and no exact host of the pools is: the route itself for an exact host. */
const probe = (host: string) => host.replace(/^\*/, 'zz-probe');

test('random multi-stack apps give unique, schema-valid objects where every host reaches its own app, or a TlsStackError — never duplicates, never a wildcard shadowing an exact host', () => {
  let valid = 0;
  let rejected = 0;
  let overlaps = 0;
  const kinds = new Set<string>();
  fc.assert(fc.property(multiArb, (r) => {
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster');
    const issuer = new LetsEncryptIssuer(cluster, 'Le', {
      server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf', key: 'token' } })],
    });
    const platform = new PlatformGateway(new NamespacedChart(app, 'platform', { namespace: 'edge' }), 'Gateway');
    const expected: Array<[string, string, string]> = [];
    try {
      r.stacks.forEach((s: any, i: number) => {
        const routes = s.hosts.flatMap((host: string, j: number) => s.paths.map((path: string) => ({
          host, path, app: s.apps[j % s.apps.length], maxRequestBodySize: s.bodyLimit ? Size.mebibytes(10) : undefined,
        })));
        new TlsStackChart(app, `stack${i}`, {
          name: s.name, namespace: s.namespace, createNamespace: s.createNamespace, issuer,
          sites: [{ name: `site${i}`, hosts: s.hosts }],
          apps: s.apps.map((name: string) => ({ name, image: 'ghcr.io/example/app:1.0.0', port: 8080 })),
          routes,
          edge: { kind: s.edge, sharedGateway: s.edge === EdgeKind.GATEWAY_API && s.sharedGateway ? platform : undefined },
        });
        for (const x of routes) expected.push([probe(x.host), x.path, `${s.namespace}/${x.app}`]);
      });
      const checked = synthChecked(app);
      const docs = checked.charts.flatMap((c) => c.docs);
      const ids = docs.map((d) => `${d.apiVersion.split('/')[0]} ${d.kind} ${d.metadata?.namespace ?? ''}/${d.metadata?.name}`);
      expect(ids.filter((x, k) => ids.indexOf(x) !== k)).toEqual([]);
      for (const d of docs) expect([d.kind, d.metadata?.name, schemaErrors(d)]).toEqual([d.kind, d.metadata?.name, []]);
      for (const [host, path, target] of expected) expect([host, path, routeOf(docs, host, path)]).toEqual([host, path, target]);
      const hosts: string[] = r.stacks.flatMap((s: any) => s.hosts);
      if (hosts.some((h) => !h.startsWith('*') && hosts.includes(`*.${h.slice(h.indexOf('.') + 1)}`))) overlaps++;
      r.stacks.forEach((s: any) => kinds.add(`${s.edge}${s.edge === EdgeKind.GATEWAY_API && s.sharedGateway ? ' shared' : ''}`));
      valid++;
    } catch (e) {
      if (!(e instanceof TlsStackError)) throw e;
      rejected++;
    }
  }), { numRuns: Math.ceil(RUNS / 2), seed: Number(process.env.FC_SEED ?? 42) });
  expect(valid).toBeGreaterThan(0);
  expect(rejected).toBeGreaterThan(0);
  if (process.env.FC_VERBOSE) console.log({ valid, rejected, overlaps });
  // Valid apps with an exact host under another host's wildcard, on every kind of edge.
  expect(overlaps).toBeGreaterThan(0);
  expect([...kinds].sort()).toEqual(['gateway-api', 'gateway-api shared', 'ingress-nginx', 'traefik']);
});

describe.each(Object.values(EdgeKind))('an exact host under a wildcard routes to its own app (%s)', (kind) => {
  const build = (app: App, shared: boolean) => {
    const issuer = new SelfSignedIssuer(new Chart(app, 'cluster'), 'Self');
    const image = 'ghcr.io/example/app:1.0.0';
    const pages = { name: 'pages', hosts: ['*.pages.example.com'] };
    const docs = { name: 'docs', hosts: ['docs.pages.example.com'] };
    const wildcardRoutes = [{ host: '*.pages.example.com', app: 'pages' }, { host: '*.pages.example.com', path: '/api', app: 'pages' }];
    if (shared) {
      new TlsStackChart(app, 'pages', { namespace: 'pages', issuer, sites: [pages], apps: [{ name: 'pages', image, port: 8080 }], routes: wildcardRoutes, edge: { kind } });
      new TlsStackChart(app, 'docs', { namespace: 'docs', issuer, sites: [docs], apps: [{ name: 'docs', image, port: 8080 }], routes: [{ host: 'docs.pages.example.com', app: 'docs' }], edge: { kind } });
    } else {
      new TlsStackChart(app, 'pages', {
        namespace: 'pages', issuer, sites: [pages, docs], apps: [{ name: 'pages', image, port: 8080 }, { name: 'docs', image, port: 8080 }],
        routes: [...wildcardRoutes, { host: 'docs.pages.example.com', app: 'docs' }], edge: { kind },
      });
    }
    return synthChecked(app).charts.flatMap((c) => c.docs);
  };
  test.each([['in one stack', false], ['across two stacks', true]])('%s', (_, twoStacks) => {
    const docs = build(Testing.app(), twoStacks as boolean);
    const docsApp = twoStacks ? 'docs/docs' : 'pages/docs';
    expect(routeOf(docs, 'docs.pages.example.com', '/')).toBe(docsApp);
    // The exact host wins whatever the path: a longer wildcard path does not take it over.
    expect(routeOf(docs, 'docs.pages.example.com', '/api')).toBe(docsApp);
    expect(routeOf(docs, 'blog.pages.example.com', '/')).toBe('pages/pages');
    expect(routeOf(docs, 'blog.pages.example.com', '/api/x')).toBe('pages/pages');
    expect(routeOf(docs, 'a.b.pages.example.com', '/')).toBe(kind === EdgeKind.TRAEFIK ? undefined : 'pages/pages');
    if (kind === EdgeKind.TRAEFIK) {
      // Explicit priorities: without them the wildcard's HostRegexp, the longer rule, would win.
      const routes = docs.filter((d) => d.kind === 'IngressRoute' && d.spec.entryPoints.includes('websecure')).flatMap((d) => d.spec.routes);
      expect(routes.map((r) => [r.match.startsWith('Host(') ? 'exact' : 'wildcard', r.priority]).sort()).toEqual([['exact', 'Host(`docs.pages.example.com`)'.length], ['wildcard', 1], ['wildcard', 2]]);
      expect(routeOf(docs.map((d) => (d.kind === 'IngressRoute' ? { ...d, spec: { ...d.spec, routes: d.spec.routes.map(({ priority: _, ...r }: any) => r) } } : d)), 'docs.pages.example.com', '/')).toBe('pages/pages');
    }
  });
});
