import { EdgeKind } from '../edge/factory';
import { isObjectName } from '../policy/validation';
import { EdgeFact, Facts, Input, InputDoc, Reader, goSeconds, integer, list, quantityBytes, record, text } from './facts';
import { NoteKind, Origin } from './model';
import { keySize } from './read-certmanager';

// Gateway API (Gateway, ListenerSet, HTTPRoute, TLSRoute, BackendTLSPolicy, ReferenceGrant, GatewayClass), cert-manager's
// gateway-shim annotations, and the Envoy Gateway policies the library writes itself (ClientTrafficPolicy,
// BackendTrafficPolicy).

/** Envoy's default stream idle timeout (5 minutes): a longer one marks a WebSocket route. */
const ENVOY_STREAM_IDLE_SECONDS = 300;
const EG_CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';

interface Listener {
  readonly owner: InputDoc;
  readonly name: string;
  readonly protocol: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly secretName?: string;
  readonly passthrough: boolean;
  /** The Gateway that runs it (the ListenerSet's parent). */
  readonly gateway: { readonly name: string; readonly namespace: string };
  /** Clients must present a certificate (a ClientTrafficPolicy or the Gateway's frontend validation). */
  clientAuth?: boolean;
}

export const gatewayReader: Reader = {
  kinds: ['Gateway', 'ListenerSet', 'GatewayClass', 'HTTPRoute', 'TLSRoute', 'BackendTLSPolicy', 'ReferenceGrant', 'ClientTrafficPolicy', 'BackendTrafficPolicy'],
  read(input, facts) {
    for (const d of input.of('GatewayClass', 'ReferenceGrant')) facts.used.add(d.origin.index);
    const listeners = readListeners(input, facts);
    for (const d of input.of('HTTPRoute')) readHttpRoute(d, input, listeners, facts);
    for (const d of input.of('TLSRoute')) readTlsRoute(d, input, listeners, facts);
    for (const d of input.of('BackendTLSPolicy')) {
      facts.used.add(d.origin.index);
      const services = list(record(d.doc.spec).targetRefs).map((t) => text(record(t).name)).filter(Boolean).join(', ');
      facts.note(NoteKind.CANNOT, d.origin, `BackendTLSPolicy ${d.origin.name}`, `the edge re-encrypted to ${services || 'its targets'} verifying them against the CA the policy names: the library verifies backends against its own InternalCa, so the spec routes plain HTTP to them`,
        'give those apps tls: { internal: true } and the stack an internalCa (the edge then writes the BackendTLSPolicy)', { namespace: d.origin.namespace });
    }
  },
};

/** Whether a Gateway runs on Envoy Gateway (its GatewayClass's controller, the class "eg", or Envoy policies in the input). */
function envoyGateway(input: Input, gatewayClassName: string | undefined): boolean {
  const cls = gatewayClassName ? input.named('GatewayClass', undefined, gatewayClassName) : undefined;
  if (cls) return text(record(cls.doc.spec).controllerName) === EG_CONTROLLER;
  return gatewayClassName === 'eg' || input.of('ClientTrafficPolicy', 'BackendTrafficPolicy').length > 0;
}

