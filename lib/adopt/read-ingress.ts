import { EdgeKind } from '../edge/factory';
import { isObjectName } from '../policy/validation';
import { EdgeFact, Facts, Input, InputDoc, Reader, goSeconds, integer, list, record, text } from './facts';
import { NoteKind, Origin } from './model';
import { keySize } from './read-certmanager';

// networking.k8s.io Ingresses of any class, the ingress-nginx annotations, cert-manager's ingress-shim annotations, and
// the ingress-nginx controller ConfigMap (controller-wide HSTS, protocols and ciphers).

const A = 'nginx.ingress.kubernetes.io/';

/**
 * The annotations ingress-nginx reads (docs/user-guide/nginx-configuration/annotations.md of kubernetes/ingress-nginx,
 * and custom-headers since v1.12): any other `nginx.ingress.kubernetes.io/` key is ignored by the controller today.
 */
const NGINX_ANNOTATIONS = new Set(('app-root affinity affinity-mode affinity-canary-behavior auth-realm auth-secret auth-secret-type auth-type auth-tls-secret '
  + 'auth-tls-verify-depth auth-tls-verify-client auth-tls-error-page auth-tls-pass-certificate-to-upstream auth-tls-match-cn auth-url auth-cache-key '
  + 'auth-cache-duration auth-proxy-set-headers auth-snippet auth-signin auth-signin-redirect-param auth-method auth-response-headers auth-request-redirect '
  + 'auth-always-set-cookie auth-keepalive auth-keepalive-requests auth-keepalive-timeout auth-keepalive-share-vars enable-global-auth backend-protocol canary '
  + 'canary-by-header canary-by-header-value canary-by-header-pattern canary-by-cookie canary-weight canary-weight-total client-body-buffer-size '
  + 'configuration-snippet custom-headers custom-http-errors default-backend denylist-source-range disable-proxy-intercept-errors enable-cors cors-allow-origin '
  + 'cors-allow-methods cors-allow-headers cors-expose-headers cors-allow-credentials cors-max-age force-ssl-redirect from-to-www-redirect http2-push-preload '
  + 'limit-connections limit-rps limit-rpm limit-burst-multiplier limit-rate limit-rate-after limit-whitelist limit-allowlist global-rate-limit '
  + 'global-rate-limit-window global-rate-limit-key global-rate-limit-ignored-cidrs permanent-redirect permanent-redirect-code temporal-redirect '
  + 'temporal-redirect-code preserve-trailing-slash proxy-body-size proxy-cookie-domain proxy-cookie-path proxy-connect-timeout proxy-send-timeout '
  + 'proxy-read-timeout proxy-next-upstream proxy-next-upstream-timeout proxy-next-upstream-tries proxy-request-buffering proxy-redirect-from '
  + 'proxy-redirect-to proxy-http-version proxy-ssl-secret proxy-ssl-ciphers proxy-ssl-name proxy-ssl-protocols proxy-ssl-verify proxy-ssl-verify-depth '
  + 'proxy-ssl-server-name proxy-buffering proxy-buffers-number proxy-buffer-size proxy-busy-buffers-size proxy-max-temp-file-size enable-rewrite-log '
  + 'rewrite-target satisfy server-alias server-snippet service-upstream session-cookie-name session-cookie-path session-cookie-domain '
  + 'session-cookie-change-on-failure session-cookie-samesite session-cookie-conditional-samesite-none session-cookie-max-age session-cookie-expires '
  + 'session-cookie-secure ssl-redirect ssl-passthrough stream-snippet upstream-hash-by upstream-hash-by-subset upstream-hash-by-subset-size '
  + 'x-forwarded-prefix load-balance upstream-vhost whitelist-source-range ssl-ciphers ssl-prefer-server-ciphers connection-proxy-header '
  + 'enable-access-log enable-opentelemetry opentelemetry-trust-incoming-span opentelemetry-operation-name enable-opentracing '
  + 'opentracing-trust-incoming-span use-regex enable-modsecurity enable-owasp-core-rules modsecurity-transaction-id modsecurity-snippet '
  + 'mirror-request-body mirror-target mirror-host').split(' '));

