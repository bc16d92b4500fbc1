import { Construct, IConstruct } from 'constructs';
import * as backendTls from '../../imports/backendtlspolicies-gateway.networking.k8s.io';
import * as gateways from '../../imports/gateways-gateway.networking.k8s.io';
import * as httpRoutes from '../../imports/httproutes-gateway.networking.k8s.io';
import * as listenerSets from '../../imports/listenersets-gateway.networking.k8s.io';
import * as grants from '../../imports/referencegrants-gateway.networking.k8s.io';
import * as tlsRoutes from '../../imports/tlsroutes-gateway.networking.k8s.io';
import { labelNamespaceOf } from '../chart';
import { AcmeSolver, CaIssuer } from '../issuers';
import { check, checkName, fail, fitName, groupBy, NameKind } from '../policy/validation';
import { EdgeClientAuth, NOTE, PASSTHROUGH_NOTE, ResolvedRoute, TlsEdgeBase, TlsEdgeProps } from './edge';
import { BODY_LIMIT_ANNOTATION, GatewayImplementation, RouteRulesPolicy, STREAM_IDLE_ANNOTATION, TLS_PROFILE_ANNOTATION, clientTrafficPolicy, profileNote, routeRulesPolicy } from './envoy';
import { ISharedGateway } from './platform';

/** Redirect status codes for HTTP→HTTPS (302 is never emitted). */
export enum RedirectStatus {
  MOVED_PERMANENTLY = 301,
  PERMANENT_REDIRECT = 308,
}

/** Where the Gateway's certificates come from. */
export enum GatewayCertificateMode {
  /** Explicit, reviewable Certificate objects (the default). */
  EXPLICIT = 'explicit',
  /** cert-manager's gateway-shim creates them from annotations on the Gateway and its listeners. */
  GATEWAY_SHIM = 'gateway-shim',
}

/** Props of {@link GatewayApiEdge}. */
export interface GatewayApiEdgeProps extends TlsEdgeProps {
  /** GatewayClass of the edge's own Gateway. @default "eg" (Envoy Gateway's default class) */
  readonly gatewayClassName?: string;
  /**
   * Which implementation runs the edge's own Gateway: Envoy Gateway gets ClientTrafficPolicy (TLS profile, client
   * validation) and BackendTrafficPolicy (WebSocket idle timeout); another implementation gets the portable objects,
   * and the cluster requirements say what to configure. @default GatewayImplementation.ENVOY_GATEWAY
   */
  readonly implementation?: GatewayImplementation;
  /**
   * Namespace of the edge's own Gateway when it is not the routes' namespace: listeners then reference certificate
   * Secrets across namespaces through a ReferenceGrant. @default the chart's namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * Attach to this shared Gateway (e.g. a {@link PlatformGateway}) with ListenerSets in the routes' namespace instead
   * of creating a Gateway: certificates stay in the stack's namespace (no ReferenceGrant), redirects and HTTP-01 use the
   * shared Gateway's HTTP listener. The edge's TLS profile is then the shared Gateway's unless `tlsProfile` is given.
   * @default a Gateway of its own
   */
  readonly sharedGateway?: ISharedGateway;
  /**
   * Explicit Certificates, or cert-manager's gateway-shim (the edge's certificates are then not emitted; the Gateway
   * carries their issuer, key and lifetimes as annotations, and every name they hold must be a listener hostname).
   * @default GatewayCertificateMode.EXPLICIT
   */
  readonly certificateMode?: GatewayCertificateMode;
  /** HTTP→HTTPS redirect code. @default RedirectStatus.PERMANENT_REDIRECT */
  readonly redirectStatus?: RedirectStatus;
}

const GROUP = 'gateway.networking.k8s.io';
const XFP = 'X-Forwarded-Proto';
/**
 * Gateway API's own limits (apis/v1/gateway_types.go, listenerset_types.go, httproute_types.go: kubebuilder MaxItems):
 * 64 listeners per Gateway or ListenerSet, 16 hostnames and 16 rules per HTTPRoute.
 */
const MAX_LISTENERS = 64;
const MAX_HOSTNAMES = 16;
const MAX_RULES = 16;
/** The largest request-body limit Envoy Gateway takes in whole KiB: 4194303 KiB ≤ 4294967295 bytes (a uint32). */
const MAX_REQUEST_BUFFER_KIB = 4194303;