/** Every listener of every Gateway and ListenerSet; TLS facts, gateway-shim certificates and ClientTrafficPolicies read on the way. */
function readListeners(input: Input, facts: Facts): Listener[] {
  const out: Listener[] = [];
  for (const d of input.of('Gateway', 'ListenerSet')) {
    facts.used.add(d.origin.index);
    const ns = d.origin.namespace ?? 'default';
    const spec = record(d.doc.spec);
    const parent = record(spec.parentRef);
    const gateway = d.origin.kind === 'Gateway' ? { name: d.origin.name, namespace: ns } : { name: text(parent.name) ?? '', namespace: text(parent.namespace) ?? ns };
    const own: Listener[] = [];
    for (const [i, l] of list(spec.listeners).entries()) {
      const listener = record(l);
      const tls = record(listener.tls);
      const refs = list(tls.certificateRefs).map(record);
      const ref = refs[0];
      const field = `spec.listeners[${i}]`;
      if (ref && text(ref.namespace) && text(ref.namespace) !== ns) {
        facts.note(NoteKind.CANNOT, d.origin, `${field}.tls.certificateRefs`, `a certificate Secret of namespace ${text(ref.namespace)}: a stack's sites are in its own namespace`, 'move the certificate to the routes\' namespace (the spec makes one there)', { namespace: ns });
      }
      if (refs.length > 1) facts.note(NoteKind.CANNOT, d.origin, `${field}.tls.certificateRefs`, 'several certificates on one listener (RSA and ECDSA): a site is one certificate', undefined, { namespace: ns });
      const entry: Listener = {
        owner: d, name: text(listener.name) ?? `#${i}`, protocol: text(listener.protocol) ?? '', hostname: text(listener.hostname), port: integer(listener.port),
        secretName: ref && (!text(ref.namespace) || text(ref.namespace) === ns) ? text(ref.name) : undefined, passthrough: text(tls.mode) === 'Passthrough', gateway,
      };
      own.push(entry);
      if (entry.protocol === 'HTTPS' && entry.hostname && entry.secretName && !entry.passthrough) {
        facts.tls.push({ namespace: ns, hosts: [entry.hostname], secretName: entry.secretName, origin: d.origin });
      }
    }
    readGatewayShim(d, own, facts);
    const frontendValidation = list(record(record(record(record(spec.tls).frontend).default).validation).caCertificateRefs).length > 0;
    const clientAuth = readClientTrafficPolicies(d, own, input, facts) || frontendValidation;
    if (clientAuth) own.forEach((l) => { l.clientAuth = true; });
    out.push(...own);
  }
  return out;
}

/**
 * cert-manager's gateway-shim: one Certificate per Secret the HTTPS listeners reference, named after it, with the
 * hostnames of those listeners (certificate-shim/sync.go, handleGatewayAPIListeners).
 */
function readGatewayShim(d: InputDoc, listeners: Listener[], facts: Facts): void {
  const annotations = record(record(d.doc.metadata).annotations);
  const clusterIssuer = text(annotations['cert-manager.io/cluster-issuer']);
  const issuer = text(annotations['cert-manager.io/issuer']);
  if (!clusterIssuer && !issuer) return;
  const bySecret = new Map<string, string[]>();
  for (const l of listeners) {
    if (!['HTTPS', 'TLS'].includes(l.protocol) || l.passthrough || !l.hostname || !l.secretName) continue;
    bySecret.set(l.secretName, [...new Set([...bySecret.get(l.secretName) ?? [], l.hostname])]);
  }
  const algorithm = text(annotations['cert-manager.io/private-key-algorithm']);
  for (const [secretName, dnsNames] of bySecret) {
    facts.certificates.push({
      namespace: d.origin.namespace ?? 'default', name: secretName, secretName, dnsNames,
      issuer: isObjectName((clusterIssuer ?? issuer)!) ? { name: (clusterIssuer ?? issuer)!, kind: clusterIssuer ? 'ClusterIssuer' : 'Issuer' } : undefined,
      keyAlgorithm: algorithm === 'ECDSA' || algorithm === 'Ed25519' ? algorithm : 'RSA',
      keySize: keySize(algorithm === 'ECDSA' || algorithm === 'Ed25519' ? algorithm : 'RSA', integer(annotations['cert-manager.io/private-key-size'])),
      durationSeconds: goSeconds(annotations['cert-manager.io/duration']),
      renewBeforeSeconds: goSeconds(annotations['cert-manager.io/renew-before']),
      source: 'gateway-shim', origin: d.origin,
    });
  }
  facts.note(NoteKind.CHANGED, d.origin, 'cert-manager.io gateway-shim annotations', 'the certificates become explicit Certificates of the stack (same names and Secrets), reviewable in the YAML', undefined, { namespace: d.origin.namespace });
}

/**
 * Envoy Gateway ClientTrafficPolicies on a Gateway or ListenerSet: TLS versions and ciphers; returns whether one
 * validates client certificates.
 */