/** Annotations of tools around the cluster (Helm, kubectl, Argo CD...): bookkeeping, not behaviour. */
const BOOKKEEPING = /^(kubectl\.kubernetes\.io|meta\.helm\.sh|helm\.sh|argocd\.argoproj\.io|deployment\.kubernetes\.io|kapp\.k14s\.io|fluxcd\.io|kustomize\.toolkit\.fluxcd\.io|tls-stack)\//;

/** ingress-nginx's defaults (internal/ingress/controller/config/config.go, NewDefault). */
const NGINX_DEFAULT = { proxyTimeoutSeconds: 60, hsts: 'max-age=31536000; includeSubDomains' };

/** Keys only the ingress-nginx controller ConfigMap has. */
const CONTROLLER_KEYS = ['hsts', 'hsts-max-age', 'hsts-include-subdomains', 'hsts-preload', 'ssl-protocols', 'ssl-ciphers', 'allow-snippet-annotations',
  'use-forwarded-headers', 'http-redirect-code', 'global-allowed-response-headers', 'add-headers', 'ssl-redirect'];

const ESCAPE_HATCH = 'add it to the edge\'s object yourself: ApiObject.of(...).metadata.addAnnotation / addJsonPatch on chart.edge\'s children (a gate check still runs on it)';

/** The ingress-nginx controller ConfigMap of the input, if it is there. */
export function controllerConfigMap(input: Input): InputDoc | undefined {
  return input.of('ConfigMap').find((d) => CONTROLLER_KEYS.some((k) => k in record(d.doc.data)));
}

/** Which edge serves an Ingress of this class. */
function edgeOfClass(input: Input, cls: string | undefined): EdgeFact & { known: boolean } {
  const controller = cls && text(record(input.named('IngressClass', undefined, cls)?.doc.spec).controller);
  if (controller === 'k8s.io/ingress-nginx' || (!controller && (!cls || /nginx/.test(cls)))) return { kind: EdgeKind.INGRESS_NGINX, ingressClassName: cls, known: true };
  if ((controller ?? '').startsWith('traefik.io/') || (!controller && /traefik/.test(cls ?? ''))) return { kind: EdgeKind.TRAEFIK, ingressClassName: cls, known: true };
  return { kind: EdgeKind.GATEWAY_API, known: false };
}

export const ingressReader: Reader = {
  kinds: ['Ingress', 'IngressClass'],
  read(input, facts) {
    const controller = controllerConfigMap(input);
    for (const d of input.of('IngressClass')) facts.used.add(d.origin.index);
    for (const d of input.of('Ingress')) readIngress(d, input, facts, controller);
    if (controller) readControllerConfigMap(controller, input, facts);
  },
};

