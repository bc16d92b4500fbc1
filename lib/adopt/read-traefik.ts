import { EdgeKind } from '../edge/factory';
import { Facts, Input, InputDoc, Reader, integer, list, record, text } from './facts';
import { NoteKind, Origin } from './model';

// Traefik's CRDs (traefik.io/v1alpha1, and traefik.containo.us/v1alpha1 of Traefik v2): IngressRoute, IngressRouteTCP
// (passthrough), Middleware (redirectScheme, headers, buffering), TLSOption, ServersTransport.

const VERSIONS: Record<string, string> = { VersionTLS10: 'TLSv1', VersionTLS11: 'TLSv1.1', VersionTLS12: 'TLSv1.2', VersionTLS13: 'TLSv1.3' };

export const traefikReader: Reader = {
  kinds: ['IngressRoute', 'IngressRouteTCP', 'Middleware', 'TLSOption', 'ServersTransport'],
  read(input, facts) {
    for (const d of input.of('IngressRoute')) readIngressRoute(d, input, facts);
    for (const d of input.of('IngressRouteTCP')) readIngressRouteTcp(d, facts);
    for (const d of input.of('ServersTransport')) {
      if (record(d.doc.spec).insecureSkipVerify === true) {
        facts.used.add(d.origin.index);
        facts.note(NoteKind.REFUSED, d.origin, 'insecureSkipVerify: true', 'turns off verification of the backend\'s certificate: refused; the spec routes plain HTTP to the app',
          'to keep TLS to the backend, give the app tls: { internal: true } and the stack an internalCa: the edge then verifies it', { namespace: d.origin.namespace });
      }
    }
    for (const d of input.of('Middleware', 'TLSOption', 'ServersTransport')) {
      if (!facts.used.has(d.origin.index)) facts.unusedBecause.set(d.origin.index, 'no IngressRoute of the input uses it');
    }
  },
};

/** One alternative of a router rule: hosts (any of), path prefixes (any of), and the matchers that cannot be said. */
interface Alternative {
  readonly hosts: string[];
  readonly paths: Array<{ path: string; exact: boolean }>;
  readonly dropped: string[];
}

type Node = { op: 'or' | 'and'; items: Node[] } | { op: 'not'; item: Node } | { op: 'call'; fn: string; args: string[] };

/**
 * A router rule (`Host(\`a\`) && PathPrefix(\`/x\`) || ...`) as alternatives, or undefined when it does not parse.
 * Traefik v3's rule language (pkg/muxer/http): matchers joined with && and ||, ! and parentheses.
 */
