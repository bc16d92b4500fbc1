import { Construct } from 'constructs';
import * as tr from '../../imports/crds-traefik.io';
import { labelNamespaceOf } from '../chart';
import { FrameOptions } from '../policy/headers';
import { TlsVersion } from '../policy/tls-profiles';
import { AcmeSolver } from '../issuers';
import { check, checkName, fail, groupBy, isWildcard, NameKind } from '../policy/validation';
import { NOTE, PASSTHROUGH_NOTE, ResolvedRoute, TlsEdgeBase, TlsEdgeProps } from './edge';

/** Props of {@link TraefikEdge}. */
export interface TraefikEdgeProps extends TlsEdgeProps {
  /** Entry point of plain HTTP. @default "web" */
  readonly httpEntryPoint?: string;
  /** Entry point of HTTPS. @default "websecure" */
  readonly httpsEntryPoint?: string;
  /** IngressClass of the controller: set on the IngressRoutes, and what HTTP-01 solver Ingresses must use. @default "traefik" (left off the IngressRoutes) */
  readonly ingressClassName?: string;
}

const VERSION: Record<TlsVersion, string> = {
  [TlsVersion.TLS_1_0]: 'VersionTLS10', [TlsVersion.TLS_1_1]: 'VersionTLS11', [TlsVersion.TLS_1_2]: 'VersionTLS12', [TlsVersion.TLS_1_3]: 'VersionTLS13',
};

/**
 * A TLS edge on Traefik v3 CRDs (traefik.io/v1alpha1): IngressRoutes on the HTTPS entry point per certificate,
 * an IngressRoute on the HTTP entry point that redirects with a permanent `redirectScheme` Middleware, a `headers`
 * Middleware for HSTS and the security headers, a TLSOption with the profile (minVersion, Go cipher names, strict
 * SNI) and client verification where asked, ServersTransports that verify HTTPS backends against the CA bundle,
 * and IngressRouteTCP passthrough routes.
 */
export class TraefikEdge extends TlsEdgeBase {
  /** IngressClass whose HTTP-01 solver Ingresses this Traefik serves. */
  public readonly ingressClassName: string;
  private readonly ingressClassField?: string;
  private readonly web: string;
  private readonly websecure: string;
  private readonly rank: (r: ResolvedRoute) => number;
  private readonly tlsOptions = new Map<string, tr.TlsOption>();
  private readonly transports = new Map<string, tr.ServersTransport>();
  private readonly bodyLimits = new Map<number, tr.Middleware>();

  constructor(scope: Construct, id: string, props: TraefikEdgeProps) {
    super(scope, id, props);
    this.ingressClassName = props.ingressClassName ?? 'traefik';
    this.ingressClassField = props.ingressClassName;
    this.web = props.httpEntryPoint ?? 'web';
    this.websecure = props.httpsEntryPoint ?? 'websecure';
    for (const [f, v] of [['httpEntryPoint', this.web], ['httpsEntryPoint', this.websecure]]) check(/^[A-Za-z0-9-_]+$/.test(v), this, f, v, 'use an entry point name');
    if (props.ingressClassName) checkName(this, 'ingressClassName', props.ingressClassName, NameKind.OBJECT, 'use the IngressClass name');
    this.rank = this.priorities();
    this.refuseClientAuthOptions(props, 'Traefik', ['verifyDepth', 'passCertificateToUpstream']);
    // Traefik picks a TLS option in the handshake by the names of its routers' Host() rules (pkg/muxer/http/mux.go
    // ParseDomains reads Host only); a wildcard's HostRegexp names none, so its handshakes get the default options.
    for (const r of this.routes.filter((x) => isWildcard(x.host) && x.clientAuth)) {
      fail(this, `${r.field}.clientAuth`, r.host, 'Traefik chooses TLS options by the exact names of Host() rules, so a wildcard host gets its default options and no client-certificate check: give clientAuth hosts exact names, or use another edge kind');
    }

    const terminated = this.routes.filter((r) => !r.passthrough);
    const redirect = this.redirectMiddleware();
    const headers = this.headersMiddleware();
    if (terminated.length) {
      this.tlsOption();
      this.addHttpRoute(terminated, redirect, headers);
    }
    this.addHttpsRoutes(terminated, headers);
    this.addPassthroughRoutes(this.routes.filter((r) => r.passthrough));
    this.checkHttp01Solvers();
  }