function readIngress(d: InputDoc, input: Input, facts: Facts, controller: InputDoc | undefined): void {
  facts.used.add(d.origin.index);
  const o = d.origin;
  const ns = o.namespace ?? 'default';
  const spec = record(d.doc.spec);
  const annotations = record(record(d.doc.metadata).annotations);
  const ann = (k: string) => text(annotations[A + k]);
  const at = { namespace: ns };
  const legacyClass = text(annotations['kubernetes.io/ingress.class']);
  const cls = text(spec.ingressClassName) ?? legacyClass;
  const edge = edgeOfClass(input, cls);
  if (!edge.known) facts.note(NoteKind.CHANGED, o, `IngressClass ${cls}`, 'not a controller the library builds an edge for (ingress-nginx, Traefik): adopted onto Gateway API', 'choose the edge with --edge', at);
  if (!cls) facts.note(NoteKind.SAME, o, 'IngressClass', 'none set: the cluster\'s default class, taken to be ingress-nginx\'s "nginx"', undefined, at);
  if (legacyClass && !text(spec.ingressClassName)) facts.note(NoteKind.CHANGED, o, 'kubernetes.io/ingress.class', `the deprecated annotation becomes spec.ingressClassName "${legacyClass}"`, undefined, at);
  const nginx = edge.kind === EdgeKind.INGRESS_NGINX;

  const tlsHosts = new Set<string>();
  for (const [i, t] of list(spec.tls).entries()) {
    const entry = record(t);
    const hosts = list(entry.hosts).map(text).filter((h): h is string => !!h);
    hosts.forEach((h) => tlsHosts.add(h));
    const secretName = text(entry.secretName);
    if (!secretName) {
      facts.note(NoteKind.CHANGED, o, `spec.tls[${i}]`, 'no secretName: the controller\'s default certificate served these hosts; the stack gives them a certificate of their own', undefined, at);
      continue;
    }
    if (hosts.length) facts.tls.push({ namespace: ns, hosts, secretName, origin: o });
  }
  readShim(d, annotations, facts);

  // WebSocket: ingress-nginx proxies the upgrade on every route; what a WebSocket route needs is longer proxy timeouts
  // than the 60 s default, which is what the library sets on its WebSocket routes.
  const timeout = Math.max(integer(ann('proxy-read-timeout')) ?? 0, integer(ann('proxy-send-timeout')) ?? 0);
  const websocket = nginx && timeout > NGINX_DEFAULT.proxyTimeoutSeconds;
  const passthrough = nginx && ann('ssl-passthrough') === 'true';
  const verifyClient = ann('auth-tls-verify-client') ?? 'on';
  const clientAuth = nginx && !!ann('auth-tls-secret') && ['on', 'optional'].includes(verifyClient);
  const body = nginx ? bodyLimit(ann('proxy-body-size'), o, facts, at) : undefined;
  readAnnotations(d, annotations, facts, { nginx, websocket, clientAuth, verifyClient });

  const hosts: string[] = [];
  for (const [i, r] of list(spec.rules).entries()) {
    const rule = record(r);
    const host = text(rule.host);
    if (!host) {
      facts.note(NoteKind.CANNOT, o, `spec.rules[${i}]`, 'a rule without host (every host): the library routes named hosts', 'name the hosts, or keep applying this Ingress', at);
      continue;
    }
    hosts.push(host);
    for (const [j, p] of list(record(rule.http).paths).entries()) {
      const entry = record(p);
      const field = `spec.rules[${i}].http.paths[${j}]`;
      const path = text(entry.path) ?? '/';
      const pathType = text(entry.pathType) ?? 'ImplementationSpecific';
      const service = record(record(entry.backend).service);
      const name = text(service.name);
      if (!name) {
        facts.note(NoteKind.CANNOT, o, field, 'a backend that is not a Service (resource backend): the library routes to its apps', 'keep applying this Ingress for it', { ...at, host });
        continue;
      }
      if (ann('use-regex') === 'true' || !/^\/[A-Za-z0-9\-._~/%]*$/.test(path)) {
        facts.note(NoteKind.CANNOT, o, `${field}.path ${path}`, 'a regular expression or a path the library does not route (prefixes of letters, digits and -._~/%)', 'route a plain prefix, or keep applying this Ingress for it', { ...at, host });
        continue;
      }
      if (pathType === 'Exact') facts.note(NoteKind.CHANGED, o, `${field} (Exact ${path})`, 'the library routes path prefixes: the path now matches what is below it too', undefined, { ...at, host });
      const port = record(service.port);
      facts.routes.push({
        namespace: ns, host, path, service: name, port: integer(port.number) ?? text(port.name),
        websocket, ...(websocket ? { websocketTimeoutSeconds: timeout } : {}),
        passthrough, clientAuth, ...(body !== undefined && !websocket ? { maxRequestBodyBytes: body } : {}),
        plainHttp: !passthrough && !tlsHosts.has(host),
        edge: { kind: edge.kind, ingressClassName: edge.ingressClassName ?? (nginx ? 'nginx' : undefined) },
        origin: o,
      });
    }
  }
  if (body !== undefined && websocket) facts.note(NoteKind.REFUSED, o, `${A}proxy-body-size`, 'a body limit on a WebSocket route: the edges enforce it by buffering, which breaks the upgrade', 'limit message sizes in the app', at);
  if (record(spec.defaultBackend).service !== undefined || record(spec.defaultBackend).resource !== undefined) {
    facts.note(NoteKind.CANNOT, o, 'spec.defaultBackend', 'a default backend for requests no rule matches: the library routes named hosts only', 'keep applying an Ingress with the default backend', at);
  }
  // ingress-nginx redirects a host with TLS to HTTPS unless ssl-redirect is "false" (config.go: SSLRedirect true);
  // force-ssl-redirect redirects every host of the Ingress.
  if (nginx) {
    const redirected = ann('force-ssl-redirect') === 'true' ? hosts : ann('ssl-redirect') === 'false' ? [] : hosts.filter((h) => tlsHosts.has(h));
    if (redirected.length) facts.redirects.push({ namespace: ns, hosts: redirected, origin: o });
    const customHeaders = ann('custom-headers');
    if (customHeaders) headersFromConfigMap(customHeaders, ns, hosts, `the custom-headers ConfigMap ${customHeaders}`, input, facts, o);
    const ciphers = ann('ssl-ciphers');
    if (ciphers) facts.profiles.push({ namespace: ns, hosts, ciphers: ciphers.split(':').filter(Boolean), where: `${A}ssl-ciphers`, origin: o });
    for (const [key, value] of Object.entries(annotations)) {
      if (key.startsWith(A) && key.endsWith('snippet')) {
        const headers = snippetHeaders(text(value) ?? '');
        if (headers.length) facts.headers.push({ namespace: ns, hosts, headers, where: `the ${key} annotation`, origin: o });
      }
    }
    // HSTS is controller-wide in ingress-nginx: on by default (config.go HSTS true), or as its ConfigMap says; a header
    // the Ingress sets itself (above: read first) replaces it.
    const served = hosts.filter((h) => tlsHosts.has(h));
    const hsts = controllerHsts(controller);
    if (served.length && hsts) facts.headers.push({ namespace: ns, hosts: served, headers: [['Strict-Transport-Security', hsts]], where: controller ? `the ingress-nginx controller ConfigMap ${controller.origin.namespace}/${controller.origin.name}` : 'the ingress-nginx controller (its default)', origin: o });
  }
}