export function parseRule(rule: string): Alternative[] | undefined {
  const tokens = rule.match(/`[^`]*`|"(?:[^"\\]|\\.)*"|&&|\|\||[()!,]|[A-Za-z]+|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++];
  const expr = (): Node | undefined => {
    const items = [term()];
    while (peek() === '||') { take(); items.push(term()); }
    return items.includes(undefined) ? undefined : items.length === 1 ? items[0] : { op: 'or', items: items as Node[] };
  };
  const term = (): Node | undefined => {
    const items = [factor()];
    while (peek() === '&&') { take(); items.push(factor()); }
    return items.includes(undefined) ? undefined : items.length === 1 ? items[0] : { op: 'and', items: items as Node[] };
  };
  const factor = (): Node | undefined => {
    const t = take();
    if (t === '!') { const item = factor(); return item && { op: 'not', item }; }
    if (t === '(') { const e = expr(); return take() === ')' ? e : undefined; }
    if (!t || !/^[A-Za-z]+$/.test(t) || take() !== '(') return undefined;
    const args: string[] = [];
    while (peek() && peek() !== ')') {
      const a = take();
      if (a === ',') continue;
      if (!/^[`"]/.test(a)) return undefined;
      args.push(a[0] === '"' ? JSON.parse(a) as string : a.slice(1, -1));
    }
    return take() === ')' ? { op: 'call', fn: t, args } : undefined;
  };
  const root = expr();
  if (!root || i !== tokens.length) return undefined;
  const alternatives = dnf(root);
  return alternatives?.map((conj) => {
    const hosts: string[] = [];
    const paths: Alternative['paths'] = [];
    const dropped: string[] = [];
    for (const atom of conj) {
      if (atom.op !== 'call') { dropped.push('a negated matcher'); continue; }
      if (atom.fn === 'Host' && !hosts.length) hosts.push(...atom.args.map((h) => h.toLowerCase()));
      else if (atom.fn === 'HostRegexp' && !hosts.length && atom.args.length === 1 && wildcardOf(atom.args[0])) hosts.push(wildcardOf(atom.args[0])!);
      else if ((atom.fn === 'PathPrefix' || atom.fn === 'Path') && !paths.length) paths.push(...atom.args.map((path) => ({ path, exact: atom.fn === 'Path' })));
      else dropped.push(`${atom.fn}(${atom.args.map((a) => `\`${a}\``).join(', ')})`);
    }
    return { hosts, paths, dropped };
  });
}

/** Disjunctive normal form, or undefined past 64 alternatives. */
function dnf(n: Node): Node[][] | undefined {
  if (n.op === 'call' || n.op === 'not') return [[n]];
  const parts = n.items.map(dnf);
  if (parts.includes(undefined)) return undefined;
  const out = n.op === 'or' ? (parts as Node[][][]).flat() : (parts as Node[][][]).reduce<Node[][]>((acc, p) => acc.flatMap((a) => p.map((b) => [...a, ...b])), [[]]);
  return out.length <= 64 ? out : undefined;
}

/**
 * The wildcard a HostRegexp matches, when it matches exactly one label under a zone: the library's
 * `^[a-z0-9-]+\.example\.com$` and Traefik v2's `{sub:[a-z]+}.example.com`.
 */
export function wildcardOf(regexp: string): string | undefined {
  const m = /^\^?(?:\[a-z0-9-\]\+|\[a-z0-9\]\+|\[a-z\]\+|\{[A-Za-z]+(?::[^{}]+)?\}|\[\^\.\]\+)(\\?\.(?:[a-z0-9-]+\\?\.)*[a-z0-9-]+)\$?$/.exec(regexp);
  return m ? `*${m[1].replace(/\\\./g, '.')}` : undefined;
}

/** A Middleware a route names, or undefined (another provider, not in the input). */
function middlewareOf(ref: Record<string, unknown>, ns: string, input: Input): InputDoc | undefined {
  const name = text(ref.name) ?? '';
  if (name.includes('@')) return undefined;
  return input.named('Middleware', text(ref.namespace) ?? ns, name);
}

function readIngressRoute(d: InputDoc, input: Input, facts: Facts): void {
  facts.used.add(d.origin.index);
  const o = d.origin;
  const ns = o.namespace ?? 'default';
  const at = { namespace: ns };
  const spec = record(d.doc.spec);
  const tls = spec.tls === undefined ? undefined : record(spec.tls);
  const ingressClassName = text(spec.ingressClassName) ?? text(record(record(d.doc.metadata).annotations)['kubernetes.io/ingress.class']);
  const profile = tls ? tlsOption(record(tls.options), ns, input, facts, o) : undefined;
  const routed: string[] = [];
  for (const [i, r] of list(spec.routes).entries()) {
    const route = record(r);
    const field = `spec.routes[${i}]`;
    const match = text(route.match) ?? '';
    const alternatives = parseRule(match);
    if (!alternatives) {
      facts.note(NoteKind.CANNOT, o, `${field}.match`, `a rule adopt does not read: ${match}`, 'write the route in the spec by hand', at);
      continue;
    }
    const mws = list(route.middlewares).map(record).map((ref) => ({ ref, doc: middlewareOf(ref, ns, input) }));
    const effects = { redirect: false, body: undefined as number | undefined, headers: [] as Array<[string, string]> };
    for (const { ref, doc } of mws) {
      if (!doc) {
        facts.note(NoteKind.CANNOT, o, `${field} middleware ${text(ref.name)}`, 'not in the input (or of another provider): what it does is not known', 'add it to the input', at);
        continue;
      }
      facts.used.add(doc.origin.index);
      readMiddleware(doc, effects, facts, ns, o);
    }
    const service = record(list(route.services)[0]);
    const serviceName = text(service.name);
    const hosts = [...new Set(alternatives.flatMap((a) => a.hosts))];
    if (effects.redirect && !tls) {
      facts.redirects.push({ namespace: ns, hosts, origin: o });
      continue;
    }
    if (text(service.kind) === 'TraefikService' || !serviceName) {
      if (serviceName !== 'noop@internal') facts.note(NoteKind.CANNOT, o, `${field}.services`, 'a TraefikService (weighted or mirrored services)', 'route to the app\'s Service', at);
      continue;
    }
    if (list(route.services).length > 1) facts.note(NoteKind.CANNOT, o, `${field}.services`, 'load balancing over several Services: the first one is routed', undefined, at);
    if (text(service.scheme) === 'https') {
      facts.note(NoteKind.CANNOT, o, `${field}.services[0].scheme https`, 're-encryption to the backend: the library verifies backends against its InternalCa; the spec routes plain HTTP to the app', 'give the app tls: { internal: true } and the stack an internalCa', at);
    }
    const transport = text(service.serversTransport) && input.named('ServersTransport', ns, text(service.serversTransport)!);
    if (transport) facts.used.add(transport.origin.index);
    const priority = integer(route.priority);
    if (priority !== undefined && priority !== match.length) {
      facts.note(NoteKind.CHANGED, o, `${field}.priority ${priority}`, 'the library orders routers itself (an exact host before a wildcard, the longer path first)', undefined, at);
    }
    if (effects.headers.length) facts.headers.push({ namespace: ns, hosts, headers: effects.headers, where: `the headers Middleware of IngressRoute ${ns}/${o.name}`, origin: o });
    for (const alt of alternatives) {
      if (!alt.hosts.length) {
        facts.note(NoteKind.CANNOT, o, `${field}.match`, 'a rule without Host: the library routes named hosts', 'add Host(...) to the rule', at);
        continue;
      }
      for (const drop of alt.dropped) facts.note(NoteKind.CANNOT, o, `${field} ${drop}`, 'a matcher the library does not write: the route now matches on host and path only', 'patch the edge\'s IngressRoute (addJsonPatch)', at);
      for (const { path, exact } of alt.paths.length ? alt.paths : [{ path: '/', exact: false }]) {
        if (!/^\/[A-Za-z0-9\-._~/%]*$/.test(path)) {
          facts.note(NoteKind.CANNOT, o, `${field} path ${path}`, 'a path the library does not route', 'route a plain prefix', at);
          continue;
        }
        if (exact) facts.note(NoteKind.CHANGED, o, `${field} Path(\`${path}\`)`, 'the library routes path prefixes: the path now matches what is below it too', undefined, at);
        for (const host of alt.hosts) {
          routed.push(host);
          facts.routes.push({
            namespace: ns, host, path, service: serviceName, port: integer(service.port) ?? text(service.port),
            // Traefik proxies WebSocket upgrades on any route and marks none: build.ts takes it from the backend Service's appProtocol.
            ...(effects.body !== undefined ? { maxRequestBodyBytes: effects.body } : {}),
            clientAuth: !!profile?.clientAuth, plainHttp: !tls,
            edge: { kind: EdgeKind.TRAEFIK, ...(ingressClassName ? { ingressClassName } : {}) }, origin: o,
          });
        }
      }
    }
  }
  if (tls) {
    const hosts = [...new Set(routed)];
    const secretName = text(tls.secretName);
    if (secretName) facts.tls.push({ namespace: ns, hosts, secretName, origin: o });
    else if (text(tls.certResolver)) {
      facts.note(NoteKind.CHANGED, o, `tls.certResolver ${text(tls.certResolver)}`, 'Traefik\'s own ACME client issued these certificates: cert-manager issues them now, into a new Secret', undefined, at);
    } else facts.note(NoteKind.CHANGED, o, 'spec.tls', 'no secretName: Traefik\'s default certificate served these hosts; the stack gives them a certificate of their own', undefined, at);
    if (profile?.minVersion || profile?.ciphers) facts.profiles.push({ namespace: ns, hosts, ...profile, where: `TLSOption ${profile.where}`, origin: o });
  }
}