function readClientTrafficPolicies(d: InputDoc, listeners: Listener[], input: Input, facts: Facts): boolean {
  let clientAuth = false;
  const hosts = listeners.filter((l) => l.protocol === 'HTTPS' && l.hostname).map((l) => l.hostname!);
  const ns = d.origin.namespace ?? 'default';
  for (const p of input.of('ClientTrafficPolicy').filter((x) => x.origin.namespace === ns && targets(x, d.origin.kind, d.origin.name))) {
    facts.used.add(p.origin.index);
    const tls = record(record(p.doc.spec).tls);
    const min = text(tls.minVersion);
    const ciphers = list(tls.ciphers).map(text).filter((c): c is string => !!c);
    if (min || ciphers.length) facts.profiles.push({ namespace: ns, hosts, ...(min ? { minVersion: `TLSv${min}` } : {}), ...(ciphers.length ? { ciphers } : {}), where: `ClientTrafficPolicy ${ns}/${p.origin.name}`, origin: p.origin });
    const validation = record(tls.clientValidation);
    if (list(validation.caCertificateRefs).length) {
      clientAuth = true;
      facts.note(NoteKind.CHANGED, p.origin, 'tls.clientValidation', 'clients must present a certificate of the stack\'s internal CA (InternalCa): the CA the policy names is no longer accepted', 'issue new client certificates from the internal CA', { namespace: ns });
    }
  }
  return clientAuth;
}

/** Whether a policy targets this object (and section, when the policy names one). */
function targets(policy: InputDoc, kind: string, name: string, sectionName?: string): boolean {
  const spec = record(policy.doc.spec);
  const refs = [...list(spec.targetRefs), ...(spec.targetRef ? [spec.targetRef] : [])].map(record);
  return refs.some((r) => text(r.kind) === kind && text(r.name) === name && (sectionName === undefined || text(r.sectionName) === undefined || text(r.sectionName) === sectionName));
}

/** The listeners a route's parentRef attaches to. */
function attached(parentRef: Record<string, unknown>, routeNs: string, listeners: Listener[]): Listener[] {
  const kind = text(parentRef.kind) ?? 'Gateway';
  const ns = text(parentRef.namespace) ?? routeNs;
  const name = text(parentRef.name);
  const section = text(parentRef.sectionName);
  const port = integer(parentRef.port);
  return listeners.filter((l) => l.owner.origin.kind === kind && (l.owner.origin.namespace ?? 'default') === ns && l.owner.origin.name === name
    && (!section || l.name === section) && (port === undefined || l.port === port));
}

/** The hosts a route serves on a listener: its hostnames the listener admits, or the listener's own hostname. */
function hostsOn(l: Listener, hostnames: string[]): string[] {
  if (!l.hostname) return hostnames;
  if (!hostnames.length) return [l.hostname];
  const admits = (h: string) => h === l.hostname || (l.hostname!.startsWith('*.') && h.endsWith(l.hostname!.slice(1)) && !h.slice(0, -l.hostname!.length + 1).includes('.'));
  return hostnames.filter(admits);
}

function edgeFact(input: Input, l: Listener): EdgeFact {
  const gw = input.named('Gateway', l.gateway.namespace, l.gateway.name);
  const cls = text(record(gw?.doc.spec).gatewayClassName);
  return {
    kind: EdgeKind.GATEWAY_API, gatewayClassName: cls, gatewayName: l.gateway.name, gatewayNamespace: l.gateway.namespace,
    otherImplementation: !envoyGateway(input, cls),
  };
}

function readHttpRoute(d: InputDoc, input: Input, listeners: Listener[], facts: Facts): void {
  facts.used.add(d.origin.index);
  const o = d.origin;
  const ns = o.namespace ?? 'default';
  const at = { namespace: ns };
  const spec = record(d.doc.spec);
  const annotations = record(record(d.doc.metadata).annotations);
  const hostnames = list(spec.hostnames).map(text).filter((h): h is string => !!h);
  const rules = list(spec.rules).map(record);
  const policies = input.of('BackendTrafficPolicy').filter((p) => p.origin.namespace === ns && targets(p, 'HTTPRoute', o.name));
  policies.forEach((p) => facts.used.add(p.origin.index));
  const parents = list(spec.parentRefs).map(record);
  if (!parents.length) facts.note(NoteKind.CANNOT, o, 'spec.parentRefs', 'attached to no Gateway: it serves nothing today', undefined, at);
  for (const parent of parents) {
    const on = attached(parent, ns, listeners);
    if (!on.length) facts.note(NoteKind.CANNOT, o, `parentRef ${text(parent.name)}`, 'no listener of the input matches it: the Gateway is not in the input', 'add the Gateway to the input', at);
    for (const l of on) {
      const hosts = hostsOn(l, hostnames);
      if (!hosts.length) {
        facts.note(NoteKind.CANNOT, o, `listener ${l.name}`, 'no hostname on the route or the listener: the library routes named hosts', 'give the route hostnames', at);
        continue;
      }
      const https = l.protocol === 'HTTPS' && !l.passthrough;
      const redirects = rules.length > 0 && rules.every((r) => list(r.filters).some((f) => text(record(record(f).requestRedirect).scheme) === 'https'));
      if (l.protocol === 'HTTP' && redirects) {
        facts.redirects.push({ namespace: ns, hosts, origin: o });
        continue;
      }
      if (!https && l.protocol !== 'HTTP') continue;
      rules.forEach((rule, i) => readRule(rule, i, { d, o, ns, hosts, listener: l, https, clientAuth: !!l.clientAuth && https, policies, annotations, input, facts }));
    }
  }
}

