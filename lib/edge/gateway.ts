import { Construct } from 'constructs';
import * as gw from '../../imports/gateway.networking.k8s.io';
import { labelNamespaceOf } from '../chart';
import { check, isDnsLabel, isObjectName } from '../policy/validation';
import { AcmeSolver, CaIssuer } from '../issuers';
import { NOTE, PASSTHROUGH_NOTE, ResolvedRoute, TlsEdgeBase, TlsEdgeProps } from './edge';

/** Gateway API implementations the edge knows how to advise about (what Gateway API cannot say portably). */
export enum GatewayImplementation {
  ENVOY_GATEWAY = 'envoy-gateway',
  OTHER = 'other',
}

/** Redirect status codes for HTTP→HTTPS (302 is never emitted). */
export enum RedirectStatus {
  MOVED_PERMANENTLY = 301,
  PERMANENT_REDIRECT = 308,
}

/** Where the Gateway's certificates come from. */
export enum GatewayCertificateMode {
  /** Explicit, reviewable Certificate objects (the default). */
  EXPLICIT = 'explicit',
  /** cert-manager's gateway-shim creates them from annotations on the Gateway (or ListenerSet) and its listeners. */
  GATEWAY_SHIM = 'gateway-shim',
}

/** Props of {@link GatewayApiEdge}. */
export interface GatewayApiEdgeProps extends TlsEdgeProps {
  /** GatewayClass of the Gateway. @default "eg" (Envoy Gateway's default class) */
  readonly gatewayClassName?: string;
  /** Which implementation runs it (decides the TLS-profile advice in the output). @default GatewayImplementation.ENVOY_GATEWAY */
  readonly implementation?: GatewayImplementation;
  /**
   * Namespace of the Gateway when it is not the routes' namespace (a shared infrastructure namespace): listeners
   * then reference certificate Secrets across namespaces through a ReferenceGrant. @default the chart's namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * Explicit Certificates, or cert-manager's gateway-shim (the edge's certificates are then not emitted; the Gateway
   * carries their issuer, key and lifetimes as annotations, and every name they hold must be a listener hostname).
   * @default GatewayCertificateMode.EXPLICIT
   */
  readonly certificateMode?: GatewayCertificateMode;
  /** HTTP→HTTPS redirect code. @default RedirectStatus.PERMANENT_REDIRECT */
  readonly redirectStatus?: RedirectStatus;
  /**
   * Listeners go into a ListenerSet attached to an existing Gateway (named by `parentGateway`) instead of a new
   * Gateway. @default a Gateway of its own
   */
  readonly parentGateway?: string;
}

/**
 * A TLS edge on Gateway API (v1): a Gateway with a plain-HTTP listener on 80 and one HTTPS listener per host on
 * 443 (`tls.mode: Terminate`, `certificateRefs` to the Secrets of explicit Certificates); an HTTPRoute on the
 * HTTP listener that redirects to HTTPS (301/308); app HTTPRoutes on the HTTPS listeners only, with HSTS and the
 * security headers as `ResponseHeaderModifier` filters; WebSocket rules with a long request timeout;
 * BackendTLSPolicy (CA bundle + service hostname) for TLS backends; frontend client-certificate validation;
 * TLSRoutes for passthrough hosts; ReferenceGrants wherever a reference crosses namespaces.
 *
 * Gateway API has no portable field for TLS versions or cipher suites: the required profile is written into the
 * Gateway's `tls-stack/tls-profile` annotation, with how to apply it on the chosen implementation.
 */
export class GatewayApiEdge extends TlsEdgeBase {
  public readonly gatewayName: string;
  public readonly gatewayNamespace: string;
  public readonly gatewayClassName: string;
  private readonly grants = new Map<string, { from: Record<string, string>; to: Set<string> }>();

