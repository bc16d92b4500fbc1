import { EdgeKind } from '../edge/factory';
import { AcmeServer } from '../issuers';
import { groupBy, isDnsLabel, isDnsName, isIpAddress, isObjectName, nameCovers } from '../policy/validation';
import { CertificateFact, Facts, Input, RouteFact, TlsFact, record } from './facts';
import { AppModel, Conflict, ControllerSettingsModel, EDGE_NAME, IssuerModel, NoteKind, Origin, RouteModel, SiteModel, SolverModel, StackModel, describe } from './model';
import { issuerKey } from './read-certmanager';
import { controllerConfigMap } from './read-ingress';
import { ResolvedApp, resolveApp } from './read-workloads';
import { adoptHeaders, adoptProfile } from './security';

// From facts to stacks: claims that collide are conflicts (the first in file order is kept), then one stack per
// namespace with its sites (the input's certificate Secrets, by name), apps (the Services the routes name), routes and
// edge settings, and the issuers they use.

/** Options of {@link buildModel}. */
export interface BuildOptions {
  /** Build this edge instead of the input's. */
  readonly edge?: EdgeKind;
}

/** What build.ts makes of the facts. */
export interface Built {
  readonly stacks: StackModel[];
  readonly issuers: IssuerModel[];
  readonly nginxController?: ControllerSettingsModel;
}

const DAY = 86_400;
const LETS_ENCRYPT_LIFETIME = { classic: 90 * DAY, tlsserver: 45 * DAY, shortlived: 160 * 3600 } as Record<string, number>;

export function buildModel(input: Input, facts: Facts, options: BuildOptions, conflicts: Conflict[]): Built {
  const valid = (ns: string, origin: Origin) => {
    if (isDnsLabel(ns)) return true;
    facts.note(NoteKind.CANNOT, origin, `namespace ${ns}`, 'not a namespace name Kubernetes takes (an RFC 1123 label): not adopted');
    return false;
  };
  const claimed = keepFirst(facts.routes.filter((r) => valid(r.namespace, r.origin)), (r) => `${r.host}${r.path}`, (k) => `host and path ${k}`, (r) => `routes it to Service ${r.namespace}/${r.service}`, conflicts,
    (r) => (r.plainHttp ? 1 : 0));
  const routes = oneNamespacePerHost(claimed, conflicts);
  const certificates = keepFirst(facts.certificates.filter((c) => valid(c.namespace, c.origin)), (c) => `${c.namespace}/${c.secretName}`, (k) => `Secret ${k}`, (c) => `${c.source === 'Certificate' ? 'Certificate' : `${c.source} of ${describe(c.origin)}`} writes it for ${c.dnsNames.join(', ')}`, conflicts);
  const { tls, certs } = oneSecretPerHost(facts.tls, certificates, facts, conflicts);
  const issuers = [...facts.issuers];
  const namespaces = [...new Set([...routes.map((r) => r.namespace), ...certs.filter((c) => c.source === 'Certificate').map((c) => c.namespace)])].sort();
  const stacks = namespaces.map((ns) => buildStack(ns, {
    input, facts, options, issuers,
    routes: routes.filter((r) => r.namespace === ns),
    tls: tls.filter((t) => t.namespace === ns),
    certificates: certs.filter((c) => c.namespace === ns),
  }));
  reconcileSolvers(stacks, issuers, facts);
  unifyNginxControllerSettings(stacks, facts);
  const controller = [controllerConfigMap(input)].find((c) => c && isObjectName(c.origin.name) && isDnsLabel(c.origin.namespace ?? 'default'));
  const nginx = stacks.filter((s) => s.edge.kind === EdgeKind.INGRESS_NGINX && s.routes.length);
  if (nginx.length && !controller) {
    facts.note(NoteKind.CANNOT, undefined, 'ingress-nginx controller settings', 'HSTS, TLS protocols and ciphers, the headers custom-headers may set and snippets off are settings of the ingress-nginx controller, whose ConfigMap is not in the input',
      'merge new NginxControllerSettings(chart, \'Settings\', { edges: [chart.edge as NginxIngressEdge] }).data into the controller\'s ConfigMap (or its Helm controller.config)');
  }
  return {
    stacks, issuers,
    ...(controller && nginx.length ? { nginxController: { name: controller.origin.name, namespace: controller.origin.namespace ?? 'ingress-nginx', origin: controller.origin } } : {}),
  };
}

/**
 * One item per key: items of several documents under one key are a conflict, and the first document's (in file order)
 * is kept. Within one document the first item is kept (`rank` first: a lower rank wins).
 */
