import { mergeControllerConfig, namesNoDomain, nginxControllerNeeds, traefikHandshakeOptions } from './controller-wide';
import type { Manifest } from './manifest';

/**
 * The rules that live in the controllers, their admission webhooks and the API server's Go validation, not in the CRD
 * schemas or their CEL rules: the YAML passes `kubectl apply --dry-run=client` and is then refused at admission, or
 * accepted and then ignored, degraded or answered with 500 by the controller. One row per rule, each naming the
 * upstream source (at the pinned versions: Envoy Gateway v1.9.0, Gateway API v1.6.1, cert-manager v1.21.1,
 * trust-manager v0.24.0, ingress-nginx 1.12–1.14, Traefik v3.7.9, Kubernetes 1.32) where it is enforced. The gate runs
 * them over every synthesized document (so nothing is written that a controller refuses), and `cdk8s-tls check` over
 * any YAML.
 */
export interface ControllerRule {
  /** Short id, the finding's rule. */
  readonly id: string;
  /** Where the rule is enforced upstream: repository, file and function. */
  readonly source: string;
  /** What the controller does with a document that breaks it. */
  readonly effect: string;
  /** The kinds it reads. */
  readonly kinds: readonly string[];
  /** Its problems in one document. */
  check(doc: Manifest, unit: RuleUnit): RuleProblem[];
  /** Where it is changed in this library (the construct prop that writes the field). */
  readonly prop: string;
}

/** The documents of the deployable unit a document is checked in, for cross references. */
export interface RuleUnit {
  of(kind: string): ReadonlyArray<{ readonly doc: Manifest }>;
  named(kind: string, namespace: string, name: string): { readonly doc: Manifest } | undefined;
}

export interface RuleProblem {
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

const nsOf = (doc: Manifest): string => doc.metadata?.namespace ?? 'default';
const list = (v: unknown): Manifest[] => (Array.isArray(v) ? v : []);
const problem = (field: string, message: string, fix: string): RuleProblem => ({ field, message, fix });

/** A Kubernetes quantity in bytes (`4Gi`, `500M`, `1024`), or undefined when it is none. */
export function quantityBytes(q: unknown): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)([KMGTPE]i|[kMGTPE])?$/.exec(String(q));
  if (!m) return undefined;
  const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const decimal: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
  return Number(m[1]) * (m[2] ? binary[m[2]] ?? decimal[m[2]] : 1);
}

/** Envoy Gateway's request-buffer maximum: Envoy's buffer limit is a uint32. */
export const MAX_REQUEST_BUFFER_BYTES = 4294967295;

/** Cipher names Envoy Gateway accepts in a ClientTrafficPolicy (internal/gatewayapi/tls.go validCipherSuites, v1.9.0). */
const ENVOY_CIPHERS = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'AES128-GCM-SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA',
  'ECDHE-ECDSA-AES256-SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'AES256-GCM-SHA384', 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA',
]);

/** Cipher names Traefik knows (pkg/tls/cipher.go CipherSuites, v3.7.9): Go's crypto/tls constants. */
const TRAEFIK_CIPHERS = new Set([
  'TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_FALLBACK_SCSV',
]);

/** A Go duration (`2160h0m0s`, `90m`, `1h30m`) in seconds, or undefined when it is none. */
export function goDurationSeconds(d: unknown): number | undefined {
  const s = String(d);
  if (!/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  return [...s.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)].reduce((t, [, n, u]) => t + Number(n) * unit[u], 0);
}

/** Whether two certificate names overlap as Envoy Gateway compares them: equal, or a wildcard covering one more label. */
function namesOverlap(a: string, b: string): boolean {
  const covers = (w: string, n: string) => w.startsWith('*.') && n.endsWith(w.slice(1)) && !n.slice(0, -w.length + 1).includes('.');
  return a === b || covers(a, b) || covers(b, a);
}

/** The listeners of a Gateway and of the ListenerSets attached to it, with where they are. */
function gatewayListeners(unit: RuleUnit, gateway: Manifest): Array<{ owner: Manifest; listener: Manifest }> {
  const gwNs = nsOf(gateway);
  const sets = unit.of('ListenerSet').map((m) => m.doc).filter((ls) => ls.spec?.parentRef?.name === gateway.metadata?.name && (ls.spec.parentRef.namespace ?? nsOf(ls)) === gwNs);
  return [gateway, ...sets].flatMap((owner) => list(owner.spec?.listeners).map((listener) => ({ owner, listener })));
}

/** The DNS names of the certificate a listener serves: the Certificate that writes its Secret, when it is in the unit. */
function listenerNames(unit: RuleUnit, owner: Manifest, listener: Manifest): string[] {
  return list(listener.tls?.certificateRefs).flatMap((ref) => {
    const certNs = ref.namespace ?? nsOf(owner);
    return unit.of('Certificate').map((m) => m.doc).filter((c) => nsOf(c) === certNs && c.spec?.secretName === ref.name).flatMap((c) => list(c.spec?.dnsNames).map(String));
  });
}