interface RuleContext {
  readonly d: InputDoc;
  readonly o: Origin;
  readonly ns: string;
  readonly hosts: string[];
  readonly listener: Listener;
  readonly https: boolean;
  readonly clientAuth: boolean;
  readonly policies: InputDoc[];
  readonly annotations: Record<string, unknown>;
  readonly input: Input;
  readonly facts: Facts;
}

function readRule(rule: Record<string, unknown>, i: number, c: RuleContext): void {
  const { o, ns, hosts, facts } = c;
  const at = { namespace: ns };
  const field = `spec.rules[${i}]`;
  const name = text(rule.name);
  const matches = list(rule.matches).map(record);
  // Behind a TLS load balancer the library serves on the HTTP listener what arrived over TLS (an X-Forwarded-Proto
  // match): the same route as on the HTTPS listener, said by behindTlsLoadBalancer.
  if (!c.https && matches.length && matches.every((m) => list(m.headers).some((h) => /^x-forwarded-proto$/i.test(text(record(h).name) ?? '')))) {
    facts.note(NoteKind.CANNOT, o, `${field} (X-Forwarded-Proto match)`, 'requests a TLS load balancer forwards over HTTP', 'set edge.behindTlsLoadBalancer: true', at);
    return;
  }
  for (const f of list(rule.filters).map(record)) {
    const type = text(f.type) ?? '';
    if (type === 'ResponseHeaderModifier') {
      const mod = record(f.responseHeaderModifier);
      const headers = [...list(mod.set), ...list(mod.add)].map(record).map((h): [string, string] => [text(h.name) ?? '', text(h.value) ?? '']).filter(([n]) => n);
      if (headers.length) facts.headers.push({ namespace: ns, hosts, headers, where: `HTTPRoute ${ns}/${o.name}`, origin: o });
      if (list(mod.remove).length) facts.note(NoteKind.CANNOT, o, `${field} responseHeaderModifier.remove`, 'removing response headers', 'add a filter to the edge\'s HTTPRoute with addJsonPatch', at);
    } else if (type !== 'RequestRedirect' || text(record(f.requestRedirect).scheme) !== 'https') {
      facts.note(NoteKind.CANNOT, o, `${field} filter ${type || '(no type)'}`, 'a filter the library does not write', 'add it to the edge\'s HTTPRoute with addJsonPatch', at);
    }
  }
  const backends = list(rule.backendRefs).map(record);
  const backend = backends[0];
  if (!backend) {
    if (!list(rule.filters).length) facts.note(NoteKind.CANNOT, o, field, 'a rule without backend', undefined, at);
    return;
  }
  if (backends.length > 1) facts.note(NoteKind.CANNOT, o, `${field}.backendRefs`, 'traffic split over several backends: the first one is routed', 'split traffic in the app, or patch the edge\'s HTTPRoute', at);
  if ((text(backend.kind) ?? 'Service') !== 'Service' || (text(backend.namespace) && text(backend.namespace) !== ns)) {
    facts.note(NoteKind.CANNOT, o, `${field}.backendRefs[0]`, 'a backend that is not a Service of the route\'s namespace', undefined, at);
    return;
  }
  const service = text(backend.name);
  if (!service) return;
  if (rule.timeouts !== undefined) facts.note(NoteKind.CANNOT, o, `${field}.timeouts`, 'request timeouts of a rule', 'the library sets the stream idle timeout of WebSocket routes only', at);
  const policy = ruleWebsocketAndBody(name, c);
  const paths: string[] = [];
  for (const m of matches.length ? matches : [{}]) {
    const path = record(m.path);
    const type = text(path.type) ?? 'PathPrefix';
    const value = text(path.value) ?? '/';
    if (list(m.headers).length || list(m.queryParams).length || m.method !== undefined) {
      facts.note(NoteKind.CANNOT, o, `${field}.matches`, 'header, query or method matches: the route now matches on its path only', 'patch the edge\'s HTTPRoute to add them back', at);
    }
    if (type === 'RegularExpression' || !/^\/[A-Za-z0-9\-._~/%]*$/.test(value)) {
      facts.note(NoteKind.CANNOT, o, `${field} path ${value}`, 'a regular expression or a path the library does not route', 'route a plain prefix', at);
      continue;
    }
    if (type === 'Exact') facts.note(NoteKind.CHANGED, o, `${field} (Exact ${value})`, 'the library routes path prefixes: the path now matches what is below it too', undefined, at);
    paths.push(value);
  }
  for (const host of hosts) {
    for (const path of paths) {
      facts.routes.push({
        namespace: ns, host, path, service, port: integer(backend.port),
        websocket: policy.websocket, ...(policy.websocket ? { websocketTimeoutSeconds: policy.timeout } : {}),
        ...(policy.body !== undefined && !policy.websocket ? { maxRequestBodyBytes: policy.body } : {}),
        clientAuth: c.clientAuth, plainHttp: !c.https,
        edge: edgeFact(c.input, c.listener), origin: o,
      });
    }
  }
}