  constructor(scope: Construct, id: string, props: GatewayApiEdgeProps) {
    super(scope, id, props);
    const ns = this.namespace ?? 'default';
    this.gatewayClassName = props.gatewayClassName ?? 'eg';
    this.gatewayNamespace = props.gatewayNamespace ?? ns;
    this.gatewayName = props.parentGateway ?? props.name;
    check(isObjectName(this.gatewayClassName), this, 'gatewayClassName', this.gatewayClassName, 'use the GatewayClass name');
    check(isDnsLabel(this.gatewayNamespace), this, 'gatewayNamespace', this.gatewayNamespace, 'use a namespace name');
    const redirect = props.redirectStatus ?? RedirectStatus.PERMANENT_REDIRECT;
    check(redirect === 301 || redirect === 308, this, 'redirectStatus', redirect, 'use RedirectStatus.PERMANENT_REDIRECT (308) or MOVED_PERMANENTLY (301)');

    const listenerSet = props.parentGateway !== undefined;
    // With a ListenerSet the listeners live in the routes' namespace; only the parent Gateway is elsewhere.
    const crossNs = !listenerSet && this.gatewayNamespace !== ns;
    const allowedRoutes = { namespaces: crossNs
      ? { from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR, selector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }
      : { from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } };
    const secretRef = (name: string) => {
      if (crossNs) this.grant('Gateway', 'Secret', name);
      return { group: '', kind: 'Secret', name, namespace: crossNs ? ns : undefined };
    };
    const listenerName = (r: { host: string; passthrough: boolean }) => `${r.passthrough ? 'tls' : 'https'}-${TlsEdgeBase.slug(r.host)}`;
    const byHost = [...this.routesByHost.values()].map((routes) => routes[0]);
    const listeners = [
      // A ListenerSet's parent Gateway already has the plain-HTTP listener ("http") the redirect attaches to.
      ...(listenerSet ? [] : [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes }]),
      ...byHost.map((r) => ({
        name: listenerName(r), port: 443, protocol: r.passthrough ? 'TLS' : 'HTTPS', hostname: r.host, allowedRoutes,
        tls: r.passthrough
          ? { mode: gw.GatewaySpecListenersTlsMode.PASSTHROUGH }
          : { mode: gw.GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [secretRef(r.certificate.secretName)] },
      })),
    ];

    // Client verification is per Gateway (or port) in Gateway API, not per host.
    const terminated = this.routes.filter((r) => !r.passthrough);
    const clientAuth = terminated.find((r) => r.clientAuth)?.clientAuth;
    check(!listenerSet || (!clientAuth && !upstreamCaOf(terminated)), this, 'parentGateway', props.parentGateway,
      'client-certificate validation and the edge\'s client certificate for TLS backends are Gateway settings: configure them on the parent Gateway and use a Gateway of its own here, or drop clientAuth / TLS backends');
    if (clientAuth) {
      check(terminated.every((r) => r.clientAuth), this, 'routes', 'clientAuth',
        'Gateway API validates client certificates per Gateway (or port), not per host: require clientAuth on every terminated route of this edge, or give the others their own edge');
    }
    const upstream = terminated.filter((r) => r.upstreamTls);
    const upstreamCa = upstreamCaOf(upstream);
    const caRef = (bundleName: string) => ({ group: '', kind: 'ConfigMap', name: bundleName });
    const tls = clientAuth || upstreamCa ? {
      frontend: clientAuth && { default: { validation: { caCertificateRefs: [{ ...caRef(clientAuth.ca.trustBundle!.configMapName), namespace: crossNs ? ns : undefined }] } } },
      backend: upstreamCa && { clientCertificateRef: secretRef(this.edgeClientCertificate(upstreamCa).secretName) },
    } : undefined;
    if (clientAuth) {
      if (crossNs) this.grant('Gateway', 'ConfigMap', clientAuth.ca.trustBundle!.configMapName);
      labelNamespaceOf(this, clientAuth.ca.trustBundle!.namespaceLabel);
    }

    const profile = this.tlsProfile;
    const advice = props.implementation === GatewayImplementation.OTHER
      ? 'configure them in your Gateway implementation'
      : 'on Envoy Gateway set them with a ClientTrafficPolicy (gateway.envoyproxy.io/v1alpha1) targeting this Gateway: spec.tls.minVersion and spec.tls.ciphers';
    const annotations: Record<string, string> = {
      ...(props.certificateMode === GatewayCertificateMode.GATEWAY_SHIM ? this.delegateCertificates(terminated) : {}),
      ...(props.behindTlsLoadBalancer ? { [NOTE]: 'Behind a TLS-terminating load balancer: Gateway API cannot redirect on X-Forwarded-Proto portably; have the load balancer redirect HTTP to HTTPS, or forward TLS (L4) so the HTTPS listeners terminate it.' } : {}),
      'tls-stack/tls-profile': `${profile.name}: protocols ${profile.protocols.join(' ')}`
        + (profile.ciphers.length ? `; TLS 1.2 ciphers ${profile.ciphers.join(':')}` : '')
        + `. Gateway API has no portable field for these: ${advice}.`,
    };
    if (listenerSet) {
      new gw.ListenerSet(this, 'ListenerSet', {
        metadata: { name: props.name, annotations },
        spec: { parentRef: { name: props.parentGateway!, namespace: this.gatewayNamespace, kind: 'Gateway', group: 'gateway.networking.k8s.io' }, listeners: listeners as any },
      });
    } else {
      new gw.Gateway(this, 'Gateway', {
        metadata: { name: props.name, namespace: this.gatewayNamespace, annotations },
        spec: { gatewayClassName: this.gatewayClassName, listeners: listeners as any, tls: tls as any },
      });
    }
    const parent = (sectionName: string) => (listenerSet && sectionName !== 'http'
      ? { group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: props.name, sectionName }
      : { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.gatewayName, namespace: this.gatewayNamespace !== ns ? this.gatewayNamespace : undefined, sectionName });