  /** The permanent redirect to HTTPS. */
  private redirectMiddleware(): tr.Middleware {
    return new tr.Middleware(this, 'Redirect', { metadata: { name: this.objectName('redirect-https') }, spec: { redirectScheme: { scheme: 'https', permanent: true } } });
  }

  /** HSTS and the security headers. */
  private headersMiddleware(): tr.Middleware {
    const h = this.securityHeaders;
    const { 'X-Frame-Options': frame, 'Content-Security-Policy': csp, 'Referrer-Policy': referrer, 'Permissions-Policy': permissions, 'X-Content-Type-Options': _nosniff, ...rest } = h.headers;
    return new tr.Middleware(this, 'Headers', {
      metadata: { name: this.objectName('security-headers') },
      spec: {
        headers: {
          ...(h.hsts ? { stsSeconds: h.hsts.maxAgeSeconds, stsIncludeSubdomains: h.hsts.includeSubDomains, stsPreload: h.hsts.preload } : {}),
          // Traefik adds Strict-Transport-Security only to requests it sees as HTTPS (unrolled/secure isSSL: TLS on its
          // own connection or an sslProxyHeaders match); behind a TLS load balancer that is the X-Forwarded-Proto the
          // web entry point keeps from its trusted IPs (a stated requirement).
          ...(h.hsts && this.behindTlsLoadBalancer ? { sslProxyHeaders: { 'X-Forwarded-Proto': 'https' } } : {}),
          contentTypeNosniff: true,
          ...(frame === FrameOptions.DENY ? { frameDeny: true } : { customFrameOptionsValue: frame }),
          contentSecurityPolicy: csp,
          referrerPolicy: referrer,
          permissionsPolicy: permissions,
          // COOP, CORP and X-XSS-Protection: 0 (never browserXssFilter, which sends "1; mode=block").
          customResponseHeaders: rest,
        },
      },
    });
  }

  /**
   * The plain-HTTP entry point: a redirect to HTTPS for every terminated host. Behind a TLS load balancer every request
   * arrives there: redirectScheme redirects when X-Forwarded-Proto is http and hands https requests on to the app
   * (redirect_scheme.go); a route to noop@internal would answer those with 418. Traefik trusts X-Forwarded-Proto only
   * from entryPoints.web.forwardedHeaders.trustedIPs.
   */
  private addHttpRoute(terminated: ResolvedRoute[], redirect: tr.Middleware, headers: tr.Middleware): void {
    new tr.IngressRoute(this, 'RedirectRoute', {
      metadata: { name: this.objectName('http') },
      spec: {
        ingressClassName: this.ingressClassField,
        entryPoints: [this.web],
        routes: this.behindTlsLoadBalancer ? this.appRoutes(terminated, [redirect, headers]) : [{
          kind: tr.IngressRouteSpecRoutesKind.RULE,
          match: [...new Set(terminated.map((r) => r.host))].sort().map(hostMatcher).join(' || '),
          // Below every other router of the entry point: Traefik ranks routers by rule length when no priority is set
          // (pkg/muxer/http/mux.go), and a redirect of five hosts would outrank cert-manager's HTTP-01 solver router.
          priority: 1,
          middlewares: [this.middlewareRef(redirect)],
          services: [{ kind: tr.IngressRouteSpecRoutesServicesKind.TRAEFIK_SERVICE, name: 'noop@internal' }],
        }],
      },
    });
  }