/** proxy-body-size in bytes (nginx sizes: k and m are binary), rounded up to whole KiB; "0" (no limit) cannot be said. */
function bodyLimit(value: string | undefined, o: Origin, facts: Facts, at: { namespace: string }): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*([kKmMgG]?)\s*$/.exec(value);
  const bytes = m ? Number(m[1]) * ({ '': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3 }[m[2].toLowerCase()] ?? 1) : undefined;
  if (bytes === undefined || !Number.isSafeInteger(bytes)) {
    facts.note(NoteKind.CANNOT, o, `${A}proxy-body-size ${value}`, 'not a size nginx reads', 'set routes[].maxRequestBodySize', at);
    return undefined;
  }
  if (bytes === 0) {
    facts.note(NoteKind.CANNOT, o, `${A}proxy-body-size 0`, 'no limit at all cannot be said: without maxRequestBodySize the controller\'s default (1 MiB) applies', 'set routes[].maxRequestBodySize to the largest body you accept, e.g. Size.gibibytes(1)', at);
    return undefined;
  }
  const kib = Math.max(1, Math.ceil(bytes / 1024)) * 1024;
  if (kib !== bytes) facts.note(NoteKind.CHANGED, o, `${A}proxy-body-size ${value}`, `rounded up to ${kib / 1024} KiB (the library takes whole KiB)`, undefined, at);
  return kib;
}