function keepFirst<T extends { origin: Origin }>(items: T[], key: (t: T) => string, subject: (k: string) => string, detail: (t: T) => string, conflicts: Conflict[], rank: (t: T) => number = () => 0): T[] {
  const kept: T[] = [];
  for (const [k, group] of groupBy(items, key)) {
    const sorted = [...group].sort((a, b) => a.origin.index - b.origin.index || rank(a) - rank(b));
    const firsts = [...groupBy(sorted, (t) => t.origin.index).values()].map((g) => g[0]);
    if (firsts.length > 1) conflicts.push({ subject: subject(k), claims: firsts.map((t) => ({ origin: t.origin, detail: detail(t) })) });
    kept.push(sorted[0]);
  }
  return kept;
}

/**
 * One namespace per host: an App has one edge per public host (the library refuses a second), so routes of a host from
 * several namespaces are a conflict, and the namespace of its first route in file order keeps it.
 */
function oneNamespacePerHost(routes: RouteFact[], conflicts: Conflict[]): RouteFact[] {
  const keep = new Map<string, string>();
  for (const [host, group] of groupBy(routes, (r) => r.host)) {
    const sorted = [...group].sort((a, b) => a.origin.index - b.origin.index);
    const byNamespace = [...groupBy(sorted, (r) => r.namespace).values()].map((g) => g[0]);
    keep.set(host, sorted[0].namespace);
    if (byNamespace.length > 1) conflicts.push({ subject: `host ${host} in namespaces ${byNamespace.map((r) => r.namespace).join(' and ')}`, claims: byNamespace.map((r) => ({ origin: r.origin, detail: `routes ${r.path} to Service ${r.namespace}/${r.service}` })) });
  }
  return routes.filter((r) => keep.get(r.host) === r.namespace);
}

/**
 * ingress-nginx sends HSTS and negotiates TLS controller-wide: every stack on it gets the HSTS and profile of the first
 * (NginxControllerSettings refuses edges that disagree).
 */
function unifyNginxControllerSettings(stacks: StackModel[], facts: Facts): void {
  const nginx = stacks.filter((s) => s.edge.kind === EdgeKind.INGRESS_NGINX && s.routes.length);
  const [first, ...rest] = nginx;
  for (const s of rest) {
    const i = stacks.indexOf(s);
    if (JSON.stringify(s.edge.headers.hsts) !== JSON.stringify(first.edge.headers.hsts) || !!s.edge.modern !== !!first.edge.modern) {
      facts.note(NoteKind.CHANGED, undefined, 'HSTS and TLS profile', `controller-wide in ingress-nginx: the stack takes those of namespace ${first.namespace}`, undefined, { namespace: s.namespace });
    }
    const { hsts: _hsts, ...headers } = s.edge.headers;
    stacks[i] = { ...s, edge: { ...s.edge, headers: { ...headers, ...(first.edge.headers.hsts ? { hsts: first.edge.headers.hsts } : {}) }, ...(first.edge.modern ? { modern: true } : {}) } };
    if (!first.edge.modern) delete (stacks[i].edge as { modern?: boolean }).modern;
  }
}

/**
 * One certificate per host and namespace: a host that edges serve with one Secret and a Certificate writes into another
 * (or two Certificates list) is a conflict; the first claim in file order keeps it, the other Secret loses the host.
 */
function oneSecretPerHost(tlsFacts: TlsFact[], certificates: CertificateFact[], facts: Facts, conflicts: Conflict[]): { tls: TlsFact[]; certs: CertificateFact[] } {
  const claims = [
    ...tlsFacts.flatMap((t) => t.hosts.map((host) => ({ ns: t.namespace, host, secret: t.secretName, origin: t.origin, via: 'serves it with' }))),
    ...certificates.flatMap((c) => c.dnsNames.map((host) => ({ ns: c.namespace, host, secret: c.secretName, origin: c.origin, via: 'writes it into' }))),
  ];
  const losers = new Set<string>();
  for (const [key, group] of groupBy(claims, (c) => `${c.ns}/${c.host}`)) {
    const sorted = [...group].sort((a, b) => a.origin.index - b.origin.index);
    const bySecret = [...groupBy(sorted, (c) => c.secret).values()].map((g) => g[0]);
    if (bySecret.length < 2) continue;
    conflicts.push({ subject: `certificate of host ${key.slice(key.indexOf('/') + 1)} (namespace ${sorted[0].ns})`, claims: bySecret.map((c) => ({ origin: c.origin, detail: `${c.via} Secret ${c.secret}` })) });
    for (const c of bySecret.slice(1)) losers.add(`${c.ns}/${c.secret}/${c.host}`);
  }
  const keeps = (ns: string, secret: string, host: string) => !losers.has(`${ns}/${secret}/${host}`);
  const certs = certificates.map((c) => {
    const dnsNames = c.dnsNames.filter((h) => keeps(c.namespace, c.secretName, h));
    if (dnsNames.length < c.dnsNames.length && dnsNames.length) {
      facts.note(NoteKind.CHANGED, c.origin, `Secret ${c.secretName}`, `its certificate loses ${c.dnsNames.filter((h) => !dnsNames.includes(h)).join(', ')} (another Secret keeps them): cert-manager issues it again`, undefined, { namespace: c.namespace });
    }
    return { ...c, dnsNames };
  }).filter((c) => c.dnsNames.length);
  const tls = tlsFacts.map((t) => ({ ...t, hosts: t.hosts.filter((h) => keeps(t.namespace, t.secretName, h)) })).filter((t) => t.hosts.length);
  return { tls, certs };
}