  /**
   * One IngressRoute per certificate (an IngressRoute carries one TLS secret) and client-auth setting (its TLSOption):
   * hosts of one certificate with different settings each keep theirs.
   */
  private addHttpsRoutes(terminated: ResolvedRoute[], headers: tr.Middleware): void {
    const names = new Set<string>();
    for (const routes of groupBy(terminated, (r) => `${r.certificate.secretName}|${clientAuthSuffix(r.clientAuth)}`).values()) {
      const { certificate, clientAuth } = routes[0];
      // <certificate>[-mtls[-optional]], and the CA's name too where two settings of one certificate would meet.
      let parts: string[] = [certificate.certificateName, ...(clientAuth ? ['mtls', ...(clientAuth.optional ? ['optional'] : [])] : [])];
      if (names.has(this.objectName(...parts))) parts = [...parts, clientAuth!.ca.issuerName];
      names.add(this.objectName(...parts));
      new tr.IngressRoute(this, `Route-${parts.join('-')}`, {
        metadata: { name: this.objectName(...parts) },
        spec: {
          ingressClassName: this.ingressClassField,
          entryPoints: [this.websecure],
          routes: this.appRoutes(routes, [headers]),
          tls: { secretName: certificate.secretName, options: { name: this.tlsOption(clientAuth).name, namespace: this.namespace } },
        },
      });
    }
  }

  private addPassthroughRoutes(routes: ResolvedRoute[]): void {
    for (const r of routes) {
      new tr.IngressRouteTcp(this, `Passthrough-${r.host}`, {
        metadata: { name: this.objectName(TlsEdgeBase.slug(r.host)), annotations: { [NOTE]: PASSTHROUGH_NOTE } },
        spec: {
          ingressClassName: this.ingressClassField,
          entryPoints: [this.websecure],
          routes: [{ match: `HostSNI(\`${r.host}\`)`, services: [{ name: r.backend.serviceName, port: tr.IngressRouteTcpSpecRoutesServicesPort.fromNumber(r.backend.servicePort) }] }],
          tls: { passthrough: true },
        },
      });
    }
  }

  /** The routes of an IngressRoute: match, priority, middlewares (a body limit per route), the backend. */
  private appRoutes(routes: ResolvedRoute[], middlewares: tr.Middleware[]) {
    return routes.map((r) => ({
      kind: tr.IngressRouteSpecRoutesKind.RULE,
      match: routeRule(r),
      priority: this.rank(r),
      middlewares: [...middlewares, ...(r.maxRequestBodyBytes !== undefined ? [this.bodyLimit(r.maxRequestBodyBytes)] : [])].map((m) => this.middlewareRef(m)),
      services: [{
        name: r.backend.serviceName,
        port: tr.IngressRouteSpecRoutesServicesPort.fromNumber(r.backend.servicePort),
        ...(r.upstreamTls ? { scheme: 'https' } : {}),
        serversTransport: this.serversTransport(r),
      }],
    }));
  }

  private middlewareRef(m: tr.Middleware) {
    return { name: m.name, namespace: this.namespace };
  }

  /** The TLSOption of the profile, one per client-auth setting (made on first use). */
  private tlsOption(clientAuth?: ResolvedRoute['clientAuth']): tr.TlsOption {
    const suffix = clientAuthSuffix(clientAuth);
    const existing = this.tlsOptions.get(suffix);
    if (existing) return existing;
    const profile = this.tlsProfile;
    const option = new tr.TlsOption(this, `TlsOption${suffix}`, {
      metadata: { name: suffix ? this.objectName(suffix.slice(1)) : this.edgeName },
      spec: {
        minVersion: VERSION[profile.minVersion],
        ...(profile.ciphers.length ? { cipherSuites: profile.ianaCiphers } : {}),
        sniStrict: true,
        ...(clientAuth ? {
          clientAuth: {
            secretNames: [this.edgeClientCertificate(clientAuth.ca).secretName],
            clientAuthType: clientAuth.optional ? tr.TlsOptionSpecClientAuthClientAuthType.VERIFY_CLIENT_CERT_IF_GIVEN : tr.TlsOptionSpecClientAuthClientAuthType.REQUIRE_AND_VERIFY_CLIENT_CERT,
          },
        } : {}),
      },
    });
    this.tlsOptions.set(suffix, option);
    return option;
  }