/** Every annotation of an Ingress other than its routes': kept in intent, refused, or listed with the escape hatch. */
function readAnnotations(d: InputDoc, annotations: Record<string, unknown>, facts: Facts, s: { nginx: boolean; websocket: boolean; clientAuth: boolean; verifyClient: string }): void {
  const o = d.origin;
  const at = { namespace: o.namespace };
  const ann = (k: string) => text(annotations[A + k]);
  for (const [key, raw] of Object.entries(annotations)) {
    const value = text(raw) ?? '';
    if (BOOKKEEPING.test(key) || key === 'kubernetes.io/ingress.class' || key.startsWith('cert-manager.io/') || key.startsWith('acme.cert-manager.io/') || key === 'kubernetes.io/tls-acme') continue;
    const short = key.startsWith(A) ? key.slice(A.length) : undefined;
    if (short === undefined || !s.nginx) {
      facts.note(NoteKind.CANNOT, o, key, 'not an annotation the library writes', ESCAPE_HATCH, at);
    } else if (short.endsWith('snippet')) {
      facts.note(NoteKind.REFUSED, o, key, 'snippet annotations inject raw nginx configuration (off by default since the IngressNightmare fixes; ingress-nginx is retired): not carried over; the headers it set are taken into the edge\'s headers where the library has them',
        'response headers are the edge\'s headers option (EdgeOptions.headers)', at);
    } else if (!NGINX_ANNOTATIONS.has(short)) {
      facts.note(NoteKind.REFUSED, o, key, 'not an ingress-nginx annotation (docs/user-guide/nginx-configuration/annotations.md): the controller ignores it today; dropped', undefined, at);
    } else if (['ssl-redirect', 'force-ssl-redirect', 'proxy-body-size', 'ssl-passthrough', 'custom-headers', 'ssl-ciphers', 'ssl-prefer-server-ciphers', 'auth-tls-secret', 'auth-tls-verify-client'].includes(short)) {
      continue; // read with the routes
    } else if (short === 'proxy-read-timeout' || short === 'proxy-send-timeout') {
      if (!s.websocket) facts.note(NoteKind.CANNOT, o, key, `a proxy timeout of ${value}s (not above ingress-nginx's 60 s default, so not a WebSocket route)`, 'the library sets timeouts on WebSocket routes only (routes[].websocket, EdgeOptions.websocketTimeout)', at);
    } else if (short === 'auth-tls-verify-depth') {
      if (value !== '1' && s.clientAuth) facts.note(NoteKind.CHANGED, o, key, `verify depth ${value}: the library verifies one level below its internal CA (two with an intermediate)`, undefined, at);
    } else if (short === 'auth-tls-pass-certificate-to-upstream' || short === 'auth-tls-error-page' || short === 'auth-tls-match-cn') {
      facts.note(NoteKind.CANNOT, o, key, 'a client-certificate setting a route cannot say', 'use a TlsEdge with EdgeRoute.clientAuth (passCertificateToUpstream) directly, or add the annotation to the edge\'s Ingress', at);
    } else if (short === 'backend-protocol' && /^(HTTPS|GRPCS)$/i.test(value)) {
      if (ann('proxy-ssl-verify') !== 'on') {
        facts.note(NoteKind.REFUSED, o, key, `re-encryption to the backend (${value}) without verifying it (proxy-ssl-verify is not "on"): refused; the spec routes plain HTTP to the app`,
          'to keep TLS to the backend, give the app tls: { internal: true } and the stack an internalCa: the edge then verifies it', at);
      } else {
        facts.note(NoteKind.CANNOT, o, key, `verified re-encryption (${value}) against the CA in ${ann('proxy-ssl-secret') ?? 'proxy-ssl-secret'}: the library verifies backends against its InternalCa; the spec routes plain HTTP to the app`,
          'give the app tls: { internal: true } and the stack an internalCa', at);
      }
    } else if (short.startsWith('proxy-ssl-') && /^(HTTPS|GRPCS)$/i.test(ann('backend-protocol') ?? '')) {
      continue; // said with backend-protocol
    } else {
      facts.note(NoteKind.CANNOT, o, key, `an ingress-nginx setting the library does not write (${value.length > 60 ? `${value.slice(0, 57)}...` : value})`, ESCAPE_HATCH, at);
    }
  }
  if (s.clientAuth) {
    facts.note(NoteKind.CHANGED, o, `${A}auth-tls-secret`, `clients must present a certificate of the stack's internal CA (InternalCa): the CA in ${ann('auth-tls-secret')} is no longer accepted`,
      'issue new client certificates from the internal CA (its trust bundle is published by trust-manager)', at);
    if (s.verifyClient === 'optional') facts.note(NoteKind.CHANGED, o, `${A}auth-tls-verify-client optional`, 'a route\'s clientAuth requires a certificate; "optional" cannot be said in a RouteSpec', 'use EdgeRoute.clientAuth.optional on a TlsEdge built directly', at);
  } else if (ann('auth-tls-secret') && s.nginx) {
    facts.note(NoteKind.CANNOT, o, `${A}auth-tls-verify-client ${s.verifyClient}`, 'client-certificate verification that does not verify: dropped', undefined, at);
  }
}