interface StackInput {
  readonly input: Input;
  readonly facts: Facts;
  readonly options: BuildOptions;
  readonly issuers: IssuerModel[];
  readonly routes: RouteFact[];
  readonly tls: TlsFact[];
  readonly certificates: CertificateFact[];
}

function buildStack(ns: string, s: StackInput): StackModel {
  const { facts } = s;
  const at = { namespace: ns };
  const edge = chooseEdge(ns, s);
  const sites = buildSites(ns, s);
  const issuer = chooseIssuer(ns, s, sites);
  const { apps, routes } = buildAppsAndRoutes(ns, s, sites);
  sites.push(...uncoveredSites(ns, s, sites, routes));
  checkLifetimes(ns, s, sites, issuer);
  const hosts = [...new Set(routes.filter((r) => !r.passthrough).map((r) => r.host))];
  for (const host of hosts) {
    const redirected = s.facts.redirects.some((r) => r.namespace === ns && r.hosts.includes(host));
    facts.note(redirected ? NoteKind.SAME : NoteKind.ADDED, undefined, 'HTTP → HTTPS redirect', redirected ? 'to HTTPS, permanent (the edge answers 308, which keeps the method)' : 'to HTTPS, permanent (308): the input served or accepted plain HTTP', undefined, { namespace: ns, host });
  }
  const headers = adoptHeaders(ns, hosts, facts, facts.headers.filter((h) => h.namespace === ns && h.hosts.some((x) => hosts.includes(x))));
  const modern = adoptProfile(ns, hosts, facts, facts.profiles.filter((p) => p.namespace === ns && p.hosts.some((x) => hosts.includes(x))));
  const timeouts = [...new Set(s.routes.filter((r) => r.websocket && r.websocketTimeoutSeconds).map((r) => r.websocketTimeoutSeconds!))];
  const websocketTimeout = timeouts.length ? Math.max(...timeouts) : undefined;
  if (timeouts.length > 1) facts.note(NoteKind.CHANGED, undefined, 'WebSocket timeouts', `${timeouts.join(' s, ')} s in the input: one per stack, the longest (${websocketTimeout} s)`, undefined, at);
  const namespaceDoc = s.input.named('Namespace', undefined, ns);
  if (namespaceDoc) facts.used.add(namespaceDoc.origin.index);
  else {
    facts.note(NoteKind.CANNOT, undefined, `namespace ${ns}`, 'not in the input, so the stack does not create it (createNamespace: false), and the library labels only a namespace it creates for Pod Security Standards restricted',
      `kubectl label namespace ${ns} pod-security.kubernetes.io/enforce=restricted (the apps already meet it)`, at);
  }
  const withoutNamespace = new Set(s.input.docs.filter((d) => record(d.doc.metadata).namespace === undefined).map((d) => d.origin.index));
  if (ns === 'default' && s.routes.some((r) => withoutNamespace.has(r.origin.index))) {
    facts.note(NoteKind.CHANGED, undefined, 'namespace default', 'objects without metadata.namespace are adopted into "default" (kubectl applies them to the namespace of its context)', 'set the namespace in the spec', at);
  }
  const name = ns.length > 50 ? ns.slice(0, 50).replace(/-+$/, '') : edge.name;
  return {
    namespace: ns, ...(name && name !== ns ? { name } : {}),
    createNamespace: !!namespaceDoc,
    issuer: issuer.key,
    internalCa: routes.some((r) => r.clientAuth),
    sites, apps, routes,
    edge: {
      kind: edge.kind, inputKind: edge.inputKind,
      ...(edge.ingressClassName ? { ingressClassName: edge.ingressClassName } : {}),
      ...(edge.gatewayClassName ? { gatewayClassName: edge.gatewayClassName } : {}),
      ...(edge.otherImplementation ? { otherImplementation: true } : {}),
      ...(websocketTimeout !== undefined && websocketTimeout !== 3600 && websocketTimeout >= 60 ? { websocketTimeoutSeconds: websocketTimeout } : {}),
      ...(modern ? { modern } : {}),
      headers,
    },
  };
}

