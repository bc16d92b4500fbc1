import { Construct } from 'constructs';
import * as backendTls from '../../imports/backendtlspolicies-gateway.networking.k8s.io';
import * as gateways from '../../imports/gateways-gateway.networking.k8s.io';
import * as httpRoutes from '../../imports/httproutes-gateway.networking.k8s.io';
import * as listenerSets from '../../imports/listenersets-gateway.networking.k8s.io';
import * as grants from '../../imports/referencegrants-gateway.networking.k8s.io';
import * as tlsRoutes from '../../imports/tlsroutes-gateway.networking.k8s.io';
import { labelNamespaceOf } from '../chart';
import { AcmeSolver, CaIssuer } from '../issuers';
import { check, checkName, fitName, groupBy, NameKind } from '../policy/validation';
import { NOTE, PASSTHROUGH_NOTE, ResolvedRoute, TlsEdgeBase, TlsEdgeProps } from './edge';
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
   * Attach to this shared Gateway (e.g. a {@link PlatformGateway}) with a ListenerSet in the routes' namespace instead
   * of creating a Gateway: certificates stay in the stack's namespace (no ReferenceGrant), redirects and HTTP-01 use the
   * shared Gateway's HTTP listener. @default a Gateway of its own
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
 * A TLS edge on Gateway API (v1): HTTPS listeners (one per host, `Terminate`, certificates from explicit Certificates) on
 * a Gateway of its own or, with `sharedGateway`, in a ListenerSet attached to a shared one; an HTTPRoute on the plain-HTTP
 * listener that redirects to HTTPS (301/308); app HTTPRoutes on the HTTPS listeners with HSTS and the security headers
 * as `ResponseHeaderModifier` filters; BackendTLSPolicy (CA bundle + service hostname) for TLS backends; TLSRoutes for
 * passthrough hosts; ReferenceGrants wherever a reference crosses namespaces.
 *
 * Gateway API cannot say TLS versions, ciphers or stream idle timeouts portably. On Envoy Gateway the edge enforces them
 * with a ClientTrafficPolicy on its Gateway or ListenerSet (profile, client-certificate validation, trusting the load
 * balancer's X-Forwarded-Proto) and a BackendTrafficPolicy on its WebSocket rules; on another implementation it states
 * them (`tls-stack/tls-profile`, `tls-stack/stream-idle-timeout`) and the cluster requirements list them.
 */
export class GatewayApiEdge extends TlsEdgeBase {
  /** The Gateway the edge's listeners are on (its own, or the shared one). */
  public readonly gatewayName: string;
  public readonly gatewayNamespace: string;
  public readonly gatewayClassName: string;
  public readonly implementation: GatewayImplementation;
  /** The plain-HTTP listener redirects and HTTP-01 challenges use. */
  public readonly httpListener: string;
  private readonly grants = new Map<string, { from: { group: string; kind: string; namespace: string }; to: Set<string> }>();

  constructor(scope: Construct, id: string, props: GatewayApiEdgeProps) {
    super(scope, id, props);
    const ns = this.namespace ?? 'default';
    const shared = props.sharedGateway;
    this.gatewayClassName = shared?.gatewayClassName ?? props.gatewayClassName ?? 'eg';
    this.gatewayNamespace = shared?.gatewayNamespace ?? props.gatewayNamespace ?? ns;
    this.gatewayName = shared?.gatewayName ?? props.name;
    this.implementation = shared?.implementation ?? props.implementation ?? GatewayImplementation.ENVOY_GATEWAY;
    this.httpListener = shared?.httpListener ?? 'http';
    const envoy = this.implementation === GatewayImplementation.ENVOY_GATEWAY;
    checkName(this, 'gatewayClassName', this.gatewayClassName, NameKind.OBJECT, 'use the GatewayClass name');
    checkName(this, 'gatewayNamespace', this.gatewayNamespace, NameKind.LABEL, 'use a namespace name');
    check(!shared || props.gatewayNamespace === undefined, this, 'gatewayNamespace', props.gatewayNamespace, 'a shared Gateway has its own namespace: drop gatewayNamespace');
    const redirect = props.redirectStatus ?? RedirectStatus.PERMANENT_REDIRECT;
    check(redirect === 301 || redirect === 308, this, 'redirectStatus', redirect, 'use RedirectStatus.PERMANENT_REDIRECT (308) or MOVED_PERMANENTLY (301)');

    const terminated = this.routes.filter((r) => !r.passthrough);
    const clientAuth = terminated.find((r) => r.clientAuth)?.clientAuth;
    if (clientAuth) {
      check(terminated.every((r) => r.clientAuth), this, 'routes', 'clientAuth',
        'Gateway API validates client certificates per Gateway or ListenerSet, not per host: require clientAuth on every terminated route of this edge, or give the others their own edge');
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
      check(!clientAuth || envoy, this, 'routes', 'clientAuth',
        'only Envoy Gateway can validate client certificates per ListenerSet (ClientTrafficPolicy); Gateway API\'s own frontend validation is per Gateway: give this stack a Gateway of its own');
      check(props.certificateMode !== GatewayCertificateMode.GATEWAY_SHIM, this, 'certificateMode', props.certificateMode,
        'cert-manager reads ListenerSets only behind an alpha feature gate (off by default), so its gateway-shim would issue nothing: use GatewayCertificateMode.EXPLICIT');
      labelNamespaceOf(this, shared.attachLabel);
    }

    // With a ListenerSet the listeners live in the routes' namespace; only the shared Gateway is elsewhere.
    const crossNs = !shared && this.gatewayNamespace !== ns;
    const secretRef = (name: string) => {
      if (crossNs) this.grant(GROUP, 'Gateway', 'Secret', name);
      return { group: '', kind: 'Secret', name, namespace: crossNs ? ns : undefined };
    };
    const listenerName = (r: { host: string; passthrough: boolean }) => fitName(`${r.passthrough ? 'tls' : 'https'}-${TlsEdgeBase.slug(r.host)}`);
    const byHost = [...this.routesByHost.values()].map((routes) => routes[0]);
    // A Gateway's and a ListenerSet's listeners are the same fields; only the names of their enums differ.
    const listeners = <Mode, From>(e: { passthrough: Mode; terminate: Mode; same: From; selector: From }) => {
      const allowedRoutes = { namespaces: crossNs ? { from: e.selector, selector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } : { from: e.same } };
      return [
        ...(shared ? [] : [{ name: this.httpListener, port: 80, protocol: 'HTTP', allowedRoutes }]),
        ...byHost.map((r) => ({
          name: listenerName(r), port: 443, protocol: r.passthrough ? 'TLS' : 'HTTPS', hostname: r.host, allowedRoutes,
          tls: r.passthrough ? { mode: e.passthrough } : { mode: e.terminate, certificateRefs: [secretRef(r.certificate.secretName)] },
        })),
      ];
    };

    const bundleRef = (ca: CaIssuer) => {
      labelNamespaceOf(this, ca.trustBundle!.namespaceLabel);
      return ca.trustBundle!.configMapName;
    };
    const clientCa = clientAuth && { configMap: bundleRef(clientAuth.ca), optional: !!clientAuth.optional };
    const annotations: Record<string, string> = {
      ...(props.certificateMode === GatewayCertificateMode.GATEWAY_SHIM ? this.delegateCertificates(terminated) : {}),
      ...(envoy ? {} : { [TLS_PROFILE_ANNOTATION]: profileNote(this.tlsProfile) }),
    };
    if (shared) {
      new listenerSets.ListenerSet(this, 'ListenerSet', {
        metadata: { name: props.name, annotations },
        spec: {
          parentRef: { group: GROUP, kind: 'Gateway', name: shared.gatewayName, namespace: shared.gatewayNamespace },
          listeners: listeners({
            passthrough: listenerSets.ListenerSetSpecListenersTlsMode.PASSTHROUGH, terminate: listenerSets.ListenerSetSpecListenersTlsMode.TERMINATE,
            same: listenerSets.ListenerSetSpecListenersAllowedRoutesNamespacesFrom.SAME, selector: listenerSets.ListenerSetSpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
          }),
        },
      });
    } else {
      // Client validation on another implementation: Gateway API's own (per Gateway). Envoy Gateway: its ClientTrafficPolicy.
      const frontend = clientCa && !envoy ? { default: { validation: { caCertificateRefs: [this.configMapRef(clientCa.configMap, crossNs ? ns : undefined)] } } } : undefined;
      const backend = mtlsBackend ? { clientCertificateRef: secretRef(this.edgeClientCertificate(mtlsBackend.upstreamTls!.ca).secretName) } : undefined;
      new gateways.Gateway(this, 'Gateway', {
        metadata: { name: props.name, namespace: this.gatewayNamespace, annotations },
        spec: {
          gatewayClassName: this.gatewayClassName,
          listeners: listeners({
            passthrough: gateways.GatewaySpecListenersTlsMode.PASSTHROUGH, terminate: gateways.GatewaySpecListenersTlsMode.TERMINATE,
            same: gateways.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME, selector: gateways.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
          }),
          tls: frontend || backend ? { frontend, backend } : undefined,
        },
      });
    }
    if (envoy && terminated.length) {
      // The policy lives with its target (targetRefs are local); its CA ConfigMap stays in the routes' namespace.
      clientTrafficPolicy(this, 'ClientTrafficPolicy', props.name, {
        namespace: crossNs ? this.gatewayNamespace : undefined,
        target: { kind: shared ? 'ListenerSet' : 'Gateway', name: props.name },
        profile: this.tlsProfile,
        clientCa: clientCa && { ...clientCa, namespace: crossNs ? ns : undefined },
        trustForwardedProto: !shared && this.behindTlsLoadBalancer,
      });
      if (crossNs && clientCa) this.grant('gateway.envoyproxy.io', 'ClientTrafficPolicy', 'ConfigMap', clientCa.configMap);
    }

    const parent = (sectionName: string) => (shared && sectionName !== this.httpListener
      ? { group: GROUP, kind: 'ListenerSet', name: props.name, sectionName }
      : { group: GROUP, kind: 'Gateway', name: this.gatewayName, namespace: this.gatewayNamespace !== ns ? this.gatewayNamespace : undefined, sectionName });
    const redirectHosts = byHost.filter((r) => !r.passthrough).map((r) => r.host);
    if (redirectHosts.length) {
      new httpRoutes.HttpRoute(this, 'Redirect', {
        metadata: { name: this.objectName('https-redirect') },
        spec: {
          parentRefs: [parent(this.httpListener)],
          hostnames: redirectHosts,
          rules: [{ filters: [{
            type: httpRoutes.HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
            requestRedirect: { scheme: httpRoutes.HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: redirect as unknown as httpRoutes.HttpRouteSpecRulesFiltersRequestRedirectStatusCode },
          }] }],
        },
      });
    }

    const headers = { ...(this.securityHeaders.hstsValue ? { 'Strict-Transport-Security': this.securityHeaders.hstsValue } : {}), ...this.securityHeaders.headers };
    const headerFilter = {
      type: httpRoutes.HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
      responseHeaderModifier: { set: Object.entries(headers).map(([name, value]) => ({ name, value })) },
    };
    for (const host of redirectHosts) {
      const routes = this.routesByHost.get(host)!;
      const slug = TlsEdgeBase.slug(host);
      // Rules that need a BackendTrafficPolicy get a name to target: WebSocket rules (stream idle timeout) and rules
      // with a body limit; rules with the same settings share one policy.
      const policyOf = (r: ResolvedRoute): RouteRulesPolicy | undefined => (r.websocket ? { streamIdleTimeout: this.websocketTimeout }
        : r.maxRequestBodyBytes !== undefined ? { maxRequestBodyBytes: r.maxRequestBodyBytes } : undefined);
      const ruleName = (r: ResolvedRoute, i: number) => (r.websocket ? `websocket-${i}` : r.maxRequestBodyBytes !== undefined ? `body-limit-${i}` : undefined);
      // Behind a TLS load balancer requests arrive on the HTTP listener: serve those it received over TLS
      // (X-Forwarded-Proto: https; more header matches win over the redirect rule), redirect the rest.
      for (const [suffix, parentRef, viaLoadBalancer] of [['', parent(listenerName({ host, passthrough: false })), false], ['-http', parent(this.httpListener), true]] as const) {
        if (viaLoadBalancer && !this.behindTlsLoadBalancer) continue;
        const name = this.objectName(`${slug}${suffix}`);
        const names = routes.map(ruleName);
        const limits = routes.flatMap((r, i) => (r.maxRequestBodyBytes !== undefined ? [`${names[i]}=${r.maxRequestBodyBytes}`] : []));
        new httpRoutes.HttpRoute(this, `Route-${host}${suffix}`, {
          metadata: {
            name,
            annotations: envoy ? undefined : {
              ...(routes.some((r) => r.websocket) ? { [STREAM_IDLE_ANNOTATION]: `${this.websocketTimeout.toSeconds()}s` } : {}),
              ...(limits.length ? { [BODY_LIMIT_ANNOTATION]: limits.join(',') } : {}),
            },
          },
          spec: {
            parentRefs: [parentRef],
            hostnames: [host],
            rules: routes.map((r, i) => ({
              name: names[i],
              matches: [{
                path: { type: httpRoutes.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: r.path },
                ...(viaLoadBalancer ? { headers: [{ type: httpRoutes.HttpRouteSpecRulesMatchesHeadersType.EXACT, name: XFP, value: 'https' }] } : {}),
              }],
              filters: [headerFilter],
              backendRefs: [{ name: r.backend.serviceName, port: r.backend.servicePort }],
            })),
          },
        });
        if (!envoy) continue;
        const groups = groupBy(routes.flatMap((r, i) => { const p = policyOf(r); return p ? [{ p, name: names[i]! }] : []; }), (x) => JSON.stringify(x.p));
        [...groups.values()].forEach((g, k) => routeRulesPolicy(this, `RulesPolicy-${host}${suffix}-${k}`, groups.size > 1 ? fitName(`${name}-${k}`) : name, name, g.map((x) => x.name), g[0].p));
      }
    }
    for (const r of this.routes.filter((x) => x.passthrough)) {
      new tlsRoutes.TlsRoute(this, `Passthrough-${r.host}`, {
        metadata: { name: this.objectName(TlsEdgeBase.slug(r.host)), annotations: { [NOTE]: PASSTHROUGH_NOTE } },
        spec: { parentRefs: [parent(listenerName(r))], hostnames: [r.host], rules: [{ backendRefs: [{ name: r.backend.serviceName, port: r.backend.servicePort }] }] },
      });
    }

    for (const service of [...new Map(terminated.filter((r) => r.upstreamTls).map((r) => [r.backend.serviceName, r])).values()]) {
      new backendTls.BackendTlsPolicy(this, `BackendTls-${service.backend.serviceName}`, {
        metadata: { name: this.objectName(service.backend.serviceName) },
        spec: {
          targetRefs: [{ group: '', kind: 'Service', name: service.backend.serviceName }],
          validation: { caCertificateRefs: [this.configMapRef(bundleRef(service.upstreamTls!.ca))], hostname: service.upstreamTls!.verifyName },
        },
      });
    }

    this.checkHttp01Solvers();
    for (const [key, { from, to }] of this.grants) {
      new grants.ReferenceGrant(this, `Grant-${key}`, {
        metadata: { name: this.objectName('from', from.kind.toLowerCase()) },
        spec: { from: [from], to: [...to].sort().map((k) => { const [kind, name] = k.split('/'); return { group: '', kind, name }; }) },
      });
    }
  }

  private configMapRef(name: string, namespace?: string) {
    if (namespace) this.grant(GROUP, 'Gateway', 'ConfigMap', name);
    return { group: '', kind: 'ConfigMap', name, namespace };
  }

  /**
   * Hands the certificates of the terminated routes to gateway-shim: one set of Gateway annotations must describe
   * them all, and each must hold exactly the hostnames of the listeners that reference its Secret.
   */
  private delegateCertificates(routes: ResolvedRoute[]): Record<string, string> {
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