/**
 * cert-manager's ingress-shim: an Ingress with `cert-manager.io/cluster-issuer` or `issuer` gets one Certificate per
 * TLS entry, named after its secretName, with the entry's hosts (pkg/controller/certificate-shim/sync.go,
 * buildCertificates). A Certificate of that name it does not own is left alone: two Ingresses naming one Secret
 * do not share it, which is why adopt reports that as a conflict.
 */
function readShim(d: InputDoc, annotations: Record<string, unknown>, facts: Facts): void {
  const cm = (k: string) => text(annotations[`cert-manager.io/${k}`]);
  const clusterIssuer = cm('cluster-issuer');
  const issuer = cm('issuer');
  const tlsAcme = text(annotations['kubernetes.io/tls-acme']) === 'true';
  if (!clusterIssuer && !issuer && !tlsAcme) return;
  const o = d.origin;
  const at = { namespace: o.namespace };
  const kind = clusterIssuer ? 'ClusterIssuer' : cm('issuer-kind') === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer';
  if (!clusterIssuer && !issuer) facts.note(NoteKind.CANNOT, o, 'kubernetes.io/tls-acme', 'cert-manager\'s default issuer (a controller flag) issued these certificates: the stack\'s issuer does now', undefined, at);
  for (const k of ['common-name', 'subject-organizations', 'email-sans', 'ip-sans', 'uri-sans', 'alt-names', 'usages', 'revision-history-limit', 'private-key-encoding', 'issue-temporary-certificate']) {
    if (cm(k) !== undefined) facts.note(NoteKind.CANNOT, o, `cert-manager.io/${k}`, 'a certificate setting a site cannot say: the Certificate is made without it', undefined, at);
  }
  const algorithm = cm('private-key-algorithm');
  const spec = record(d.doc.spec);
  for (const t of list(spec.tls)) {
    const entry = record(t);
    const secretName = text(entry.secretName);
    const hosts = list(entry.hosts).map(text).filter((h): h is string => !!h);
    if (!secretName || !hosts.length) continue;
    facts.certificates.push({
      namespace: o.namespace ?? 'default', name: secretName, secretName, dnsNames: hosts,
      issuer: (clusterIssuer ?? issuer) && isObjectName((clusterIssuer ?? issuer)!) ? { name: (clusterIssuer ?? issuer)!, kind } : undefined,
      keyAlgorithm: algorithm === 'ECDSA' || algorithm === 'Ed25519' ? algorithm : 'RSA',
      keySize: keySize(algorithm === 'ECDSA' || algorithm === 'Ed25519' ? algorithm : 'RSA', integer(cm('private-key-size'))),
      durationSeconds: goSeconds(cm('duration')),
      renewBeforeSeconds: goSeconds(cm('renew-before')),
      source: 'ingress-shim',
      origin: o,
    });
  }
}