/** The edge of a namespace: the kind most of its routes use (or `--edge`), with the class and Gateway they name. */
function chooseEdge(ns: string, s: StackInput): { kind: EdgeKind; inputKind: EdgeKind; ingressClassName?: string; gatewayClassName?: string; otherImplementation?: boolean; name?: string } {
  const counts = [...groupBy(s.routes, (r) => r.edge.kind)].sort((a, b) => b[1].length - a[1].length);
  const inputKind = counts[0]?.[0] ?? s.options.edge ?? EdgeKind.GATEWAY_API;
  const kind = s.options.edge ?? inputKind;
  const at = { namespace: ns };
  for (const [other, routes] of counts.slice(1)) {
    s.facts.note(NoteKind.CHANGED, routes[0].origin, `${routes.length} route(s) on ${EDGE_NAME[other]}`, `one edge per stack: ${EDGE_NAME[kind]} serves them`, undefined, at);
  }
  if (kind !== inputKind) s.facts.note(NoteKind.CHANGED, undefined, 'edge', `${EDGE_NAME[inputKind]} → ${EDGE_NAME[kind]} (--edge)`, undefined, at);
  const same = s.routes.filter((r) => r.edge.kind === kind && inputKind === kind).map((r) => r.edge);
  const ingressClassName = same.find((e) => e.ingressClassName)?.ingressClassName;
  const gateways = [...new Set(same.filter((e) => e.gatewayName).map((e) => `${e.gatewayNamespace}/${e.gatewayName}`))];
  const gateway = same.find((e) => e.gatewayName);
  if (gateway?.gatewayNamespace && gateway.gatewayNamespace !== ns) {
    s.facts.note(NoteKind.CHANGED, undefined, `Gateway ${gateways.join(', ')}`, `the routes were attached to a Gateway of another namespace: the stack has a Gateway of its own in ${ns}`,
      'to keep one shared Gateway, give the stacks edge.sharedGateway (a PlatformGateway) instead', at);
  }
  const name = gateways.length === 1 && gateway?.gatewayNamespace === ns && gateway.gatewayName && isObjectName(gateway.gatewayName) && gateway.gatewayName.length <= 50 ? gateway.gatewayName : undefined;
  return {
    kind, inputKind,
    ...(kind === EdgeKind.INGRESS_NGINX && ingressClassName && ingressClassName !== 'nginx' ? { ingressClassName } : {}),
    ...(kind === EdgeKind.TRAEFIK && ingressClassName ? { ingressClassName } : {}),
    ...(kind === EdgeKind.GATEWAY_API && gateway?.gatewayClassName && gateway.gatewayClassName !== 'eg' ? { gatewayClassName: gateway.gatewayClassName } : {}),
    ...(kind === EdgeKind.GATEWAY_API && gateway?.otherImplementation ? { otherImplementation: true } : {}),
    ...(name ? { name } : {}),
  };
}