/** Where a host's listener is: the Gateway itself or one of the edge's ListenerSets. */
interface ListenerHolder {
  readonly kind: 'Gateway' | 'ListenerSet';
  readonly name: string;
  readonly hosts: ResolvedRoute[];
  /** Client-certificate validation of its HTTPS listeners (one setting per Gateway or ListenerSet). */
  readonly clientAuth?: EdgeClientAuth;
  /** It carries the plain-HTTP listener (the edge's own Gateway). */
  readonly http: boolean;
}

/** BackendTLSPolicies emitted per App, by `namespace/service`: one per Service, whichever edge reaches it first. */
const backendPolicies = new WeakMap<IConstruct, Map<string, string>>();

/**
 * A TLS edge on Gateway API (v1): HTTPS listeners (one per host, `Terminate`, certificates from explicit Certificates) on
 * a Gateway of its own or, with `sharedGateway`, in ListenerSets attached to a shared one; HTTPRoutes on the plain-HTTP
 * listener that redirect to HTTPS (301/308); app HTTPRoutes on the HTTPS listeners with HSTS and the security headers
 * as `ResponseHeaderModifier` filters; one BackendTLSPolicy (CA bundle + service hostname) per TLS backend; TLSRoutes for
 * passthrough hosts; ReferenceGrants wherever a reference crosses namespaces.
 *
 * Any number of hosts: Gateway API holds 64 listeners per Gateway or ListenerSet and 16 hostnames and 16 rules per
 * HTTPRoute, so the edge spreads listeners over ListenerSets of its own (on Envoy Gateway) and splits the routes. Hosts
 * whose client-certificate settings differ get ListenerSets of their own, each with its own ClientTrafficPolicy.
 *
 * Gateway API cannot say TLS versions, ciphers or stream idle timeouts portably. On Envoy Gateway the edge enforces them
 * with a ClientTrafficPolicy on its Gateway and each ListenerSet (profile, client-certificate validation, trusting the
 * load balancer's X-Forwarded-Proto) and a BackendTrafficPolicy on its WebSocket and body-limit rules; on another
 * implementation it states them (`tls-stack/tls-profile`, `tls-stack/stream-idle-timeout`) and the cluster
 * requirements list them.
 */
export class GatewayApiEdge extends TlsEdgeBase {
  /** The Gateway the edge's listeners are on (its own, or the shared one). */
  public readonly gatewayName: string;
  public readonly gatewayNamespace: string;
  public readonly gatewayClassName: string;
  public readonly implementation: GatewayImplementation;
  /** The plain-HTTP listener redirects and HTTP-01 challenges use. */
  public readonly httpListener: string;
  private readonly shared?: ISharedGateway;
  private readonly envoy: boolean;
  /** The edge's own Gateway is in another namespace than its routes. */
  private readonly crossNamespace: boolean;
  private readonly grants = new Map<string, { from: { group: string; kind: string; namespace: string }; to: Set<string> }>();
  /** The listener holder of each host. */
  private readonly holderOf = new Map<string, ListenerHolder>();