/** The Strict-Transport-Security value the ingress-nginx controller sends, or undefined when its HSTS is off. */
function controllerHsts(controller: InputDoc | undefined): string | undefined {
  if (!controller) return NGINX_DEFAULT.hsts;
  const data = record(controller.doc.data);
  const v = (k: string) => text(data[k]);
  if ((v('hsts') ?? 'true') !== 'true') return undefined;
  return [`max-age=${v('hsts-max-age') ?? '31536000'}`, ...((v('hsts-include-subdomains') ?? 'true') === 'true' ? ['includeSubDomains'] : []), ...(v('hsts-preload') === 'true' ? ['preload'] : [])].join('; ');
}

/** The controller ConfigMap: protocols, ciphers and the headers it adds for every nginx host of the input. */
function readControllerConfigMap(d: InputDoc, input: Input, facts: Facts): void {
  facts.used.add(d.origin.index);
  const data = record(d.doc.data);
  const o = d.origin;
  const nginxRoutes = facts.routes.filter((r) => r.edge.kind === EdgeKind.INGRESS_NGINX);
  const byNamespace = new Map<string, string[]>();
  for (const r of nginxRoutes) byNamespace.set(r.namespace, [...new Set([...byNamespace.get(r.namespace) ?? [], r.host])]);
  const protocols = text(data['ssl-protocols']);
  const ciphers = text(data['ssl-ciphers']);
  for (const [ns, hosts] of byNamespace) {
    if (protocols || ciphers) {
      const min = protocols?.split(/\s+/).filter(Boolean).sort()[0];
      facts.profiles.push({ namespace: ns, hosts, ...(min ? { minVersion: min } : {}), ...(ciphers ? { ciphers: ciphers.split(':').filter(Boolean) } : {}), where: `the controller ConfigMap ${o.namespace}/${o.name}`, origin: o });
    }
    const addHeaders = text(data['add-headers']);
    if (addHeaders) headersFromConfigMap(addHeaders, o.namespace ?? 'default', hosts, `the controller's add-headers ConfigMap ${addHeaders}`, input, facts, o, ns);
  }
  if (text(data['allow-snippet-annotations']) === 'true') facts.note(NoteKind.REFUSED, o, 'allow-snippet-annotations: "true"', 'snippet annotations are turned off (NginxControllerSettings)');
  if (text(data['use-forwarded-headers']) === 'true') facts.note(NoteKind.CANNOT, o, 'use-forwarded-headers: "true"', 'trusting X-Forwarded-* is what a stack behind a TLS load balancer needs', 'set edge.behindTlsLoadBalancer: true if a load balancer terminates TLS in front of the controller');
}

/** The headers of a `namespace/name` ConfigMap the Ingress (custom-headers) or the controller (add-headers) names. */
function headersFromConfigMap(ref: string, defaultNs: string, hosts: string[], where: string, input: Input, facts: Facts, o: Origin, stackNs = o.namespace ?? 'default'): void {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [defaultNs, ref];
  const cm = input.named('ConfigMap', ns, name);
  if (!cm) {
    facts.note(NoteKind.CANNOT, o, where, 'the ConfigMap is not in the input: its headers are not known', 'add it to the input, or set the edge\'s headers option', { namespace: stackNs });
    return;
  }
  facts.used.add(cm.origin.index);
  const headers = Object.entries(record(cm.doc.data)).map(([k, v]): [string, string] => [k, text(v) ?? '']);
  if (headers.length) facts.headers.push({ namespace: stackNs, hosts, headers, where, origin: o });
}

/** `more_set_headers "Name: value";` and `add_header Name "value";` lines of a snippet. */
export function snippetHeaders(snippet: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of snippet.matchAll(/more_set_headers\s+(?:-[st]\s+\S+\s+)*(["'])([^:"']+):\s*(.*?)\1\s*;/g)) out.push([m[2].trim(), m[3].trim()]);
  for (const m of snippet.matchAll(/add_header\s+([A-Za-z0-9-]+)\s+(["'])(.*?)\2(?:\s+always)?\s*;/g)) out.push([m[1], m[3].trim()]);
  return out;
}