/** A site per certificate Secret of the namespace: the Certificate's name and names, or the hosts the edges serve with it. */
function buildSites(ns: string, s: StackInput): SiteModel[] {
  const secrets = [...new Set([...s.tls.map((t) => t.secretName), ...s.certificates.map((c) => c.secretName)])];
  const names = new Set<string>();
  const sites: SiteModel[] = [];
  for (const secret of secrets) {
    const producer = s.certificates.find((c) => c.secretName === secret);
    if (!isObjectName(secret)) {
      s.facts.note(NoteKind.CANNOT, producer?.origin ?? s.tls.find((t) => t.secretName === secret)?.origin, `Secret ${secret}`, 'not a Secret name Kubernetes takes: no site for it', undefined, { namespace: ns });
      continue;
    }
    const served = s.tls.filter((t) => t.secretName === secret);
    const origin = producer?.origin ?? served[0].origin;
    const hosts = (producer ? producer.dnsNames : [...new Set(served.flatMap((t) => t.hosts))]).filter((h) => {
      if (isDnsName(h) && !isIpAddress(h)) return true;
      s.facts.note(NoteKind.CANNOT, origin, `name ${h} of Secret ${secret}`, 'not a DNS name a site can hold (an IP address, upper case, a misplaced wildcard)', undefined, { namespace: ns });
      return false;
    });
    if (!hosts.length) continue;
    const name = uniqueName(producer?.name && isObjectName(producer.name) ? producer.name : secret, names);
    const secretDoc = s.input.named('Secret', ns, secret);
    if (secretDoc) {
      s.facts.used.add(secretDoc.origin.index);
      if (record(secretDoc.doc).data !== undefined || record(secretDoc.doc).stringData !== undefined) {
        s.facts.note(NoteKind.REFUSED, secretDoc.origin, `Secret ${secret}`, 'a TLS Secret with its key in the YAML: cert-manager writes this Secret now', 'remove it from the repository, and take the key as exposed', { namespace: ns });
      }
    }
    sites.push({
      name, ...(secret !== `${name}-tls` ? { secretName: secret } : {}), hosts,
      ...(producer?.keyAlgorithm && producer.keyAlgorithm !== 'ECDSA' ? { keyAlgorithm: producer.keyAlgorithm } : {}),
      ...(producer?.keySize !== undefined && !(producer.keyAlgorithm === 'RSA' && producer.keySize === 2048) && !(producer.keyAlgorithm === 'ECDSA' && producer.keySize === 256) ? { keySize: producer.keySize } : {}),
      ...(producer?.durationSeconds ? { duration: producer.durationSeconds } : {}),
      ...(producer?.renewBeforeSeconds ? { renewBefore: producer.renewBeforeSeconds } : {}),
      source: producer ? producer.source : 'secret',
      origin,
    });
  }
  return sites;
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** A name for a new site: one no site has, whose Secret (`<name>-tls`) no site writes. */
function newSiteName(base: string, sites: SiteModel[]): string {
  const taken = new Set(sites.flatMap((x) => [x.name, ...(x.secretName ? [x.secretName.replace(/-tls$/, '')] : [])]));
  let name = base;
  for (let i = 2; taken.has(name) || sites.some((x) => (x.secretName ?? `${x.name}-tls`) === `${name}-tls`); i++) name = `${base}-${i}`;
  return name;
}

/**
 * The issuer of the stack: the one most of its certificates come from. Certificates of another issuer, and Secrets no
 * Certificate wrote, are issued by it now (noted per host).
 */
function chooseIssuer(ns: string, s: StackInput, sites: SiteModel[]): IssuerModel {
  const at = { namespace: ns };
  const refs = sites.map((site) => s.certificates.find((c) => c.secretName === (site.secretName ?? `${site.name}-tls`))?.issuer);
  const keys = refs.map((r) => r && issuerKey(r.kind, r.name, ns));
  const counts = [...groupBy(keys.filter((k): k is string => !!k), (k) => k)].sort((a, b) => b[1].length - a[1].length);
  let key = counts[0]?.[0];
  if (!key) {
    const cluster = s.issuers.filter((i) => i.issuerKind === 'ClusterIssuer' && !i.missing);
    const chosen = cluster.find((i) => i.acme?.server === AcmeServer.PRODUCTION) ?? cluster.find((i) => i.type === 'acme' || i.type === 'letsencrypt') ?? cluster[0];
    key = chosen?.key ?? 'ClusterIssuer/letsencrypt-prod';
    if (!chosen) s.facts.note(NoteKind.CANNOT, undefined, 'issuer', 'no issuer in the input: the spec references ClusterIssuer letsencrypt-prod, which must exist', 'create it, or change the stack\'s issuer in the spec', at);
  }
  const issuer = issuerFor(key, s.issuers, !counts.length && !s.issuers.some((i) => i.issuerKind === 'ClusterIssuer' && !i.missing));
  sites.forEach((site, i) => {
    for (const host of site.hosts) {
      if (!keys[i]) s.facts.note(NoteKind.ADDED, undefined, 'certificate', `cert-manager writes Secret ${site.secretName ?? `${site.name}-tls`} now (Certificate ${site.name} from ${issuer.name}); no Certificate wrote it in the input, so the certificate in it is replaced`, undefined, { ...at, host });
      else if (keys[i] !== key) s.facts.note(NoteKind.CHANGED, site.origin, 'certificate', `issued by ${refs[i]!.name} in the input; one issuer per stack: ${issuer.name} issues it again into the same Secret`, undefined, { ...at, host });
      else s.facts.note(NoteKind.SAME, undefined, 'certificate', `Secret ${site.secretName ?? `${site.name}-tls`}, Certificate ${site.name}${site.source === 'Certificate' ? '' : ` (the name ${site.source} gave it)`}, issuer ${issuer.name}: cert-manager keeps the certificate in it`, undefined, { ...at, host });
    }
  });
  return issuer;
}

/** The issuer model of a key, added as an external reference when the input does not have it. */
function issuerFor(key: string, issuers: IssuerModel[], missing: boolean): IssuerModel {
  const known = issuers.find((i) => i.key === key);
  if (known) return known;
  const [kind, ...rest] = key.split('/');
  const name = rest[rest.length - 1];
  const model: IssuerModel = { key, name, issuerKind: kind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer', type: 'external', ...(missing ? { missing: true } : {}) };
  issuers.push(model);
  return model;
}

/** Durations a site keeps only when its issuer honours them (Let's Encrypt decides the lifetime itself). */
function checkLifetimes(ns: string, s: StackInput, sites: SiteModel[], issuer: IssuerModel): void {
  const lifetime = issuer.type === 'letsencrypt' ? LETS_ENCRYPT_LIFETIME[issuer.acme?.profile ?? 'classic'] : undefined;
  sites.forEach((site, i) => {
    let { duration, renewBefore } = site;
    if (lifetime !== undefined && duration !== undefined) {
      if (duration !== lifetime) s.facts.note(NoteKind.CHANGED, site.origin, `duration of ${site.name}`, `Let's Encrypt issues ${lifetime / DAY}-day certificates whatever is asked: the duration is dropped`, undefined, { namespace: ns });
      duration = undefined;
    }
    const effective = duration ?? lifetime ?? 90 * DAY;
    if (duration !== undefined && duration < 3600) duration = undefined;
    if (renewBefore !== undefined && renewBefore >= effective) {
      s.facts.note(NoteKind.CHANGED, site.origin, `renewBefore of ${site.name}`, 'not shorter than the certificate\'s lifetime: the library\'s default (a third of it) instead', undefined, { namespace: ns });
      renewBefore = undefined;
    }
    const { duration: _d, renewBefore: _r, ...rest } = site;
    sites[i] = { ...rest, ...(duration !== undefined ? { duration } : {}), ...(renewBefore !== undefined ? { renewBefore } : {}) };
  });
}

/** The apps the routes name (one per Service), and the routes the library can build to them. */
function buildAppsAndRoutes(ns: string, s: StackInput, sites: SiteModel[]): { apps: AppModel[]; routes: RouteModel[] } {
  const at = { namespace: ns };
  const resolved = new Map<string, ResolvedApp>();
  for (const [service, routes] of groupBy(s.routes, (r) => r.service)) {
    if (!isDnsLabel(service)) {
      s.facts.note(NoteKind.CANNOT, routes[0].origin, `Service ${service}`, 'not a name an app can have (an RFC 1123 label)', undefined, at);
      continue;
    }
    const ports = [...new Set(routes.map((r) => r.port))];
    if (ports.length > 1) s.facts.note(NoteKind.CANNOT, routes[0].origin, `Service ${service} ports ${ports.join(', ')}`, 'routes to several ports of one Service: an app has one port; the first is routed', 'split the app, or keep applying a route for the other port', at);
    resolved.set(service, resolveApp(s.input, s.facts, ns, service, ports[0], routes[0].origin));
  }
  const out: RouteModel[] = [];
  for (const r of s.routes) {
    const app = resolved.get(r.service);
    if (!app) continue;
    if (!isDnsName(r.host) || isIpAddress(r.host)) {
      s.facts.note(NoteKind.CANNOT, r.origin, `host ${r.host}`, 'not a DNS name a route can have', undefined, at);
      continue;
    }
    const websocket = r.websocket ?? app.serviceSaysWebsocket;
    if (r.websocket === undefined && websocket) {
      s.facts.note(NoteKind.SAME, undefined, `WebSocket ${r.path}`, `Traefik proxies upgrades on any route and marks none; Service ${r.service} says WebSocket (appProtocol), so the route is a WebSocket route`, undefined, { namespace: ns, host: r.host });
    }
    const body = r.maxRequestBodyBytes === undefined || websocket || r.passthrough ? undefined : Math.max(1, Math.ceil(r.maxRequestBodyBytes / 1024)) * 1024;
    out.push({
      host: r.host, path: r.passthrough ? '/' : r.path, app: r.service, websocket: websocket && !r.passthrough, passthrough: !!r.passthrough, clientAuth: !!r.clientAuth && !r.passthrough,
      ...(body !== undefined ? { maxRequestBodyBytes: body } : {}), origin: r.origin,
    });
  }
  const routes = agreePerHost(ns, s, out);
  const apps = [...resolved.values()].map(({ app, secretMounts }) => {
    const mine = routes.filter((r) => r.app === app.name);
    const websocket = app.websocket || mine.some((r) => r.websocket);
    const passthrough = mine.filter((r) => r.passthrough).map((r) => r.host);
    if (!passthrough.length) {
      for (const m of secretMounts.filter((x) => sites.some((site) => (site.secretName ?? `${site.name}-tls`) === x.secretName))) {
        s.facts.note(NoteKind.CANNOT, app.origin, `Secret ${m.secretName} at ${m.mountPath}`, 'the app mounted a site\'s certificate: an app behind the edge serves plain HTTP (the edge re-encrypts only to apps with internal certificates)',
          'give the app tls: { internal: true } and the stack an internalCa if it must serve TLS', { ...at, app: app.name });
      }
      return { ...app, websocket };
    }
    const site = secretMounts.map((m) => ({ m, site: sites.find((x) => (x.secretName ?? `${x.name}-tls`) === m.secretName) }))
      .find((x) => x.site && passthrough.every((h) => x.site!.hosts.some((n) => nameCovers(n, h))));
    if (site) return { ...app, websocket, tls: { site: site.site!.name, mountPath: site.m.mountPath } };
    const name = newSiteName(`${app.name}-passthrough`, sites);
    sites.push({ name, hosts: passthrough, source: 'new', origin: app.origin! });
    s.facts.note(NoteKind.CHANGED, app.origin, `app ${app.name}`, `it terminates TLS for ${passthrough.join(', ')} (passthrough): it now gets its certificate from cert-manager (Certificate ${name}) at /etc/tls`, 'point the app at /etc/tls/tls.crt and /etc/tls/tls.key', { ...at, app: app.name });
    return { ...app, websocket, tls: { site: name, mountPath: '/etc/tls' } };
  });
  // The edge re-encrypts only to apps with internal certificates: terminated routes to an app serving a site's certificate go.
  const tlsApps = new Set(apps.filter((a) => a.tls).map((a) => a.name));
  const kept = routes.filter((r) => {
    if (r.passthrough || !tlsApps.has(r.app)) return true;
    s.facts.note(NoteKind.CANNOT, r.origin, `route ${r.host}${r.path}`, `app ${r.app} terminates TLS itself (passthrough elsewhere): the edge cannot also terminate for it`, 'give this host its own app, or pass it through too', { ...at, host: r.host });
    return false;
  });
  return { apps, routes: kept };
}

/** Every route of a host agrees on passthrough and client certificates (decided in the TLS handshake, before any path). */
function agreePerHost(ns: string, s: StackInput, routes: RouteModel[]): RouteModel[] {
  const out: RouteModel[] = [];
  for (const [host, group] of groupBy(routes, (r) => r.host)) {
    const passthrough = group.find((r) => r.passthrough);
    if (passthrough) {
      for (const r of group.filter((x) => x !== passthrough)) s.facts.note(NoteKind.CANNOT, r.origin, `route ${host}${r.path}`, 'the host is passed through to its app: no other route of it can be served', undefined, { namespace: ns, host });
      out.push(passthrough);
      continue;
    }
    const clientAuth = group.some((r) => r.clientAuth);
    if (clientAuth && group.some((r) => !r.clientAuth)) s.facts.note(NoteKind.CHANGED, group[0].origin, `client certificates on ${host}`, 'required on some of its paths: the library requires them on every path of the host (the handshake comes before the path)', undefined, { namespace: ns, host });
    out.push(...group.map((r) => ({ ...r, clientAuth })));
  }
  return out;
}

/** A new site for each routed host no site covers (plain HTTP in the input, or its certificate lost to a conflict). */
function uncoveredSites(ns: string, s: StackInput, sites: SiteModel[], routes: RouteModel[]): SiteModel[] {
  const out: SiteModel[] = [];
  const covered = (host: string) => [...sites, ...out].some((site) => site.hosts.includes(host) || (!host.startsWith('*.') && site.hosts.includes(`*.${host.slice(host.indexOf('.') + 1)}`)));
  for (const r of routes.filter((x) => !x.passthrough)) {
    if (covered(r.host)) continue;
    const name = newSiteName(r.host.replace(/^\*\./, 'wildcard.').replace(/\./g, '-').slice(0, 200), [...sites, ...out]);
    out.push({ name, hosts: [r.host], source: 'new', origin: r.origin });
    s.facts.note(NoteKind.ADDED, r.origin, 'TLS', `a new Certificate ${name} (Secret ${name}-tls): ${describe(r.origin)} served this host without a certificate of its own`, undefined, { namespace: ns, host: r.host });
  }
  return out;
}

/**
 * HTTP-01 solvers answer where the stacks' edges are: an Ingress solver of the edge's class, or a Gateway solver that
 * follows the edges' Gateways. A solver for another edge (the input's, or `--edge` changed it) is replaced; an issuer
 * whose stacks are on several edges gets one HTTP-01 solver per edge, each selecting the hosts of its stacks (cert-manager
 * picks the solver whose selector names the host).
 */
function reconcileSolvers(stacks: StackModel[], issuers: IssuerModel[], facts: Facts): void {
  issuers.forEach((issuer, i) => {
    if (!issuer.acme) return;
    const users = stacks.filter((s) => s.issuer === issuer.key && s.routes.length);
    const edges = [...groupBy(users, (s) => `${s.edge.kind}|${s.edge.ingressClassName ?? ''}`).values()];
    const target = (s: StackModel | undefined) => ({ kind: s?.edge.kind ?? EdgeKind.INGRESS_NGINX, cls: s?.edge.ingressClassName ?? (s?.edge.kind === EdgeKind.TRAEFIK ? 'traefik' : 'nginx') });
    const solverFor = (solver: SolverModel, s: StackModel | undefined): SolverModel => {
      const { kind, cls } = target(s);
      const keep = solver.selector ? { selector: solver.selector } : {};
      if (solver.type === 'http01Ingress' && kind !== EdgeKind.GATEWAY_API) {
        if (solver.ingressClassName && solver.ingressClassName !== cls && s) facts.note(NoteKind.CHANGED, issuer.origin, `HTTP-01 solver class ${solver.ingressClassName}`, `the challenges are answered through the ${EDGE_NAME[kind]} edge: IngressClass ${cls}`, undefined, { issuer: issuer.name });
        return { ...solver, ingressClassName: cls };
      }
      if (solver.type === 'http01Ingress' || (solver.type === 'http01Gateway' && kind !== EdgeKind.GATEWAY_API)) {
        if (s) facts.note(NoteKind.CHANGED, issuer.origin, 'HTTP-01 solver', `answers through the ${EDGE_NAME[kind]} edge now`, undefined, { issuer: issuer.name });
        return kind === EdgeKind.GATEWAY_API ? { type: 'http01Gateway', ...keep } : { type: 'http01Ingress', ingressClassName: cls, ...keep };
      }
      if (solver.type === 'http01Gateway' && solver.parentRefs && s) {
        // The stacks' Gateways: the solver follows them (its parentRefs are derived from the edges that use it).
        if (!solver.parentRefs.every((p) => stacks.some((st) => (st.name ?? st.namespace) === p.name && st.namespace === p.namespace))) {
          facts.note(NoteKind.CHANGED, issuer.origin, 'HTTP-01 solver parentRefs', 'the challenges are answered on the Gateways of the stacks that use the issuer', undefined, { issuer: issuer.name });
        }
        return { type: 'http01Gateway', ...keep };
      }
      return solver;
    };
    const solvers = issuer.acme.solvers.flatMap((solver): SolverModel[] => {
      if (solver.type !== 'http01Ingress' && solver.type !== 'http01Gateway') return [solver];
      if (edges.length < 2) return [solverFor(solver, edges[0]?.[0])];
      facts.note(NoteKind.CHANGED, issuer.origin, 'HTTP-01 solvers', `one per edge its stacks use (${edges.map((g) => EDGE_NAME[g[0].edge.kind]).join(', ')}), each selecting the hosts of its stacks`, undefined, { issuer: issuer.name });
      return edges.map((group) => {
        const dnsNames = [...new Set(group.flatMap((s) => [...s.routes.filter((r) => !r.passthrough).map((r) => r.host), ...s.sites.flatMap((x) => x.hosts)]))].filter((h) => !h.startsWith('*.'));
        return { ...solverFor({ ...solver, selector: { ...solver.selector, dnsNames: [...solver.selector?.dnsNames ?? [], ...dnsNames] } }, group[0]) };
      });
    });
    issuers[i] = { ...issuer, acme: { ...issuer.acme, solvers } };
  });
}