  constructor(scope: Construct, id: string, props: GatewayApiEdgeProps) {
    super(scope, id, { ...props, tlsProfile: props.tlsProfile ?? props.sharedGateway?.tlsProfile });
    const shared = this.shared = props.sharedGateway;
    this.gatewayClassName = shared?.gatewayClassName ?? props.gatewayClassName ?? 'eg';
    this.gatewayNamespace = shared?.gatewayNamespace ?? props.gatewayNamespace ?? this.routesNamespace;
    this.gatewayName = shared?.gatewayName ?? props.name;
    this.implementation = shared?.implementation ?? props.implementation ?? GatewayImplementation.ENVOY_GATEWAY;
    this.httpListener = shared?.httpListener ?? 'http';
    this.envoy = this.implementation === GatewayImplementation.ENVOY_GATEWAY;
    this.crossNamespace = !shared && this.gatewayNamespace !== this.routesNamespace;
    this.checkProps(props);
    this.refuseClientAuthOptions(props, this.envoy ? 'Envoy Gateway' : 'Gateway API', ['verifyDepth', 'passCertificateToUpstream']);
    if (this.envoy) {
      for (const r of this.routes.filter((x) => (x.maxRequestBodyBytes ?? 0) > MAX_REQUEST_BUFFER_KIB * 1024)) {
        fail(this, `${r.field}.maxRequestBodySize`, `${r.maxRequestBodyBytes} bytes`, `Envoy Gateway buffers at most 4294967295 bytes (Envoy's buffer limit is a uint32; internal/gatewayapi/backendtrafficpolicy.go buildRequestBuffer), and a larger limit makes the route answer 500: use at most Size.kibibytes(${MAX_REQUEST_BUFFER_KIB}), or no limit`);
      }
      // The optional mode is Envoy Gateway's (VerifyIfGiven); Gateway API's own frontend validation has none.
    } else {
      for (const r of this.routes.filter((x) => x.clientAuth?.optional)) {
        fail(this, `${r.field}.clientAuth.optional`, r.host, 'Gateway API\'s own client validation has no optional mode (only Envoy Gateway\'s VerifyIfGiven): require the certificate (drop optional), or run the Gateway on Envoy Gateway');
      }
    }

    const holders = this.listenerHolders();
    const terminated = this.routes.filter((r) => !r.passthrough);
    const annotations: Record<string, string> = {
      ...(props.certificateMode === GatewayCertificateMode.GATEWAY_SHIM ? this.delegateCertificates(terminated, holders) : {}),
      ...(this.envoy ? {} : { [TLS_PROFILE_ANNOTATION]: profileNote(this.tlsProfile) }),
    };
    for (const holder of holders) this.addListenerHolder(holder, annotations);
    this.addRedirectRoutes(props.redirectStatus ?? RedirectStatus.PERMANENT_REDIRECT);
    for (const [host, routes] of this.routesByHost) if (!routes[0].passthrough) this.addAppRoutes(host);
    this.addPassthroughRoutes();
    this.addBackendTlsPolicies();
    this.checkHttp01Solvers();
    this.addReferenceGrants();
  }

  private get routesNamespace(): string {
    return this.namespace ?? 'default';
  }

  /** What the props allow together, with a shared Gateway, and on an implementation other than Envoy Gateway. */
  private checkProps(props: GatewayApiEdgeProps): void {
    const shared = this.shared;
    checkName(this, 'gatewayClassName', this.gatewayClassName, NameKind.OBJECT, 'use the GatewayClass name');
    checkName(this, 'gatewayNamespace', this.gatewayNamespace, NameKind.LABEL, 'use a namespace name');
    check(!shared || props.gatewayNamespace === undefined, this, 'gatewayNamespace', props.gatewayNamespace, 'a shared Gateway has its own namespace: drop gatewayNamespace');
    const redirect = props.redirectStatus ?? RedirectStatus.PERMANENT_REDIRECT;
    check(redirect === 301 || redirect === 308, this, 'redirectStatus', redirect, 'use RedirectStatus.PERMANENT_REDIRECT (308) or MOVED_PERMANENTLY (301)');
    const terminated = this.routes.filter((r) => !r.passthrough);
    const modes = new Set(terminated.map((r) => clientAuthKey(r.clientAuth)));
    if (!this.envoy) {
      // Gateway API's own frontend validation is one setting per Gateway (spec.tls.frontend.default).
      check(modes.size <= 1, this, 'routes', 'clientAuth',
        'Gateway API validates client certificates per Gateway, not per host, and only Envoy Gateway can give a ListenerSet its own validation: give the routes one clientAuth setting (or none), or give the others their own edge');
      check(!shared || !terminated.some((r) => r.clientAuth), this, 'routes', 'clientAuth',
        'only Envoy Gateway can validate client certificates per ListenerSet (ClientTrafficPolicy); Gateway API\'s own frontend validation is per Gateway: give this stack a Gateway of its own');
      const listeners = this.routesByHost.size + (shared ? 0 : 1);
      check(!!shared || listeners <= MAX_LISTENERS, this, 'routes', `${this.routesByHost.size} hosts`,
        `a Gateway holds at most ${MAX_LISTENERS} listeners (Gateway API) and this edge needs ${listeners} (one per host and the HTTP listener); on ${this.implementation} the edge does not spread them over ListenerSets of its own: attach the stack to a PlatformGateway (sharedGateway), whose ListenerSets hold ${MAX_LISTENERS} each, or split the hosts over several stacks`);
    }
    // The edge presents a client certificate only to backends that require one (re-encryption alone needs the CA bundle).
    const mtlsBackend = terminated.find((r) => r.upstreamTls && r.backend.requiresClientCertificates);
    if (shared) {
      // One HTTP listener serves every stack: they and the Gateway agree on whether a TLS load balancer is in front. A
      // stack that does not know would only redirect port 80, where the load balancer sends everything: a loop.
      check(shared.behindTlsLoadBalancer === this.behindTlsLoadBalancer, this, 'behindTlsLoadBalancer', this.behindTlsLoadBalancer,
        shared.behindTlsLoadBalancer
          ? `the shared Gateway ${shared.gatewayNamespace}/${shared.gatewayName} is behind a TLS load balancer, which sends every request to its HTTP listener: set behindTlsLoadBalancer: true on this stack too, or give it a Gateway of its own`
          : `the shared Gateway ${shared.gatewayNamespace}/${shared.gatewayName} must trust the load balancer's X-Forwarded-Proto on its HTTP listener: set behindTlsLoadBalancer on it (PlatformGateway) too`);
      check(!mtlsBackend, this, 'routes', mtlsBackend?.backend.serviceName,
        'the client certificate a Gateway presents to backends is one setting for the whole shared Gateway: give this stack a Gateway of its own (drop sharedGateway), or let the backend accept the edge without a client certificate');
      check(props.certificateMode !== GatewayCertificateMode.GATEWAY_SHIM, this, 'certificateMode', props.certificateMode,
        'cert-manager reads ListenerSets only behind an alpha feature gate (off by default), so its gateway-shim would issue nothing: use GatewayCertificateMode.EXPLICIT');
      labelNamespaceOf(this, shared.attachLabel);
    }
  }