/**
 * A rule's WebSocket idle timeout and body limit: an Envoy Gateway BackendTrafficPolicy on the rule (by its name) or the
 * whole route, or what the library states for another implementation (`tls-stack/*` annotations, rules `websocket-<n>`).
 */
function ruleWebsocketAndBody(name: string | undefined, c: RuleContext): { websocket: boolean; timeout?: number; body?: number } {
  let timeout: number | undefined;
  let body: number | undefined;
  for (const p of c.policies.filter((x) => targets(x, 'HTTPRoute', c.o.name, name ?? '\u0000'))) {
    const spec = record(p.doc.spec);
    const idle = goSeconds(record(record(spec.timeout).http).streamIdleTimeout);
    if (idle !== undefined && idle > ENVOY_STREAM_IDLE_SECONDS) timeout = idle;
    const limit = quantityBytes(record(spec.requestBuffer).limit);
    if (limit !== undefined) body = limit;
    for (const k of Object.keys(spec).filter((x) => !['targetRefs', 'targetRef', 'timeout', 'requestBuffer', 'targetSelectors'].includes(x))) {
      c.facts.note(NoteKind.CANNOT, p.origin, `BackendTrafficPolicy ${p.origin.name} spec.${k}`, 'a traffic setting the library does not write', 'keep applying a BackendTrafficPolicy for it (one per target: merge it with the edge\'s)', { namespace: c.ns });
    }
  }
  const stated = goSeconds(c.annotations['tls-stack/stream-idle-timeout']);
  if (timeout === undefined && stated !== undefined && /^websocket-/.test(name ?? '')) timeout = stated;
  const limits = text(c.annotations['tls-stack/max-request-body'])?.split(',').map((x) => x.split('=')) ?? [];
  const stateLimit = limits.find(([rule]) => rule === name)?.[1];
  if (body === undefined && stateLimit !== undefined) body = integer(stateLimit);
  return { websocket: timeout !== undefined, ...(timeout !== undefined ? { timeout } : {}), ...(body !== undefined ? { body } : {}) };
}

function readTlsRoute(d: InputDoc, input: Input, listeners: Listener[], facts: Facts): void {
  facts.used.add(d.origin.index);
  const ns = d.origin.namespace ?? 'default';
  const spec = record(d.doc.spec);
  const hostnames = list(spec.hostnames).map(text).filter((h): h is string => !!h);
  const backend = record(list(record(list(spec.rules)[0]).backendRefs)[0]);
  const service = text(backend.name);
  if (!service) return;
  for (const parent of list(spec.parentRefs).map(record)) {
    for (const l of attached(parent, ns, listeners).filter((x) => x.passthrough)) {
      for (const host of hostsOn(l, hostnames)) {
        facts.routes.push({ namespace: ns, host, path: '/', service, port: integer(backend.port), passthrough: true, websocket: false, edge: edgeFact(input, l), origin: d.origin });
      }
    }
  }
}