/** What a Middleware does to a route: redirect, headers, body limit; anything else is listed. */
function readMiddleware(d: InputDoc, effects: { redirect: boolean; body?: number; headers: Array<[string, string]> }, facts: Facts, ns: string, route: Origin): void {
  const spec = record(d.doc.spec);
  for (const [type, value] of Object.entries(spec)) {
    const v = record(value);
    if (type === 'redirectScheme' && text(v.scheme) === 'https') effects.redirect = true;
    else if (type === 'headers') effects.headers.push(...middlewareHeaders(v));
    else if (type === 'buffering' && integer(v.maxRequestBodyBytes) !== undefined) effects.body = integer(v.maxRequestBodyBytes);
    else facts.note(NoteKind.CANNOT, route, `Middleware ${d.origin.name} (${type})`, 'a middleware the library does not write', 'keep applying the Middleware and add it to the edge\'s IngressRoute with addJsonPatch', { namespace: ns });
  }
}

/** The response headers a Traefik `headers` Middleware sends. */
function middlewareHeaders(h: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const sts = integer(h.stsSeconds);
  if (sts !== undefined && sts > 0) out.push(['Strict-Transport-Security', [`max-age=${sts}`, ...(h.stsIncludeSubdomains === true ? ['includeSubDomains'] : []), ...(h.stsPreload === true ? ['preload'] : [])].join('; ')]);
  if (h.frameDeny === true) out.push(['X-Frame-Options', 'DENY']);
  if (text(h.customFrameOptionsValue)) out.push(['X-Frame-Options', text(h.customFrameOptionsValue)!]);
  if (h.contentTypeNosniff === true) out.push(['X-Content-Type-Options', 'nosniff']);
  if (h.browserXssFilter === true) out.push(['X-XSS-Protection', '1; mode=block']);
  for (const [k, name] of [['contentSecurityPolicy', 'Content-Security-Policy'], ['referrerPolicy', 'Referrer-Policy'], ['permissionsPolicy', 'Permissions-Policy']]) {
    if (text(h[k])) out.push([name, text(h[k])!]);
  }
  for (const [k, v] of Object.entries(record(h.customResponseHeaders))) out.push([k, text(v) ?? '']);
  return out;
}