  /**
   * Where each host's listener goes. The edge's own Gateway takes the plain-HTTP listener and the hosts without client
   * certificates (or, when every host requires them, the first setting's); the rest go to ListenerSets: one group per
   * client-certificate setting (Envoy Gateway applies a ListenerSet's ClientTrafficPolicy to its own listeners only,
   * internal/gatewayapi/clienttrafficpolicy.go listenersBelongToLS), 64 listeners each. With a shared Gateway every
   * host is in a ListenerSet of the stack.
   */
  private listenerHolders(): ListenerHolder[] {
    const byHost = [...this.routesByHost.values()].map((routes) => routes[0]);
    // Elsewhere client validation is the Gateway's own (one setting, checkProps): every host stays on it, passthrough too.
    const groupOf = (r: ResolvedRoute) => (!this.envoy || r.passthrough ? '' : clientAuthKey(r.clientAuth));
    const groups = [...groupBy(byHost, groupOf).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const holders: ListenerHolder[] = [];
    groups.forEach(([, hosts], g) => {
      const own = !this.shared && g === 0;
      // The own Gateway's HTTP listener takes one of its 64.
      const chunks = chunk(hosts, MAX_LISTENERS, own ? MAX_LISTENERS - 1 : MAX_LISTENERS);
      const auth = hosts.find((r) => !r.passthrough)?.clientAuth;
      // Named after the edge, then what sets them apart: <edge>-mtls-<ca>[-optional], -2, -3... for further parts.
      const suffix = auth ? ['mtls', auth.ca.issuerName, ...(auth.optional ? ['optional'] : [])] : [];
      chunks.forEach((part, k) => {
        const gateway = own && k === 0;
        const parts = [...suffix, ...(k ? [k + 1] : [])];
        const name = gateway || !parts.length ? this.edgeName : this.objectName(...parts);
        holders.push({ kind: gateway ? 'Gateway' : 'ListenerSet', name, hosts: part, clientAuth: auth, http: gateway });
      });
    });
    if (!this.shared && !holders.length) holders.push({ kind: 'Gateway', name: this.edgeName, hosts: [], http: true });
    for (const holder of holders) for (const r of holder.hosts) this.holderOf.set(r.host, holder);
    return holders;
  }

  /** A Gateway or ListenerSet with its listeners, and on Envoy Gateway its ClientTrafficPolicy. */
  private addListenerHolder(holder: ListenerHolder, annotations: Record<string, string>): void {
    const clientCa = holder.clientAuth && { configMap: this.bundleRef(holder.clientAuth.ca), optional: !!holder.clientAuth.optional };
    if (holder.kind === 'ListenerSet') {
      new listenerSets.ListenerSet(this, holder.name === this.edgeName ? 'ListenerSet' : `ListenerSet-${holder.name}`, {
        metadata: { name: holder.name, annotations: this.envoy ? undefined : { [TLS_PROFILE_ANNOTATION]: profileNote(this.tlsProfile) } },
        spec: {
          parentRef: { group: GROUP, kind: 'Gateway', name: this.gatewayName, namespace: this.gatewayNamespace },
          listeners: this.listeners(holder, {
            passthrough: listenerSets.ListenerSetSpecListenersTlsMode.PASSTHROUGH, terminate: listenerSets.ListenerSetSpecListenersTlsMode.TERMINATE,
            same: listenerSets.ListenerSetSpecListenersAllowedRoutesNamespacesFrom.SAME, selector: listenerSets.ListenerSetSpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
          }),
        },
      });
    } else {
      // Client validation on another implementation: Gateway API's own (per Gateway). Envoy Gateway: its ClientTrafficPolicy.
      const frontend = clientCa && !this.envoy ? { default: { validation: { caCertificateRefs: [this.configMapRef(clientCa.configMap, this.crossNamespace)] } } } : undefined;
      const mtlsBackend = this.routes.find((r) => !r.passthrough && r.upstreamTls && r.backend.requiresClientCertificates);
      const backend = mtlsBackend ? { clientCertificateRef: this.secretRef(this.edgeClientCertificate(mtlsBackend.upstreamTls!.ca).secretName) } : undefined;
      const ownListenerSets = this.holderOf.size > holder.hosts.length;
      new gateways.Gateway(this, 'Gateway', {
        metadata: { name: this.gatewayName, namespace: this.gatewayNamespace, annotations },
        spec: {
          gatewayClassName: this.gatewayClassName,
          // The edge's own ListenerSets, in the routes' namespace.
          ...(ownListenerSets ? { allowedListeners: { namespaces: this.crossNamespace
            ? { from: gateways.GatewaySpecAllowedListenersNamespacesFrom.SELECTOR, selector: { matchLabels: { 'kubernetes.io/metadata.name': this.routesNamespace } } }
            : { from: gateways.GatewaySpecAllowedListenersNamespacesFrom.SAME } } } : {}),
          listeners: this.listeners(holder, {
            passthrough: gateways.GatewaySpecListenersTlsMode.PASSTHROUGH, terminate: gateways.GatewaySpecListenersTlsMode.TERMINATE,
            same: gateways.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME, selector: gateways.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
          }),
          tls: frontend || backend ? { frontend, backend } : undefined,
        },
      });
    }
    if (this.envoy && holder.hosts.some((r) => !r.passthrough)) {
      // The policy lives with its target (targetRefs are local); its CA ConfigMap stays in the routes' namespace.
      const namespace = holder.kind === 'Gateway' && this.crossNamespace ? this.gatewayNamespace : undefined;
      clientTrafficPolicy(this, holder.name === this.edgeName ? 'ClientTrafficPolicy' : `ClientTrafficPolicy-${holder.name}`, holder.name, {
        namespace,
        target: { kind: holder.kind, name: holder.name },
        profile: this.tlsProfile,
        clientCa: clientCa && { ...clientCa, namespace: namespace ? this.routesNamespace : undefined },
        trustForwardedProto: holder.http && this.behindTlsLoadBalancer,
      });
      if (namespace && clientCa) this.grant('gateway.envoyproxy.io', 'ClientTrafficPolicy', 'ConfigMap', clientCa.configMap);
    }
  }

  /** The listeners of a holder. A Gateway's and a ListenerSet's are the same fields; only the names of their enums differ. */
  private listeners<Mode, From>(holder: ListenerHolder, e: { passthrough: Mode; terminate: Mode; same: From; selector: From }) {
    const allowedRoutes = {
      namespaces: holder.kind === 'Gateway' && this.crossNamespace
        ? { from: e.selector, selector: { matchLabels: { 'kubernetes.io/metadata.name': this.routesNamespace } } }
        : { from: e.same },
    };
    return [
      ...(holder.http ? [{ name: this.httpListener, port: 80, protocol: 'HTTP', allowedRoutes }] : []),
      ...holder.hosts.map((r) => ({
        name: listenerName(r), port: 443, protocol: r.passthrough ? 'TLS' : 'HTTPS', hostname: r.host, allowedRoutes,
        tls: r.passthrough ? { mode: e.passthrough } : { mode: e.terminate, certificateRefs: [this.secretRef(r.certificate.secretName, holder.kind === 'Gateway')] },
      })),
    ];
  }

  /** The parentRef of a host's listener, or of the Gateway's plain-HTTP listener. */
  private parent(host?: ResolvedRoute) {
    const holder = host && this.holderOf.get(host.host)!;
    if (holder?.kind === 'ListenerSet') return { group: GROUP, kind: 'ListenerSet', name: holder.name, sectionName: listenerName(host!) };
    const namespace = this.gatewayNamespace !== this.routesNamespace ? this.gatewayNamespace : undefined;
    return { group: GROUP, kind: 'Gateway', name: this.gatewayName, namespace, sectionName: host ? listenerName(host) : this.httpListener };
  }

  /** HTTPRoutes on the plain-HTTP listener that redirect every terminated host to HTTPS, at most 16 hostnames each. */
  private addRedirectRoutes(redirect: RedirectStatus): void {
    const hosts = [...this.routesByHost.values()].map((routes) => routes[0]).filter((r) => !r.passthrough).map((r) => r.host);
    chunk(hosts, MAX_HOSTNAMES).forEach((hostnames, k) => {
      new httpRoutes.HttpRoute(this, k ? `Redirect-${k + 1}` : 'Redirect', {
        metadata: { name: this.objectName('https-redirect', ...(k ? [k + 1] : [])) },
        spec: {
          parentRefs: [this.parent()],
          hostnames,
          rules: [{ filters: [{
            type: httpRoutes.HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
            requestRedirect: { scheme: httpRoutes.HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: redirect as unknown as httpRoutes.HttpRouteSpecRulesFiltersRequestRedirectStatusCode },
          }] }],
        },
      });
    });
  }

  /**
   * The app routes of a host, 16 rules per HTTPRoute (Gateway API merges the rules of every route for a hostname and
   * orders them by match, so a split changes nothing), with HSTS and the security headers. Behind a TLS load balancer
   * requests arrive on the HTTP listener: the same rules there serve those it received over TLS (X-Forwarded-Proto:
   * https; more header matches win over the redirect rule), the redirect takes the rest.
   */
  private addAppRoutes(host: string): void {
    const routes = this.routesByHost.get(host)!;
    const slug = TlsEdgeBase.slug(host);
    // Rules that need a BackendTrafficPolicy get a name to target: WebSocket rules (stream idle timeout) and rules
    // with a body limit; rules with the same settings share one policy.
    const names = routes.map((r, i) => (r.websocket ? `websocket-${i}` : r.maxRequestBodyBytes !== undefined ? `body-limit-${i}` : undefined));
    const policyOf = (r: ResolvedRoute): RouteRulesPolicy | undefined => (r.websocket ? { streamIdleTimeout: this.websocketTimeout }
      : r.maxRequestBodyBytes !== undefined ? { maxRequestBodyBytes: r.maxRequestBodyBytes } : undefined);
    const indexed = routes.map((r, i) => ({ r, name: names[i] }));
    for (const viaLoadBalancer of this.behindTlsLoadBalancer ? [false, true] : [false]) {
      chunk(indexed, MAX_RULES).forEach((part, k) => {
        const suffix = `${viaLoadBalancer ? '-http' : ''}${k ? `-${k + 1}` : ''}`;
        const name = this.objectName(`${slug}${suffix}`);
        const limits = part.flatMap(({ r, name: n }) => (r.maxRequestBodyBytes !== undefined ? [`${n}=${r.maxRequestBodyBytes}`] : []));
        new httpRoutes.HttpRoute(this, `${viaLoadBalancer ? 'ForwardedRoute' : 'Route'} ${host} ${k + 1}`, {
          metadata: {
            name,
            annotations: this.envoy ? undefined : {
              ...(part.some(({ r }) => r.websocket) ? { [STREAM_IDLE_ANNOTATION]: `${this.websocketTimeout.toSeconds()}s` } : {}),
              ...(limits.length ? { [BODY_LIMIT_ANNOTATION]: limits.join(',') } : {}),
            },
          },
          spec: {
            parentRefs: [viaLoadBalancer ? this.parent() : this.parent(routes[0])],
            hostnames: [host],
            rules: part.map(({ r, name: ruleName }) => ({
              name: ruleName,
              matches: [{
                path: { type: httpRoutes.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: r.path },
                ...(viaLoadBalancer ? { headers: [{ type: httpRoutes.HttpRouteSpecRulesMatchesHeadersType.EXACT, name: XFP, value: 'https' }] } : {}),
              }],
              filters: [this.headerFilter],
              backendRefs: [{ name: r.backend.serviceName, port: r.backend.servicePort }],
            })),
          },
        });
        if (!this.envoy) return;
        const groups = groupBy(part.flatMap(({ r, name: n }) => { const p = policyOf(r); return p ? [{ p, name: n! }] : []; }), (x) => JSON.stringify(x.p));
        [...groups.values()].forEach((g, j) => routeRulesPolicy(this, `RulesPolicy ${host}${suffix} ${j}`, groups.size > 1 ? fitName(`${name}-${j}`) : name, name, g.map((x) => x.name), g[0].p));
      });
    }
  }

  /** HSTS and the security headers, set on every response of an app route. */
  private get headerFilter() {
    const headers = { ...(this.securityHeaders.hstsValue ? { 'Strict-Transport-Security': this.securityHeaders.hstsValue } : {}), ...this.securityHeaders.headers };
    return {
      type: httpRoutes.HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
      responseHeaderModifier: { set: Object.entries(headers).map(([name, value]) => ({ name, value })) },
    };
  }

  private addPassthroughRoutes(): void {
    for (const r of this.routes.filter((x) => x.passthrough)) {
      new tlsRoutes.TlsRoute(this, `Passthrough-${r.host}`, {
        metadata: { name: this.objectName(TlsEdgeBase.slug(r.host)), annotations: { [NOTE]: PASSTHROUGH_NOTE } },
        spec: { parentRefs: [this.parent(r)], hostnames: [r.host], rules: [{ backendRefs: [{ name: r.backend.serviceName, port: r.backend.servicePort }] }] },
      });
    }
  }

  /**
   * One BackendTLSPolicy per TLS backend Service in the App: a second policy on the same Service would be Conflicted
   * (the controller keeps the oldest; Envoy Gateway internal/gatewayapi/backendtlspolicy.go), so an edge that reaches a
   * backend another edge already verifies adds none (the CA and the name to verify are the backend's own, the same).
   */
  private addBackendTlsPolicies(): void {
    const emitted = backendPolicies.get(this.node.root) ?? new Map<string, string>();
    backendPolicies.set(this.node.root, emitted);
    for (const r of new Map(this.routes.filter((x) => !x.passthrough && x.upstreamTls).map((x) => [x.backend.serviceName, x])).values()) {
      const key = `${this.routesNamespace}/${r.backend.serviceName}`;
      if (emitted.has(key)) continue;
      emitted.set(key, this.node.path);
      new backendTls.BackendTlsPolicy(this, `BackendTls-${r.backend.serviceName}`, {
        metadata: { name: this.objectName(r.backend.serviceName) },
        spec: {
          targetRefs: [{ group: '', kind: 'Service', name: r.backend.serviceName }],
          validation: { caCertificateRefs: [this.configMapRef(this.bundleRef(r.upstreamTls!.ca))], hostname: r.upstreamTls!.verifyName },
        },
      });
    }
  }

  private addReferenceGrants(): void {
    for (const [key, { from, to }] of this.grants) {
      new grants.ReferenceGrant(this, `Grant-${key}`, {
        metadata: { name: this.objectName('from', from.kind.toLowerCase()) },
        spec: { from: [from], to: [...to].sort().map((k) => { const [kind, name] = k.split('/'); return { group: '', kind, name }; }) },
      });
    }
  }

  /** A certificate Secret of the routes' namespace, referenced from a listener (granted when the Gateway is elsewhere). */
  private secretRef(name: string, fromGateway = true) {
    const cross = fromGateway && this.crossNamespace;
    if (cross) this.grant(GROUP, 'Gateway', 'Secret', name);
    return { group: '', kind: 'Secret', name, namespace: cross ? this.routesNamespace : undefined };
  }

  private configMapRef(name: string, fromOtherNamespace = false) {
    if (fromOtherNamespace) this.grant(GROUP, 'Gateway', 'ConfigMap', name);
    return { group: '', kind: 'ConfigMap', name, namespace: fromOtherNamespace ? this.routesNamespace : undefined };
  }

  /** The trust bundle ConfigMap of a CA, published into the routes' namespace (trust-manager). */
  private bundleRef(ca: CaIssuer): string {
    labelNamespaceOf(this, ca.trustBundle!.namespaceLabel);
    return ca.trustBundle!.configMapName;
  }

  /**
   * Hands the certificates of the terminated routes to gateway-shim: one set of Gateway annotations must describe
   * them all, and each must hold exactly the hostnames of the listeners that reference its Secret, all on the Gateway.
   */
  private delegateCertificates(routes: ResolvedRoute[], holders: ListenerHolder[]): Record<string, string> {
    check(holders.every((h) => h.kind === 'Gateway'), this, 'certificateMode', GatewayCertificateMode.GATEWAY_SHIM,
      `these hosts need ListenerSets (more than ${MAX_LISTENERS - 1} hosts, or different client-certificate settings), and cert-manager reads ListenerSets only behind an alpha feature gate: use GatewayCertificateMode.EXPLICIT`);
    const certificates = [...new Set(routes.map((r) => r.certificate))];
    const annotations = certificates.map((c) => c.delegateToGatewayShim());
    const first = JSON.stringify(annotations[0]);
    annotations.forEach((a, i) => check(JSON.stringify(a) === first, this, 'certificates', certificates[i].node.path,
      'gateway-shim takes one issuer, key and lifetime per Gateway: give every certificate of this edge the same settings, or use explicit Certificates'));
    for (const c of certificates) {
      const hostnames = new Set(routes.filter((r) => r.certificate === c).map((r) => r.host));
      const missing = c.dnsNames.filter((n) => !hostnames.has(n));
      check(missing.length === 0 && c.ipAddresses.length === 0, this, 'certificates', missing.join(', ') || c.ipAddresses.join(', '),
        `gateway-shim puts only listener hostnames on the certificate, so ${c.node.path} would lose these names: route them, or use explicit Certificates`);
    }
    return annotations[0] ?? {};
  }

  protected defaultControllerNamespace(): string {
    return 'envoy-gateway-system';
  }

  protected answersHttp01(solver: AcmeSolver): boolean {
    return solver.answersOnGateway({ name: this.gatewayName, namespace: this.gatewayNamespace, sectionName: this.httpListener });
  }

  protected http01Hint(): string {
    return 'AcmeSolver.http01GatewayHttpRoute() (its Gateways are then the ones the edges use)';
  }

  /** Records that `fromKind` objects in the Gateway's namespace read `kind/name` from the routes' namespace. */
  private grant(fromGroup: string, fromKind: string, kind: string, name: string): void {
    const key = `${fromGroup}/${fromKind}`;
    const g = this.grants.get(key) ?? { from: { group: fromGroup, kind: fromKind, namespace: this.gatewayNamespace }, to: new Set<string>() };
    g.to.add(`${kind}/${name}`);
    this.grants.set(key, g);
  }
}

/** The listener of a host: `https-<host>` (`tls-<host>` for passthrough), cut to a valid name if long. */
function listenerName(r: { host: string; passthrough: boolean }): string {
  return fitName(`${r.passthrough ? 'tls' : 'https'}-${TlsEdgeBase.slug(r.host)}`);
}

/** A client-certificate setting as a key: "" for none. */
function clientAuthKey(auth?: EdgeClientAuth): string {
  return auth ? `${auth.ca.issuerName}:${auth.optional ? 'optional' : 'required'}` : '';
}

/** `items` in parts of at most `size` (the first of at most `first`). */
function chunk<T>(items: T[], size: number, first = size): T[][] {
  const out = items.length ? [items.slice(0, first)] : [];
  for (let i = first; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