    const redirectHosts = byHost.filter((r) => !r.passthrough).map((r) => r.host);
    if (redirectHosts.length) {
      new gw.HttpRoute(this, 'Redirect', {
        metadata: { name: `${props.name}-https-redirect` },
        spec: {
          parentRefs: [parent('http')],
          hostnames: redirectHosts,
          rules: [{ filters: [{
            type: gw.HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
            requestRedirect: { scheme: gw.HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: redirect as unknown as gw.HttpRouteSpecRulesFiltersRequestRedirectStatusCode },
          }] }],
        },
      });
    }

    const headers = { ...(this.securityHeaders.hstsValue ? { 'Strict-Transport-Security': this.securityHeaders.hstsValue } : {}), ...this.securityHeaders.headers };
    const headerFilter = {
      type: gw.HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
      responseHeaderModifier: { set: Object.entries(headers).map(([name, value]) => ({ name, value })) },
    };
    for (const host of redirectHosts) {
      const routes = this.routesByHost.get(host)!;
      new gw.HttpRoute(this, `Route-${host}`, {
        metadata: { name: `${props.name}-${TlsEdgeBase.slug(host)}` },
        spec: {
          parentRefs: [parent(listenerName({ host, passthrough: false }))],
          hostnames: [host],
          rules: routes.map((r) => ({
            matches: [{ path: { type: gw.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: r.path } }],
            filters: [headerFilter],
            backendRefs: [{ name: r.backend.serviceName, port: r.backend.servicePort }],
            timeouts: r.websocket ? { request: `${this.websocketTimeout.toSeconds()}s` } : undefined,
          })),
        },
      });
    }
    for (const r of this.routes.filter((x) => x.passthrough)) {
      new gw.TlsRoute(this, `Passthrough-${r.host}`, {
        metadata: { name: `${props.name}-${TlsEdgeBase.slug(r.host)}`, annotations: { [NOTE]: PASSTHROUGH_NOTE } },
        spec: { parentRefs: [parent(listenerName(r))], hostnames: [r.host], rules: [{ backendRefs: [{ name: r.backend.serviceName, port: r.backend.servicePort }] }] },
      });
    }

    for (const service of [...new Map(upstream.map((r) => [r.backend.serviceName, r])).values()]) {
      const bundle = service.upstreamTls!.ca.trustBundle!;
      labelNamespaceOf(this, bundle.namespaceLabel);
      new gw.BackendTlsPolicy(this, `BackendTls-${service.backend.serviceName}`, {
        metadata: { name: service.backend.serviceName },
        spec: {
          targetRefs: [{ group: '', kind: 'Service', name: service.backend.serviceName }],
          validation: { caCertificateRefs: [caRef(bundle.configMapName)], hostname: service.upstreamTls!.verifyName },
        },
      });
    }

    this.checkHttp01Solvers();
    for (const [key, { from, to }] of this.grants) {
      new gw.ReferenceGrant(this, `Grant-${key}`, {
        metadata: { name: `${props.name}-from-${key.toLowerCase()}` },
        spec: { from: [from as any], to: [...to].sort().map((k) => { const [kind, name] = k.split('/'); return { group: '', kind, name }; }) },
      });
    }
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

  protected answersHttp01(target: NonNullable<AcmeSolver['http01Target']>): boolean {
    return (target.parentRefs ?? []).some((p) => p.name === this.gatewayName && (p.namespace ?? this.namespace) === this.gatewayNamespace);
  }

  protected http01Hint(): string {
    return `AcmeSolver.http01GatewayHttpRoute({ parentRefs: [{ name: '${this.gatewayName}', namespace: '${this.gatewayNamespace}' }] })`;
  }

  /** Records that the Gateway's namespace reads `kind/name` from the routes' namespace. */
  private grant(fromKind: string, kind: string, name: string): void {
    const g = this.grants.get(fromKind) ?? { from: { group: 'gateway.networking.k8s.io', kind: fromKind, namespace: this.gatewayNamespace }, to: new Set<string>() };
    g.to.add(`${kind}/${name}`);
    this.grants.set(fromKind, g);
  }
}

function upstreamCaOf(routes: ResolvedRoute[]): CaIssuer | undefined {
  return routes.find((r) => r.upstreamTls)?.upstreamTls?.ca;
}