  /**
   * Re-encryption to a TLS backend: a ServersTransport per backend that verifies it against the internal CA bundle and
   * the service name. WebSocket routes need nothing here: Go's net/http clears the connection deadlines when the
   * connection is hijacked for the upgrade, so no Traefik timeout cuts an idle WebSocket (forwardingTimeouts
   * .idleConnTimeout only governs pooled keep-alive connections); the outer load balancer's idle timeout is the limit
   * (stated in the cluster requirements).
   */
  private serversTransport(r: ResolvedRoute): string | undefined {
    if (!r.upstreamTls) return undefined;
    const key = r.backend.serviceName;
    if (!this.transports.has(key)) {
      const bundle = r.upstreamTls.ca.trustBundle!;
      labelNamespaceOf(this, bundle.namespaceLabel);
      this.transports.set(key, new tr.ServersTransport(this, `Transport-${key}`, {
        metadata: { name: this.objectName(key) },
        spec: {
          serverName: r.upstreamTls.verifyName,
          rootCAs: [{ configMap: bundle.configMapName }],
          ...(r.backend.requiresClientCertificates ? { certificatesSecrets: [this.edgeClientCertificate(r.upstreamTls.ca).secretName] } : {}),
        },
      }));
    }
    return this.transports.get(key)!.name;
  }

  /** A body limit is a buffering Middleware (one per size): Traefik reads the whole request, 413 above the limit. */
  private bodyLimit(bytes: number): tr.Middleware {
    return this.bodyLimits.get(bytes) ?? this.bodyLimits.set(bytes, new tr.Middleware(this, `BodyLimit-${bytes}`, {
      metadata: { name: this.objectName(`body-${bytes / 1024}k`) },
      spec: { buffering: { maxRequestBodyBytes: bytes } },
    })).get(bytes)!;
  }

  /**
   * Router priorities, so that an exact host always beats a wildcard above it, in this stack or another, as on the
   * other edges (Gateway API and nginx prefer the exact hostname). Traefik ranks routers by priority, by default the
   * length of the rule, and a wildcard's HostRegexp is the longer rule: it would serve the exact host. Exact hosts keep
   * the rule length (their order by path is Traefik's own, and ACME HTTP-01 solver routers, longer rules, still win);
   * a wildcard's routes get 1, 2, ... by path length, below any exact host under it (`Host(\`x.<zone>\`)` is at least
   * 10 + the zone's length characters).
   */
  private priorities(): (r: ResolvedRoute) => number {
    const ranks = new Map<ResolvedRoute, number>();
    for (const [host, routes] of this.routesByHost) {
      if (!isWildcard(host)) continue;
      const lengths = [...new Set(routes.map((r) => r.path.length))].sort((a, b) => a - b);
      const ceiling = 9 + host.length - 2;
      check(lengths.length <= ceiling, this, 'routes', host,
        `Traefik ranks a wildcard's routes below every exact host under it, which leaves room for ${ceiling} path lengths here, and it has ${lengths.length}: route fewer paths of this wildcard, or give them exact hosts`);
      for (const r of routes) ranks.set(r, lengths.indexOf(r.path.length) + 1);
    }
    return (r) => ranks.get(r) ?? routeRule(r).length;
  }

  protected defaultControllerNamespace(): string {
    return 'traefik';
  }

  protected answersHttp01(solver: AcmeSolver): boolean {
    return solver.ingressClassName === this.ingressClassName;
  }

  protected http01Hint(): string {
    return `AcmeSolver.http01Ingress({ ingressClassName: '${this.ingressClassName}' })`;
  }
}

/** A client-auth setting as a name part: "" for none, "-mtls-<ca>[-optional]". */
function clientAuthSuffix(clientAuth?: ResolvedRoute['clientAuth']): string {
  return clientAuth ? `-mtls-${clientAuth.ca.issuerName}${clientAuth.optional ? '-optional' : ''}` : '';
}

/** The router rule of a route: its host, and its path prefix unless it is "/". */
function routeRule(r: ResolvedRoute): string {
  return `${hostMatcher(r.host)}${r.path === '/' ? '' : ` && PathPrefix(\`${r.path}\`)`}`;
}

/**
 * The router matcher of a host. Traefik v3's Host() takes exact names only; a wildcard host becomes a HostRegexp (Go
 * regexp) that matches exactly one label, as the wildcard certificate does.
 */
export function hostMatcher(host: string): string {
  return host.startsWith('*.') ? `HostRegexp(\`^[a-z0-9-]+\\.${host.slice(2).replace(/\./g, '\\.')}$\`)` : `Host(\`${host}\`)`;
}