/** The TLSOption an IngressRoute names: protocol floor, ciphers, client-certificate verification. */
function tlsOption(ref: Record<string, unknown>, ns: string, input: Input, facts: Facts, o: Origin): { minVersion?: string; ciphers?: string[]; clientAuth: boolean; where: string } | undefined {
  const name = text(ref.name);
  if (!name) return undefined;
  const d = input.named('TLSOption', text(ref.namespace) ?? ns, name);
  if (!d) {
    facts.note(NoteKind.CANNOT, o, `tls.options ${name}`, 'the TLSOption is not in the input: its settings are not known', 'add it to the input', { namespace: ns });
    return undefined;
  }
  facts.used.add(d.origin.index);
  const spec = record(d.doc.spec);
  const auth = record(spec.clientAuth);
  const type = text(auth.clientAuthType) ?? 'NoClientCert';
  const verifies = ['RequireAndVerifyClientCert', 'VerifyClientCertIfGiven'].includes(type) && list(auth.secretNames).length > 0;
  if (verifies) {
    facts.note(NoteKind.CHANGED, d.origin, 'clientAuth', 'clients must present a certificate of the stack\'s internal CA (InternalCa): the CA in the TLSOption\'s secrets is no longer accepted', 'issue new client certificates from the internal CA', { namespace: ns });
    if (type === 'VerifyClientCertIfGiven') facts.note(NoteKind.CHANGED, d.origin, 'clientAuthType VerifyClientCertIfGiven', 'a route\'s clientAuth requires a certificate', undefined, { namespace: ns });
  } else if (type !== 'NoClientCert') {
    facts.note(NoteKind.REFUSED, d.origin, `clientAuthType ${type}`, 'client certificates that are not verified: dropped', undefined, { namespace: ns });
  }
  const ciphers = list(spec.cipherSuites).map(text).filter((c): c is string => !!c);
  const min = VERSIONS[text(spec.minVersion) ?? ''];
  return { ...(min ? { minVersion: min } : {}), ...(ciphers.length ? { ciphers } : {}), clientAuth: verifies, where: `${d.origin.namespace}/${d.origin.name}` };
}

/** IngressRouteTCP with TLS passthrough: the app terminates TLS for these hosts. */
function readIngressRouteTcp(d: InputDoc, facts: Facts): void {
  facts.used.add(d.origin.index);
  const o = d.origin;
  const ns = o.namespace ?? 'default';
  const spec = record(d.doc.spec);
  if (record(spec.tls).passthrough !== true) {
    facts.note(NoteKind.CANNOT, o, `IngressRouteTCP ${o.name}`, 'TCP routing without TLS passthrough', 'keep applying it', { namespace: ns });
    return;
  }
  for (const r of list(spec.routes).map(record)) {
    const hosts = [...(text(r.match) ?? '').matchAll(/HostSNI\(`([^`]+)`\)/g)].map((m) => m[1].toLowerCase()).filter((h) => h !== '*');
    const service = record(list(r.services)[0]);
    const name = text(service.name);
    if (!name || !hosts.length) continue;
    for (const host of hosts) facts.routes.push({ namespace: ns, host, path: '/', service: name, port: integer(service.port) ?? text(service.port), passthrough: true, websocket: false, edge: { kind: EdgeKind.TRAEFIK }, origin: o });
  }
}