/** The Gateway a policy target is on, and the listeners it covers. */
function targetListeners(unit: RuleUnit, policy: Manifest, ref: Manifest): { gateway?: Manifest; covered: Manifest[] } {
  const target = unit.named(ref.kind, nsOf(policy), ref.name)?.doc;
  if (!target) return { covered: [] };
  if (ref.kind === 'Gateway') return { gateway: target, covered: list(target.spec?.listeners) };
  const parent = target.spec?.parentRef;
  return { gateway: parent && unit.named('Gateway', parent.namespace ?? nsOf(target), parent.name)?.doc, covered: list(target.spec?.listeners) };
}

const INGRESS_PATH = /^\/[A-Za-z0-9._\-/]*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
const podSpec = (doc: Manifest): Manifest => (doc.kind === 'Pod' ? doc.spec : doc.kind === 'CronJob' ? doc.spec?.jobTemplate?.spec?.template?.spec : doc.spec?.template?.spec);
const podPath = (doc: Manifest): string => (doc.kind === 'Pod' ? 'spec' : doc.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec');
const NGINX = 'nginx.ingress.kubernetes.io/';

const WORKLOAD_PROP = 'SecureWorkload (TlsStackSpec `apps[]`) writes these fields; check the escape hatch (addJsonPatch, addContainer) that changed them';

export const CONTROLLER_RULES: readonly ControllerRule[] = [
  // Envoy Gateway v1.9.0
  {
    id: 'envoy-request-buffer',
    source: 'envoyproxy/gateway internal/gatewayapi/backendtrafficpolicy.go buildRequestBuffer: limit must be 0 … math.MaxUint32',
    effect: 'policy not accepted; Envoy Gateway answers 500 on every rule it targets',
    kinds: ['BackendTrafficPolicy'],
    check: (doc) => {
      const limit = doc.spec?.requestBuffer?.limit;
      const bytes = limit === undefined ? undefined : quantityBytes(limit);
      return bytes !== undefined && bytes > MAX_REQUEST_BUFFER_BYTES
        ? [problem('spec.requestBuffer.limit', `${limit} is ${bytes} bytes, above Envoy Gateway's request-buffer maximum of ${MAX_REQUEST_BUFFER_BYTES} (Envoy's buffer limit is a uint32)`, 'use at most 4194303Ki (4 GiB - 1 KiB)')]
        : [];
    },
    prop: 'the route\'s `maxRequestBodySize` (at most Size.kibibytes(4194303) on Envoy Gateway)',
  },
  {
    id: 'envoy-alpn-overlap',
    source: 'envoyproxy/gateway internal/gatewayapi/listener.go checkOverlappingCertificates, internal/xds/translator/listener.go (the HTTP/1.1 fallback applies only when ALPN is not set)',
    effect: 'HTTP/2 stays on for listeners whose certificates overlap: a browser reuses one host\'s connection for the other and gets 404',
    kinds: ['ClientTrafficPolicy'],
    check: (doc, unit) => {
      if (!Array.isArray(doc.spec?.tls?.alpnProtocols) || doc.spec.tls.alpnProtocols.every((p: unknown) => p === 'http/1.1')) return [];
      return list(doc.spec?.targetRefs).flatMap((ref, i) => {
        const { gateway, covered } = targetListeners(unit, doc, ref);
        if (!gateway) return [];
        const all = gatewayListeners(unit, gateway).filter(({ listener }) => listener.protocol === 'HTTPS');
        for (const mine of covered.filter((l) => l.protocol === 'HTTPS')) {
          const owner = all.find((x) => x.listener === mine)?.owner ?? gateway;
          const names = listenerNames(unit, owner, mine);
          const other = all.find((x) => x.listener !== mine && x.listener.port === mine.port && listenerNames(unit, x.owner, x.listener).some((n) => names.some((m) => namesOverlap(m, n))));
          if (other) {
            return [problem(`spec.targetRefs[${i}]`, `sets tls.alpnProtocols [${doc.spec.tls.alpnProtocols.join(', ')}] for listener ${mine.name}, whose certificate's names overlap those of listener ${other.listener.name} on port ${mine.port}: Envoy Gateway falls back to HTTP/1.1 there only when ALPN is not set`,
              'leave tls.alpnProtocols unset (or [http/1.1]), or give each listener a certificate that names only its own host')];
          }
        }
        return [];
      });
    },
    prop: 'the edges leave ALPN to Envoy Gateway; check the escape hatch that set tls.alpnProtocols',
  },
  {
    id: 'envoy-ciphers',
    source: 'envoyproxy/gateway internal/gatewayapi/tls.go validCipherSuites, validateCipherSuites',
    effect: 'policy not accepted; every route of the listeners it covers answers 500',
    kinds: ['ClientTrafficPolicy'],
    check: (doc) => list(doc.spec?.tls?.ciphers).flatMap((c, i) => (ENVOY_CIPHERS.has(String(c)) ? [] : [
      problem(`spec.tls.ciphers[${i}]`, `"${c}" is not a cipher Envoy Gateway accepts`, 'use the OpenSSL or IANA names of the TLS 1.2 ECDHE AEAD suites (ECDHE-ECDSA-AES128-GCM-SHA256, ...)')])),
    prop: 'TlsProfile.custom `ciphers` (EdgeOptions.tlsProfile)',
  },
  {
    id: 'envoy-client-ca-grant',
    source: 'envoyproxy/gateway internal/gatewayapi/validate.go validateSecretObjectRef (isCrossNamespaceReferencePermitted)',
    effect: 'policy not accepted; every route of the listeners it covers answers 500',
    kinds: ['ClientTrafficPolicy'],
    check: (doc, unit) => list(doc.spec?.tls?.clientValidation?.caCertificateRefs).flatMap((ref, i) => {
      const target = ref.namespace;
      if (!target || target === nsOf(doc)) return [];
      const granted = unit.of('ReferenceGrant').map((m) => m.doc).some((g) => nsOf(g) === target
        && list(g.spec?.from).some((f) => f.group === 'gateway.envoyproxy.io' && f.kind === 'ClientTrafficPolicy' && f.namespace === nsOf(doc))
        && list(g.spec?.to).some((t) => (t.kind ?? '') === (ref.kind ?? 'ConfigMap') && (!t.name || t.name === ref.name)));
      return granted ? [] : [problem(`spec.tls.clientValidation.caCertificateRefs[${i}]`, `refers to ${ref.kind ?? 'ConfigMap'} ${target}/${ref.name} from namespace ${nsOf(doc)} without a ReferenceGrant`,
        `add a ReferenceGrant in ${target} from gateway.envoyproxy.io/ClientTrafficPolicy (namespace ${nsOf(doc)}) to it, or publish the CA into ${nsOf(doc)}`)];
    }),
    prop: 'the Gateway API edge writes the grant with the policy; check `gatewayNamespace` and the escape hatch',
  },
  {
    id: 'envoy-policy-section',
    source: 'envoyproxy/gateway internal/gatewayapi/validate.go validateRouteRuleSectionName',
    effect: 'policy not accepted (TargetNotFound): the rule keeps Envoy\'s defaults (a WebSocket cut after 5 idle minutes)',
    kinds: ['BackendTrafficPolicy'],
    check: (doc, unit) => list(doc.spec?.targetRefs).flatMap((ref, i) => {
      if (ref.kind !== 'HTTPRoute' || !ref.sectionName) return [];
      const route = unit.named('HTTPRoute', nsOf(doc), ref.name)?.doc;
      return route && !list(route.spec?.rules).some((r) => r.name === ref.sectionName)
        ? [problem(`spec.targetRefs[${i}].sectionName`, `HTTPRoute ${ref.name} has no rule named "${ref.sectionName}"`, 'name the rule in the HTTPRoute, or target the whole route')]
        : [];
    }),
    prop: 'the Gateway API edge names the rules it targets; check the escape hatch that renamed them',
  },
  {
    id: 'listenerset-allowed',
    source: 'envoyproxy/gateway internal/gatewayapi/listenerset.go isListenerSetAllowed (Gateway API: allowedListeners defaults to None)',
    effect: 'the ListenerSet is not accepted (NotAllowed): its listeners serve nothing',
    kinds: ['ListenerSet'],
    check: (doc, unit) => {
      const ref = doc.spec?.parentRef;
      const gateway = ref && unit.named('Gateway', ref.namespace ?? nsOf(doc), ref.name)?.doc;
      if (!gateway) return [];
      const from = gateway.spec?.allowedListeners?.namespaces?.from ?? 'None';
      const namespace = unit.named('Namespace', '', nsOf(doc))?.doc ?? unit.named('Namespace', 'default', nsOf(doc))?.doc;
      const labels: Record<string, string> = { 'kubernetes.io/metadata.name': nsOf(doc), ...namespace?.metadata?.labels };
      const selector: Record<string, string> = gateway.spec?.allowedListeners?.namespaces?.selector?.matchLabels ?? {};
      const allowed = from === 'All' || (from === 'Same' && nsOf(gateway) === nsOf(doc))
        || (from === 'Selector' && (!namespace || Object.entries(selector).every(([k, v]) => labels[k] === v)));
      return allowed ? [] : [problem('spec.parentRef', `Gateway ${nsOf(gateway)}/${gateway.metadata?.name} does not admit ListenerSets from namespace ${nsOf(doc)} (allowedListeners ${from}${from === 'Selector' ? ` ${JSON.stringify(selector)}` : ''})`,
        'label the namespace as the Gateway\'s allowedListeners selector asks, or admit the namespace on the Gateway')];
    },
    prop: 'PlatformGateway admits namespaces labelled by the stacks that attach to it (NamespacedChart); a namespace the app does not create must carry the label (SUMMARY.md lists it)',
  },
  {
    id: 'listener-conflict',
    source: 'envoyproxy/gateway internal/gatewayapi/validate.go validateConflictedHostnameListeners (Gateway API: hostname unique per port)',
    effect: 'the later listener is Conflicted: its routes are unreachable',
    kinds: ['Gateway'],
    check: (doc, unit) => {
      const seen = new Map<string, string>();
      const out: RuleProblem[] = [];
      for (const { owner, listener } of gatewayListeners(unit, doc)) {
        const key = `${listener.port}/${listener.hostname ?? '*'}`;
        const where = `${owner.kind} ${nsOf(owner)}/${owner.metadata?.name} listener ${listener.name}`;
        const other = seen.get(key);
        if (other) out.push(problem('spec.listeners', `${where} and ${other} both serve ${listener.hostname ?? 'every host'} on port ${listener.port}`, 'serve each host on one listener: route all of its paths through one stack'));
        else seen.set(key, where);
      }
      return out;
    },
    prop: 'one stack per public host (TlsStackSpec `routes`); two stacks on one PlatformGateway need different hosts',
  },

  // cert-manager v1.21.1
  {
    id: 'cert-manager-duration',
    source: 'cert-manager/cert-manager internal/apis/certmanager/validation/certificate.go ValidateDuration (MinimumCertificateDuration 1h, MinimumRenewBefore 5m)',
    effect: 'refused by cert-manager\'s webhook',
    kinds: ['Certificate'],
    check: (doc) => {
      const duration = doc.spec?.duration === undefined ? 90 * 86400 : goDurationSeconds(doc.spec.duration);
      const renew = doc.spec?.renewBefore === undefined ? undefined : goDurationSeconds(doc.spec.renewBefore);
      const out: RuleProblem[] = [];
      if (duration !== undefined && duration < 3600) out.push(problem('spec.duration', `${doc.spec.duration} is below cert-manager's minimum of 1h`, 'request at least 1h'));
      if (renew !== undefined && renew < 300) out.push(problem('spec.renewBefore', `${doc.spec.renewBefore} is below cert-manager's minimum of 5m`, 'renew at least 5m before expiry'));
      if (renew !== undefined && duration !== undefined && renew >= duration) out.push(problem('spec.renewBefore', `${doc.spec.renewBefore} is not shorter than the duration ${doc.spec.duration ?? '2160h'}`, 'renew before the certificate expires: a third of the duration'));
      return out;
    },
    prop: 'TlsCertificate `duration` and `renewBefore` (TlsStackSpec `sites[].duration`, `sites[].renewBefore`)',
  },
  {
    id: 'cert-manager-key',
    source: 'cert-manager/cert-manager internal/apis/certmanager/validation/certificate.go ValidateCertificateSpec (commonName at most 64 bytes; RSA 2048-8192, ECDSA 256/384/521)',
    effect: 'refused by cert-manager\'s webhook',
    kinds: ['Certificate'],
    check: (doc) => {
      const out: RuleProblem[] = [];
      const cn = doc.spec?.commonName;
      if (typeof cn === 'string' && Buffer.byteLength(cn) > 64) out.push(problem('spec.commonName', `it is ${Buffer.byteLength(cn)} bytes; cert-manager allows 64`, 'drop commonName (clients match dnsNames) or shorten it'));
      const { algorithm, size } = doc.spec?.privateKey ?? {};
      if (size !== undefined && algorithm === 'RSA' && !(size >= 2048 && size <= 8192)) out.push(problem('spec.privateKey.size', `RSA ${size}`, 'use 2048, 3072 or 4096'));
      if (size !== undefined && algorithm === 'ECDSA' && ![256, 384, 521].includes(size)) out.push(problem('spec.privateKey.size', `ECDSA ${size}`, 'use 256 or 384'));
      return out;
    },
    prop: 'TlsCertificate `commonName` and `privateKey` (TlsStackSpec `sites[].keySize`)',
  },
  {
    id: 'cert-manager-secret-template',
    source: 'cert-manager/cert-manager internal/apis/certmanager/validation/certificate.go (secretTemplate annotations: no cert-manager.io/ keys)',
    effect: 'refused by cert-manager\'s webhook',
    kinds: ['Certificate'],
    check: (doc) => Object.keys(doc.spec?.secretTemplate?.annotations ?? {}).filter((k) => k.startsWith('cert-manager.io/') && k !== 'cert-manager.io/allow-direct-injection').map((k) =>
      problem(`spec.secretTemplate.annotations["${k}"]`, 'cert-manager.io/ annotations are cert-manager\'s own on the Secret', 'use another annotation prefix')),
    prop: 'TlsCertificate `secretAnnotations`',
  },
  {
    id: 'cert-manager-keystore-password',
    source: 'cert-manager/cert-manager internal/apis/certmanager/validation/certificate.go validateKeystores',
    effect: 'refused by cert-manager\'s webhook',
    kinds: ['Certificate'],
    check: (doc) => (['jks', 'pkcs12'] as const).flatMap((k) => {
      const ks = doc.spec?.keystores?.[k];
      if (!ks) return [];
      return (ks.password !== undefined) === (ks.passwordSecretRef?.name !== undefined)
        ? [problem(`spec.keystores.${k}`, 'needs exactly one of password and passwordSecretRef', 'reference the Secret key holding the password (passwordSecretRef)')]
        : [];
    }),
    prop: 'TlsCertificate `keystores` (a password Secret)',
  },
  {
    id: 'cert-manager-solver',
    source: 'cert-manager/cert-manager internal/apis/certmanager/validation/issuer.go ValidateACMEIssuerChallengeSolverConfig, ValidateACMEChallengeSolverDNS01; pkg/issuer/acme/http/httproute.go (parentRefs copied as they are)',
    effect: 'refused by cert-manager\'s webhook; a gatewayHTTPRoute solver without parentRefs is attached to no Gateway and never answers a challenge',
    kinds: ['ClusterIssuer', 'Issuer'],
    check: (doc) => list(doc.spec?.acme?.solvers).flatMap((s, i) => {
      const at = `spec.acme.solvers[${i}]`;
      const out: RuleProblem[] = [];
      if (!!s.http01 === !!s.dns01) out.push(problem(at, 'a solver is exactly one of http01 and dns01', 'split it into two solvers'));
      if (s.http01 && !!s.http01.ingress === !!s.http01.gatewayHTTPRoute) out.push(problem(`${at}.http01`, 'http01 is exactly one of ingress and gatewayHTTPRoute', 'keep one'));
      const parents = s.http01?.gatewayHTTPRoute ? list(s.http01.gatewayHTTPRoute.parentRefs) : undefined;
      if (parents && !parents.length) {
        out.push(problem(`${at}.http01.gatewayHTTPRoute.parentRefs`, 'no Gateway: the challenge route attaches to nothing and no certificate is ever issued',
          'name the Gateways whose HTTP listener answers, or route the hosts this solver proves through an edge on Gateway API'));
      }
      parents?.forEach((p, j) => { if (!!p.name !== !!p.kind) out.push(problem(`${at}.http01.gatewayHTTPRoute.parentRefs[${j}]`, 'name and kind go together', 'give both')); });
      if (s.dns01) {
        const providers = Object.keys(s.dns01).filter((k) => !['cnameStrategy'].includes(k));
        if (providers.length !== 1) out.push(problem(`${at}.dns01`, `${providers.length} DNS-01 providers`, 'configure exactly one'));
        const cf = s.dns01.cloudflare;
        if (cf && !!cf.apiKeySecretRef === !!cf.apiTokenSecretRef) out.push(problem(`${at}.dns01.cloudflare`, 'needs exactly one of apiKeySecretRef and apiTokenSecretRef', 'use an API token (apiTokenSecretRef)'));
      }
      return out;
    }),
    prop: 'the issuer\'s `solvers` (AcmeSolver.http01GatewayHttpRoute() answers on the Gateways of the edges that use it: route the hosts it proves through a Gateway API edge)',
  },

  // trust-manager v0.24.0
  {
    id: 'trust-manager-bundle',
    source: 'cert-manager/trust-manager pkg/webhook/validation.go (one source type per item, at least one source, key unless includeAllKeys)',
    effect: 'refused by trust-manager\'s webhook',
    kinds: ['Bundle'],
    check: (doc) => {
      const sources = list(doc.spec?.sources);
      const out: RuleProblem[] = sources.length ? [] : [problem('spec.sources', 'no source', 'publish at least one CA')];
      sources.forEach((s, i) => {
        const types = ['configMap', 'secret', 'inLine', 'useDefaultCAs'].filter((t) => s[t] !== undefined);
        if (types.length !== 1) out.push(problem(`spec.sources[${i}]`, `${types.length} source types`, 'give each item exactly one of configMap, secret, inLine, useDefaultCAs'));
        for (const t of ['configMap', 'secret']) if (s[t] && !s[t].key && !s[t].includeAllKeys) out.push(problem(`spec.sources[${i}].${t}.key`, 'missing', 'name the key holding the CA (ca.crt)'));
      });
      return out;
    },
    prop: 'InternalCa writes the Bundle; check the escape hatch that changed it',
  },

  // ingress-nginx 1.12-1.14
  {
    id: 'nginx-path',
    source: 'kubernetes/ingress-nginx internal/ingress/inspector/rules.go validPathType (strict-validate-path-type, on by default): letters, digits, _ - / and . (from 1.12.6, 1.13.2)',
    effect: 'the whole Ingress is refused by the admission webhook',
    kinds: ['Ingress'],
    check: (doc) => list(doc.spec?.rules).flatMap((r, i) => list(r.http?.paths).flatMap((p, j) => (
      p.pathType !== 'ImplementationSpecific' && typeof p.path === 'string' && !INGRESS_PATH.test(p.path)
        ? [problem(`spec.rules[${i}].http.paths[${j}].path`, `"${p.path}" has characters ingress-nginx refuses for pathType ${p.pathType}`, 'use letters, digits, "_", "-", "." and "/" only')]
        : []))),
    prop: 'the route\'s `path` (TlsStackSpec `routes[].path`)',
  },
  {
    id: 'nginx-annotation-values',
    source: 'kubernetes/ingress-nginx internal/ingress/annotations/proxy/main.go (proxy-body-size), authtls/main.go (auth-tls-verify-client), proxyssl/main.go: a value that fails its validator silently becomes the default',
    effect: 'silently the controller\'s default (1m body limit; verify-client on)',
    kinds: ['Ingress'],
    check: (doc) => {
      const a: Record<string, string> = doc.metadata?.annotations ?? {};
      const rules: Array<[string, RegExp, string]> = [
        ['proxy-body-size', /^\d+[bkmgBKMG]?$/, 'a size such as 100m'],
        ['auth-tls-verify-client', /^(on|off|optional|optional_no_ca)$/, 'on, optional or optional_no_ca'],
        ['proxy-ssl-verify', /^(on|off)$/, 'on'],
        ['proxy-ssl-server-name', /^(on|off)$/, 'on'],
      ];
      return rules.flatMap(([k, re, use]) => (a[NGINX + k] !== undefined && !re.test(a[NGINX + k])
        ? [problem(`metadata.annotations["${NGINX}${k}"]`, `"${a[NGINX + k]}" is no value ingress-nginx accepts: it would silently use its default`, `use ${use}`)] : []));
    },
    prop: 'the route\'s `maxRequestBodySize` and `clientAuth` (NginxIngressEdge writes these annotations)',
  },
  {
    id: 'nginx-secret-namespace',
    source: 'kubernetes/ingress-nginx internal/ingress/annotations/authtls/main.go, proxyssl/main.go (allow-cross-namespace-resources, default false)',
    effect: 'the location is denied: every path of the Ingress answers 503',
    kinds: ['Ingress'],
    check: (doc) => ['auth-tls-secret', 'proxy-ssl-secret'].flatMap((k) => {
      const v = doc.metadata?.annotations?.[NGINX + k];
      const secretNs = typeof v === 'string' && v.includes('/') ? v.split('/')[0] : undefined;
      return secretNs && secretNs !== nsOf(doc)
        ? [problem(`metadata.annotations["${NGINX}${k}"]`, `Secret ${v} is in another namespace than the Ingress (${nsOf(doc)})`, 'use a Secret of the Ingress\'s namespace (issue the certificate there)')]
        : [];
    }),
    prop: 'NginxIngressEdge writes Secrets of its own namespace; check the escape hatch',
  },
  {
    id: 'nginx-host-path',
    source: 'kubernetes/ingress-nginx internal/ingress/controller/controller.go checkOverlap',
    effect: 'the second Ingress is refused by the admission webhook',
    kinds: ['Ingress'],
    check: (doc, unit) => {
      if (doc.metadata?.annotations?.[`${NGINX}canary`] === 'true') return [];
      const mine = (d: Manifest) => list(d.spec?.rules).flatMap((r) => list(r.http?.paths).map((p) => `${r.host ?? '*'}${p.path ?? '/'}`));
      const earlier = unit.of('Ingress').map((m) => m.doc).slice(0, unit.of('Ingress').findIndex((m) => m.doc === doc))
        .filter((d) => d.metadata?.annotations?.[`${NGINX}canary`] !== 'true' && (d.spec?.ingressClassName ?? '') === (doc.spec?.ingressClassName ?? ''));
      return [...new Set(mine(doc))].flatMap((hp) => {
        const other = earlier.find((d) => mine(d).includes(hp));
        return other ? [problem('spec.rules', `host and path ${hp} are already defined in Ingress ${nsOf(other)}/${other.metadata?.name}`, 'route each host and path once')] : [];
      });
    },
    prop: 'one route per host and path (TlsStackSpec `routes`), one stack per public host',
  },

  {
    id: 'nginx-controller-wide',
    source: 'kubernetes/ingress-nginx internal/ingress/controller/config/config.go (ssl-protocols, ssl-ciphers, hsts*: one value per controller, no per-Ingress annotation)',
    effect: 'one of the edges gets the other\'s TLS versions and HSTS policy',
    kinds: ['ConfigMap'],
    check: (doc, unit) => {
      const mine = nginxControllerNeeds(doc);
      if (!mine) return [];
      const peers = unit.of('ConfigMap').map((m) => m.doc).filter((d) => d !== doc && nginxControllerNeeds(d)?.ingressClassName === mine.ingressClassName);
      return peers.flatMap((peer) => mergeControllerConfig([mine.config, nginxControllerNeeds(peer)!.config]).conflicts.map((c) =>
        problem(`metadata.annotations["tls-stack/ingress-nginx-controller-config"]`, `${c.key} is controller-wide in ingress-nginx (IngressClass "${mine.ingressClassName}"): this edge needs "${c.values[0]}", the edge of ConfigMap ${nsOf(peer)}/${peer.metadata?.name} "${c.values[1]}"`,
          'give the edges of one ingress-nginx controller one TLS profile and one HSTS policy, or controllers (IngressClasses) of their own')));
    },
    prop: 'the edges\' `tlsProfile` and `headers.hsts` (EdgeOptions), `ingressClassName`',
  },

  // Traefik v3.7.9
  {
    id: 'traefik-tls-option',
    source: 'traefik/traefik pkg/tls/tlsmanager.go buildTLSConfig (an unknown cipher breaks the option: handshakes are closed; an unknown minVersion is ignored), pkg/tls/cipher.go',
    effect: 'every TLS handshake of the hosts using it is closed (unknown cipher), or the version floor is silently Go\'s default',
    kinds: ['TLSOption'],
    check: (doc) => [
      ...list(doc.spec?.cipherSuites).flatMap((c, i) => (TRAEFIK_CIPHERS.has(String(c)) ? [] : [problem(`spec.cipherSuites[${i}]`, `"${c}" is not a Go cipher name Traefik knows`, 'use Go\'s names: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ...')])),
      ...(['minVersion', 'maxVersion'] as const).flatMap((k) => (doc.spec?.[k] !== undefined && !/^VersionTLS1[0-3]$/.test(String(doc.spec[k]))
        ? [problem(`spec.${k}`, `"${doc.spec[k]}" is not a version Traefik knows: it would be ignored`, 'use VersionTLS12 or VersionTLS13')] : [])),
    ],
    prop: 'the edge\'s `tlsProfile` (TlsProfile.custom ciphers)',
  },
  {
    id: 'traefik-options-per-host',
    source: 'traefik/traefik pkg/server/aggregator.go (routers of one host and entry point with different TLS options all fall back to the default options)',
    effect: 'silently Traefik\'s default TLS options for every router of the host: no client-certificate check, no version floor',
    kinds: ['IngressRoute'],
    check: (doc, unit) => {
      const option = (d: Manifest) => (d.spec?.tls?.options ? `${d.spec.tls.options.namespace ?? nsOf(d)}/${d.spec.tls.options.name}` : 'default');
      const hosts = (d: Manifest) => list(d.spec?.routes).flatMap((r) => [...String(r.match ?? '').matchAll(/Host\(`([^`]+)`\)/g)].map((m) => m[1]));
      const others = unit.of('IngressRoute').map((m) => m.doc).filter((d) => d !== doc && d.spec?.tls && d.spec?.entryPoints?.some((e: string) => doc.spec?.entryPoints?.includes(e)));
      if (!doc.spec?.tls) return [];
      return [...new Set(hosts(doc))].flatMap((h) => {
        const other = others.find((d) => hosts(d).includes(h) && option(d) !== option(doc));
        return other ? [problem('spec.tls.options', `host ${h} is served with TLS options ${option(doc)} here and ${option(other)} by IngressRoute ${nsOf(other)}/${other.metadata?.name}`, 'use one TLSOption per host')] : [];
      });
    },
    prop: 'one client-certificate setting per host (the routes of a host agree on `clientAuth`)',
  },
  {
    id: 'traefik-wildcard-options',
    source: 'traefik/traefik pkg/server/router/tcp/manager.go (a rule with no Host() domain: "the TLS options applied for this router will depend on the SNI of each request", the default options), pkg/muxer/http/mux.go ParseDomains',
    effect: 'the handshake of a wildcard host gets Traefik\'s default TLS options: no client-certificate check; and one default serves every wildcard host',
    kinds: ['IngressRoute'],
    check: (doc, unit) => {
      const option = (d: Manifest) => d.spec?.tls?.options && unit.named('TLSOption', d.spec.tls.options.namespace ?? nsOf(d), d.spec.tls.options.name)?.doc;
      const wildcard = (d: Manifest) => Boolean(d.spec?.tls) && list(d.spec?.routes).some((r) => namesNoDomain(r.match));
      const mine = wildcard(doc) ? option(doc) : undefined;
      if (!mine) return [];
      const auth = mine.spec?.clientAuth?.clientAuthType;
      const clientAuth = auth && auth !== 'NoClientCert' && auth !== 'RequestClientCert'
        ? [problem('spec.tls.options', `TLSOption ${nsOf(mine)}/${mine.metadata?.name} verifies client certificates (${auth}), but this route's HostRegexp names no domain: Traefik never applies it`, 'give client-certificate hosts exact names (Host())')] : [];
      const want = JSON.stringify(traefikHandshakeOptions(mine));
      const other = unit.of('IngressRoute').map((m) => m.doc).find((d) => d !== doc && wildcard(d) && option(d) && JSON.stringify(traefikHandshakeOptions(option(d))) !== want);
      return [...clientAuth, ...(other ? [problem('spec.tls.options', `wildcard hosts here need Traefik's default TLS options to be ${want}, those of IngressRoute ${nsOf(other)}/${other.metadata?.name} ${JSON.stringify(traefikHandshakeOptions(option(other)))}: one default serves both`,
        'give the stacks with wildcard hosts on one Traefik one TLS profile')] : [])];
    },
    prop: 'the edges\' `tlsProfile`; wildcard hosts in `routes` (TlsStackSpec)',
  },
  {
    id: 'traefik-namespace',
    source: 'traefik/traefik pkg/provider/kubernetes/crd/kubernetes.go resolveReference (allowCrossNamespace, off by default)',
    effect: 'the route is skipped: its hosts answer 404',
    kinds: ['IngressRoute'],
    check: (doc) => {
      const here = nsOf(doc);
      const refs: Array<[string, Manifest]> = [
        ...list(doc.spec?.routes).flatMap((r, i) => [
          ...list(r.middlewares).map((m, j): [string, Manifest] => [`spec.routes[${i}].middlewares[${j}]`, m]),
          ...list(r.services).filter((s) => !String(s.name).includes('@')).map((s, j): [string, Manifest] => [`spec.routes[${i}].services[${j}]`, s]),
        ]),
        ...(doc.spec?.tls?.options ? [['spec.tls.options', doc.spec.tls.options] as [string, Manifest]] : []),
      ];
      return refs.filter(([, r]) => r.namespace && r.namespace !== here).map(([field, r]) =>
        problem(field, `${r.name} is in namespace ${r.namespace}, the IngressRoute in ${here}: Traefik skips the route unless allowCrossNamespace is on`, 'keep the referenced object in the IngressRoute\'s namespace'));
    },
    prop: 'TraefikEdge writes its Middlewares and TLSOptions in its own namespace; check the escape hatch',
  },

  // Kubernetes API server 1.32
  {
    id: 'kubernetes-annotations-size',
    source: 'kubernetes/apimachinery pkg/api/validation/objectmeta.go ValidateAnnotationsSize (TotalAnnotationSizeLimitB 256 KiB)',
    effect: 'refused by the API server',
    kinds: ['*'],
    check: (doc) => {
      const size = Object.entries(doc.metadata?.annotations ?? {}).reduce((t, [k, v]) => t + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
      return size > 262144 ? [problem('metadata.annotations', `they total ${size} bytes; Kubernetes allows 262144`, 'move large values out of annotations')] : [];
    },
    prop: 'annotations the constructs write are short; check the escape hatch that added large ones',
  },
  {
    id: 'kubernetes-pod-template',
    source: 'kubernetes/kubernetes pkg/apis/core/validation/validation.go validateContainers, validateContainerPorts, ValidateEnv, ValidateVolumes, ValidateVolumeMounts, validateProbe',
    effect: 'refused by the API server',
    kinds: [...POD_KINDS],
    check: (doc) => {
      const spec = podSpec(doc);
      if (!spec) return [];
      const at = podPath(doc);
      const out: RuleProblem[] = [];
      const volumes = new Set<string>();
      list(spec.volumes).forEach((v, i) => {
        if (!DNS_LABEL.test(String(v.name)) || String(v.name).length > 63) out.push(problem(`${at}.volumes[${i}].name`, `"${v.name}" is not a DNS label`, 'use lower-case letters, digits and "-" (at most 63)'));
        if (volumes.has(v.name)) out.push(problem(`${at}.volumes[${i}].name`, `"${v.name}" is used twice`, 'give each volume its own name'));
        volumes.add(v.name);
        for (const source of ['secret', 'configMap', 'projected', 'downwardAPI']) {
          const mode = v[source]?.defaultMode;
          if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o777)) out.push(problem(`${at}.volumes[${i}].${source}.defaultMode`, `${mode} is outside 0-0777`, 'write the mode in octal: 0o440 is 288'));
        }
      });
      const names = new Set<string>();
      [...list(spec.containers), ...list(spec.initContainers)].forEach((c) => {
        const field = `${at}.containers[${c.name}]`;
        if (!DNS_LABEL.test(String(c.name)) || String(c.name).length > 63) out.push(problem(`${field}.name`, `"${c.name}" is not a DNS label`, 'use lower-case letters, digits and "-" (at most 63)'));
        if (names.has(c.name)) out.push(problem(`${field}.name`, 'two containers have this name', 'name each container once'));
        names.add(c.name);
        list(c.ports).forEach((p, i) => { if (p.name !== undefined && !PORT_NAME.test(String(p.name))) out.push(problem(`${field}.ports[${i}].name`, `"${p.name}" is no IANA service name (at most 15 lower-case letters, digits and "-", a letter among them)`, 'shorten it')); });
        list(c.env).forEach((e, i) => { if (!ENV_NAME.test(String(e.name))) out.push(problem(`${field}.env[${i}].name`, `"${e.name}" is not a valid variable name`, 'use letters, digits, "_", "-" and "." (not starting with a digit)')); });
        const paths = new Set<string>();
        list(c.volumeMounts).forEach((m, i) => {
          if (!volumes.has(m.name)) out.push(problem(`${field}.volumeMounts[${i}].name`, `no volume "${m.name}"`, 'mount a volume of the pod'));
          if (paths.has(m.mountPath)) out.push(problem(`${field}.volumeMounts[${i}].mountPath`, `${m.mountPath} is mounted twice`, 'mount each path once'));
          paths.add(m.mountPath);
        });
        for (const probe of ['livenessProbe', 'startupProbe']) {
          const t = c[probe]?.successThreshold;
          if (t !== undefined && t !== 1) out.push(problem(`${field}.${probe}.successThreshold`, `${t}; liveness and startup probes must use 1`, 'use 1'));
        }
      });
      return out;
    },
    prop: WORKLOAD_PROP,
  },
  {
    id: 'kubernetes-service-ports',
    source: 'kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateService, validateServicePort (names required with several ports; appProtocol a qualified name)',
    effect: 'refused by the API server',
    kinds: ['Service'],
    check: (doc) => {
      const ports = list(doc.spec?.ports);
      return ports.flatMap((p, i) => [
        ...(ports.length > 1 && !p.name ? [problem(`spec.ports[${i}].name`, 'a Service with several ports names each', 'name the port')] : []),
        ...(p.appProtocol !== undefined && !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(String(p.appProtocol))
          ? [problem(`spec.ports[${i}].appProtocol`, `"${p.appProtocol}" is not a qualified name`, 'use https, kubernetes.io/wss or kubernetes.io/h2c')] : []),
      ]);
    },
    prop: 'SecureWorkload writes one port with its appProtocol; check the escape hatch',
  },
  {
    id: 'kubernetes-ingress-path',
    source: 'kubernetes/kubernetes pkg/apis/networking/validation/validation.go validateHTTPIngressPath (invalidPathSequences)',
    effect: 'refused by the API server',
    kinds: ['Ingress'],
    check: (doc) => list(doc.spec?.rules).flatMap((r, i) => list(r.http?.paths).flatMap((p, j) => {
      const path = String(p.path ?? '');
      const bad = p.pathType !== 'ImplementationSpecific' && (['//', '/./', '/../', '%2f', '%2F'].some((s) => path.includes(s)) || /\/\.\.?$/.test(path));
      return bad ? [problem(`spec.rules[${i}].http.paths[${j}].path`, `"${path}" holds //, /./, /../ or %2f, or ends with /. or /..`, 'use a plain absolute path')] : [];
    })),
    prop: 'the route\'s `path` (TlsStackSpec `routes[].path`)',
  },
];

/** The rules that read documents of this kind. */
export function controllerRulesFor(kind: string): ControllerRule[] {
  return CONTROLLER_RULES.filter((r) => r.kinds.includes(kind) || r.kinds.includes('*'));
}
