import { Duration, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { KeyUsage, TlsCertificate } from '../certificates';
import { AcmeIssuer, AcmeSolver, CaIssuer, ChallengeType } from '../issuers';
import { chartOf, enforcePolicy } from '../policy/gate';
import { SecurityHeaders, SecurityHeadersOptions } from '../policy/headers';
import { TlsProfile } from '../policy/tls-profiles';
import { check, checkName, fail, fitName, groupBy, isIpAddress, isWildcard, NameKind, present, wholeBytes, wholeSeconds } from '../policy/validation';
import { AppProtocol, SecureWorkload, ServiceType } from '../workloads';

/** Annotation carrying a note for the people who apply the YAML. */
export const NOTE = 'tls-stack/note';
/** What every edge says about a passthrough host. */
export const PASSTHROUGH_NOTE = 'TLS passthrough: the backend terminates TLS, so redirects, HSTS and security headers are its job for this host.';

/** One host + path routed to a workload. */
export interface EdgeRoute {
  /**
   * Public host name, or a wildcard such as `*.pages.example.com` (one label, served with a wildcard certificate that
   * only DNS-01 can prove).
   */
  readonly host: string;
  /** Path prefix. @default "/" */
  readonly path?: string;
  /** The workload that serves it. */
  readonly backend: SecureWorkload;
  /** A WebSocket route: long-lived connections get long proxy timeouts. The backend must speak WebSocket. @default false */
  readonly websocket?: boolean;
  /** Require (or request) client certificates from this CA at the edge. @default none */
  readonly clientAuth?: EdgeClientAuth;
  /**
   * Pass TLS through to the backend untouched (it terminates TLS with a certificate that covers the host). The edge
   * then cannot redirect, add headers or verify clients for this host; the path must be "/". @default false
   */
  readonly passthrough?: boolean;
  /**
   * Largest request body the edge accepts (413 above it), e.g. `Size.gibibytes(1)` for registry uploads. ingress-nginx:
   * the route's Ingress `proxy-body-size`; Envoy Gateway: a BackendTrafficPolicy `requestBuffer` (the body is buffered
   * before it is forwarded); Traefik: a `buffering` Middleware (it buffers responses too: not for streaming routes).
   * Not for WebSocket routes (buffering breaks the upgrade). @default the controller's (ingress-nginx: 1 MiB; Envoy
   * Gateway and Traefik: no limit)
   */
  readonly maxRequestBodySize?: Size;
}

/** Client-certificate verification at the edge. */
export interface EdgeClientAuth {
  /** The internal CA whose client certificates are accepted. */
  readonly ca: CaIssuer;
  /** Let clients without a certificate through (the app decides). @default false: a certificate is required */
  readonly optional?: boolean;
  /** Maximum chain depth. @default the CA's chain: 1, or 2 when it is an intermediate */
  readonly verifyDepth?: number;
  /** Forward the verified client certificate to the backend. @default false */
  readonly passCertificateToUpstream?: boolean;
}

/** Props shared by every TLS edge implementation. */
export interface TlsEdgeProps {
  /** Base name of the emitted objects. */
  readonly name: string;
  /** Routes. Every host must be covered by one of `certificates`. */
  readonly routes: EdgeRoute[];
  /** Certificates the edge serves (in the edge's namespace). */
  readonly certificates: TlsCertificate[];
  /** TLS protocols and ciphers. @default TlsProfile.INTERMEDIATE */
  readonly tlsProfile?: TlsProfile;
  /** HSTS and security headers. @default SecurityHeaders defaults (HSTS 1 year + includeSubDomains) */
  readonly headers?: SecurityHeadersOptions;
  /** Idle timeout of WebSocket routes. @default Duration.seconds(3600) */
  readonly websocketTimeout?: Duration;
  /**
   * TLS is terminated by an outer load balancer in front of the edge (L4/L7 redirector): redirect to HTTPS on
   * `X-Forwarded-Proto` instead of on the connection. @default false
   */
  readonly behindTlsLoadBalancer?: boolean;
  /**
   * Namespace the edge's proxies run in: the NetworkPolicies of the workloads it routes to admit it (and only those).
   * @default "envoy-gateway-system" (Gateway API), "traefik", "ingress-nginx"
   */
  readonly controllerNamespace?: string;
}

/**
 * A resolved route.
 * Experimental: fields are added as the edges learn more of what a route asks for.
 * @experimental
 */
export interface ResolvedRoute {
  /** Where the route is in the edge's props (`routes[3]`): the field its errors name. */
  readonly field: string;
  readonly host: string;
  readonly path: string;
  readonly backend: SecureWorkload;
  readonly websocket: boolean;
  /** The certificate presented for the host: the edge's, or the backend's when passed through. */
  readonly certificate: TlsCertificate;
  readonly passthrough: boolean;
  readonly clientAuth?: EdgeClientAuth;
  /** Largest request body in bytes, when the route sets one. */
  readonly maxRequestBodyBytes?: number;
  /**
   * Re-encryption to a backend that serves TLS: the CA issuer that signed the backend's certificate and the name
   * the edge verifies it against (`svc.ns.svc`).
   */
  readonly upstreamTls?: { readonly ca: CaIssuer; readonly verifyName: string };
}

/** What every edge implementation exposes: the security intent it delivers, for review and cross-checks. */
export interface ITlsEdge extends IConstruct {
  /** Hosts served, sorted. */
  readonly hosts: string[];
  /** Routes of each host, hosts sorted. */
  readonly routesByHost: ReadonlyMap<string, ResolvedRoute[]>;
  /** Validated routes. */
  readonly routes: ResolvedRoute[];
  readonly tlsProfile: TlsProfile;
  readonly securityHeaders: SecurityHeaders;
  readonly websocketTimeout: Duration;
}

/** Public hosts claimed per App, host → edge path. */
const hostOwners = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Validation and resolution every edge shares: hosts are DNS names covered by a certificate of the edge's
 * namespace, host+path pairs are unique, WebSocket routes reach WebSocket backends, the profile is at least TLS 1.2.
 */
export abstract class TlsEdgeBase extends Construct implements ITlsEdge {
  public readonly hosts: string[];
  public readonly routes: ResolvedRoute[];
  public readonly routesByHost: ReadonlyMap<string, ResolvedRoute[]>;
  public readonly tlsProfile: TlsProfile;
  public readonly securityHeaders: SecurityHeaders;
  public readonly websocketTimeout: Duration;
  public readonly namespace?: string;
  /** Base name of the emitted objects. */
  public readonly edgeName: string;
  /** TLS is terminated by a load balancer in front of the edge, which forwards plain HTTP with X-Forwarded-Proto. */
  public readonly behindTlsLoadBalancer: boolean;

  constructor(scope: Construct, id: string, props: TlsEdgeProps) {
    super(scope, id);
    enforcePolicy(this);
    this.edgeName = props.name;
    this.behindTlsLoadBalancer = props.behindTlsLoadBalancer ?? false;
    checkName(this, 'name', props.name, NameKind.OBJECT, 'use a lower-case RFC 1123 name');
    this.namespace = chartOf(this).namespace;
    this.tlsProfile = props.tlsProfile ?? TlsProfile.INTERMEDIATE;
    this.tlsProfile.validate(this, 'tlsProfile');
    this.securityHeaders = new SecurityHeaders(this, 'headers', props.headers);
    this.websocketTimeout = props.websocketTimeout ?? Duration.seconds(3600);
    const timeout = wholeSeconds(this, 'websocketTimeout', this.websocketTimeout);
    check(timeout >= 60, this, 'websocketTimeout', timeout, 'use at least Duration.seconds(60)');
    present(this, 'routes', props.routes);
    present(this, 'certificates', props.certificates);
    check(props.routes.length > 0, this, 'routes', [], 'give at least one route');
    this.checkCertificates(props.certificates);

    const seen = new Map<string, number>();
    const certificateFor = certificateIndex(this, props.certificates);
    this.routes = props.routes.map((r, i) => this.resolveRoute(r, `routes[${i}]`, certificateFor, seen, props.certificates));
    const byHost = groupBy(this.routes, (r) => r.host);
    this.hosts = [...byHost.keys()].sort();
    this.routesByHost = new Map(this.hosts.map((h) => [h, byHost.get(h)!]));
    this.claimHosts();
    this.checkHandshakeSettings();
    const controllerNamespace = props.controllerNamespace ?? this.defaultControllerNamespace();
    checkName(this, 'controllerNamespace', controllerNamespace, NameKind.LABEL, 'use the namespace the edge\'s controller runs in');
    for (const backend of new Set(this.routes.map((r) => r.backend))) backend.admitEdge(controllerNamespace, this.defaultControllerNamespace());
  }

  /** Where this kind of edge's proxies usually run. */
  protected abstract defaultControllerNamespace(): string;

  /**
   * Refuses the client-certificate options this edge cannot deliver, rather than accepting and ignoring them (an app
   * that trusts a forwarded-certificate header no edge sets would trust whatever a client sends in it).
   */
  protected refuseClientAuthOptions(props: TlsEdgeProps, controller: string, options: ReadonlyArray<'verifyDepth' | 'passCertificateToUpstream'>): void {
    props.routes.forEach((r, i) => {
      for (const o of options) {
        check(r.clientAuth?.[o] === undefined || r.clientAuth[o] === false, this, `routes[${i}].clientAuth.${o}`, r.clientAuth?.[o],
          o === 'verifyDepth'
            ? `${controller} verifies the whole chain up to the CA and has no depth setting: drop verifyDepth`
            : `the edge cannot forward the client certificate on ${controller}: drop passCertificateToUpstream and let the app require client certificates itself (apps[].calls mutualTls), or use another edge kind`);
      }
    });
  }

  /** The edge serves its certificates' Secrets: from its own namespace, and never a CA's (its Secret holds the CA key). */
  private checkCertificates(certificates: TlsCertificate[]): void {
    for (const c of certificates) {
      check(c.namespace === this.namespace, this, 'certificates', c.node.path,
        `the edge reads TLS Secrets from its own namespace "${this.namespace}", this certificate writes to "${c.namespace}": create it in the edge's chart`);
      check(!c.isCa, this, 'certificates', c.node.path,
        'a CA certificate\'s Secret holds the CA\'s private key, which the edge would load and could sign with: serve a leaf certificate issued by the CA (new TlsCertificate({ issuer: ca.issuer, ... }))');
    }
  }

  /** One route, checked and resolved: its certificate, client verification and re-encryption. */
  private resolveRoute(r: EdgeRoute, field: string, certificateFor: (host: string) => TlsCertificate | undefined, seen: Map<string, number>, certificates: TlsCertificate[]): ResolvedRoute {
    const path = r.path ?? '/';
    check(!isIpAddress(r.host), this, `${field}.host`, r.host, 'a route host must be a DNS name (the API server rejects an IP address as an Ingress or route host): give the name clients use');
    checkName(this, `${field}.host`, r.host, NameKind.HOST, 'use a lower-case DNS name such as "app.example.com", or a wildcard "*.pages.example.com"');
    check(/^\/[A-Za-z0-9\-._~/%]*$/.test(path), this, `${field}.path`, path, 'use an absolute path prefix such as "/" or "/ws"');
    // The API server refuses these in an Ingress (networking validation invalidPathSequences), Gateway API's CEL in a route.
    check(!/\/\/|\/\.\.?(\/|$)|%2f/i.test(path), this, `${field}.path`, path, 'use a plain path: no "//", "/./", "/../" or "%2F", and no trailing "/." or "/.."');
    const key = `${r.host}${path}`;
    if (seen.has(key)) fail(this, `${field}.path`, key, `routes[${seen.get(key)}] already routes this host and path: keep one`);
    seen.set(key, Number(field.replace(/\D/g, '')));
    check(r.backend.namespace === this.namespace, this, `${field}.backend`, r.backend.node.path, `route to a workload in the edge's namespace "${this.namespace}"`);
    if (r.websocket) {
      check(r.backend.protocol === AppProtocol.WEBSOCKET, this, `${field}.backend`, r.backend.serviceName,
        `a WebSocket route needs a WebSocket backend: set protocol: AppProtocol.WEBSOCKET on workload "${r.backend.serviceName}" (its Service port then says appProtocol kubernetes.io/ws)`);
      check(!r.maxRequestBodySize, this, `${field}.maxRequestBodySize`, String(r.maxRequestBodySize),
        'a WebSocket route cannot limit the request body: the edges enforce it by buffering the request, which breaks the upgrade; limit message sizes in the app');
    }
    const maxRequestBodyBytes = r.maxRequestBodySize && wholeBytes(this, `${field}.maxRequestBodySize`, r.maxRequestBodySize);
    if (maxRequestBodyBytes !== undefined) {
      check(maxRequestBodyBytes >= 1024, this, `${field}.maxRequestBodySize`, maxRequestBodyBytes, 'give a size of at least Size.kibibytes(1), in whole kibibytes');
      check(!r.passthrough, this, `${field}.maxRequestBodySize`, maxRequestBodyBytes, 'a passthrough route is encrypted end to end: the edge cannot see the body; limit it in the backend');
    }
    const backendCert = r.backend.certificate;
    if (r.passthrough) {
      check(path === '/', this, `${field}.path`, path, 'a passthrough route takes the whole host: use path "/"');
      check(!isWildcard(r.host), this, `${field}.host`, r.host, 'a wildcard host cannot be passed through (the edge routes TLS by the exact SNI name): terminate it at the edge with a wildcard certificate');
      check(!r.clientAuth, this, `${field}.clientAuth`, 'set', 'the edge cannot verify clients on a passthrough route: let the backend require client certificates');
      if (!backendCert?.covers(r.host)) {
        fail(this, `${field}.backend`, r.backend.serviceName, `a passthrough route needs a backend that terminates TLS with a certificate naming "${r.host}": give the workload tls.certificate covering it`);
      }
      return { field, host: r.host, path, backend: r.backend, websocket: !!r.websocket, certificate: backendCert, passthrough: true };
    }
    const certificate = certificateFor(r.host);
    if (!certificate) {
      fail(this, `${field}.host`, r.host, `no certificate of the edge covers this host: add it to a certificate's dnsNames (certificates: ${certificates.map((c) => c.node.id).join(', ') || 'none'})`);
    }
    const clientAuth = r.clientAuth && this.resolveClientAuth(r, field);
    return { field, host: r.host, path, backend: r.backend, websocket: !!r.websocket, certificate, passthrough: false, clientAuth, upstreamTls: this.upstreamTls(r, field), maxRequestBodyBytes };
  }

  /**
   * Client-certificate verification of a route: from an internal CA, at the edge's own TLS handshake, for an app the
   * edge is the only way to. The depth is the CA's chain (2 through an intermediate) unless given.
   */
  private resolveClientAuth(r: EdgeRoute, field: string): EdgeClientAuth {
    const auth = r.clientAuth!;
    check(!!auth.ca?.trustBundle, this, `${field}.clientAuth.ca`, auth.ca?.issuerName, 'use the issuer of an InternalCa');
    // Behind a TLS-terminating load balancer every request reaches the edge as plain HTTP: there is no handshake in which
    // to ask for a client certificate (nginx checks ssl_verify_client on TLS connections only; Envoy and Traefik verify
    // in their TLS listeners, which these requests never reach).
    check(!this.behindTlsLoadBalancer, this, `${field}.clientAuth`, 'set',
      'the load balancer in front terminates TLS, so the edge never sees a client certificate and would serve this host without the check: let the load balancer verify client certificates (and drop clientAuth), or terminate TLS at the edge for this host (a stack without behindTlsLoadBalancer)');
    check(r.backend.serviceType === ServiceType.CLUSTER_IP, this, `${field}.backend`, r.backend.serviceName,
      `"${r.backend.serviceName}" is also reachable through its own ${r.backend.serviceType} Service, around the edge's client-certificate check: keep its Service ClusterIP`);
    const verifyDepth = auth.verifyDepth ?? auth.ca.chainDepth;
    check(Number.isInteger(verifyDepth) && verifyDepth >= 1 && verifyDepth <= 5, this, `${field}.clientAuth.verifyDepth`, verifyDepth, 'use a depth between 1 and 5');
    return { ...auth, verifyDepth };
  }

  /**
   * Re-encryption to a backend that serves TLS: the edge verifies it against the CA that signed its certificate (an
   * internal CA, whose bundle it can mount) and the Service name.
   */
  private upstreamTls(r: EdgeRoute, field: string): ResolvedRoute['upstreamTls'] {
    const backendCert = r.backend.certificate;
    if (!backendCert) return undefined;
    const ca = backendCert.issuer;
    const verifyName = `${r.backend.serviceName}.${r.backend.namespace}.svc`;
    if (!(ca instanceof CaIssuer) || !ca.trustBundle) {
      fail(this, `${field}.backend`, r.backend.serviceName, `the edge re-encrypts to "${r.backend.serviceName}" and must verify it, but its certificate comes from "${ca.issuerName}" (${ca.issuerType}): issue it from an InternalCa`);
    }
    check(backendCert.covers(verifyName), this, `${field}.backend`, r.backend.serviceName,
      `the edge verifies the backend as "${verifyName}", which its certificate does not name: add serviceDnsNames("${r.backend.serviceName}", "${r.backend.namespace}")`);
    return { ca, verifyName };
  }

  /**
   * One owner per public host in an App (an environment): a second edge for it would fight the first one for the
   * listener, the Ingress rule or the router, and which one wins depends on the controller.
   */
  private claimHosts(): void {
    const owners = hostOwners.get(this.node.root) ?? new Map<string, string>();
    hostOwners.set(this.node.root, owners);
    for (const host of this.hosts) {
      const other = owners.get(host);
      if (other) fail(this, 'routes', host, `edge ${other} already serves this host in this app: route all of its paths through one edge (one stack), or give this one another host`);
      owners.set(host, this.node.path);
    }
  }

  /** Client verification and passthrough happen in the TLS handshake, before any path is known: per host. */
  private checkHandshakeSettings(): void {
    for (const [host, routes] of this.routesByHost) {
      const mode = (r: ResolvedRoute) => (r.passthrough ? 'passthrough'
        : r.clientAuth ? `client certificates from ${r.clientAuth.ca.issuerName}${r.clientAuth.optional ? ' (optional)' : ''}, verify depth ${r.clientAuth.verifyDepth}` : 'no client certificates');
      const modes = groupBy(routes, mode);
      if (modes.size > 1) {
        const [[first], [second, [other]]] = modes;
        fail(this, `${other.field}`, `${host}${other.path}`, `every route of "${host}" must agree on passthrough and clientAuth (the TLS handshake happens before the path is known): ${routes[0].field} (${routes[0].path}) has ${first}, this one ${second}`);
      }
    }
  }

  /** Host names in a form fit for object and listener names (`api.example.com` → `api-example-com`). @internal */
  public static slug(host: string): string {
    return host.replace(/^\*\./, 'wildcard.').replace(/\./g, '-');
  }

  /**
   * The name of an object the edge derives, `<edge name>-<parts>`: a long stack name and a long host would pass 253
   * characters, so a name that does not fit is cut and ends with a hash of the whole (distinct names stay distinct).
   */
  protected objectName(...parts: Array<string | number>): string {
    return fitName([this.edgeName, ...parts].join('-'));
  }

  /**
   * HTTP-01 challenges for the edge's hosts arrive at this edge, so the solver the issuer picks for each host must
   * answer here. Implementations call it at the end of their constructor (it needs their own settings).
   */
  protected checkHttp01Solvers(): void {
    // Passthrough hosts too: their challenges arrive on the edge's plain-HTTP port like the others'.
    for (const r of this.routes) {
      const issuer = r.certificate.issuer;
      const solver = issuer instanceof AcmeIssuer ? issuer.solverFor(r.host) : undefined;
      if (solver?.challenge === ChallengeType.HTTP01 && !this.answersHttp01(solver)) {
        fail(this, `${r.field}.host`, r.host, `issuer "${issuer.issuerName}" would prove this host with HTTP-01 through ${solver.describeTarget()}, which this edge does not serve: add a solver for this edge (${this.http01Hint()}) or a DNS-01 solver whose selector covers the host`);
      }
    }
  }

  /** Whether this HTTP-01 solver answers challenges on this edge (a solver that derives its Gateways adopts the edge's). */
  protected abstract answersHttp01(solver: AcmeSolver): boolean;

  /** How to write a solver that answers on this edge, for error messages. */
  protected abstract http01Hint(): string;

  /**
   * A client certificate of the edge from `ca`, created once per CA: the edge presents it to backends that
   * require one, and its Secret's `ca.crt` is what the edge verifies backends and clients against.
   */
  protected edgeClientCertificate(ca: CaIssuer): TlsCertificate {
    const id = `EdgeClient-${ca.issuerName}`;
    return (this.node.tryFindChild(id) as TlsCertificate | undefined) ?? new TlsCertificate(this, id, {
      name: this.objectName('edge', ca.issuerName, 'client'),
      commonName: fitName(`${this.namespace ?? 'default'}-edge`, 64),
      issuer: ca,
      usages: [KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CLIENT_AUTH],
    });
  }

  /** Routes grouped by certificate: `[certificate, hosts]`, hosts sorted. */
  protected tlsGroups(routes: ResolvedRoute[]): Array<[TlsCertificate, string[]]> {
    const groups = new Map<TlsCertificate, Set<string>>();
    for (const r of routes) groups.set(r.certificate, (groups.get(r.certificate) ?? new Set()).add(r.host));
    return [...groups].map(([c, hosts]) => [c, [...hosts].sort()]);
  }
}

/** Finds the certificate that covers a host in O(1): exact names first, then the wildcard of its parent zone. */
/**
 * Finds the certificate that covers a host in O(1): exact names first, then the wildcard of its parent zone (a wildcard
 * host needs that very wildcard). A name two certificates list would leave the choice to chance: refused.
 */
function certificateIndex(edge: IConstruct, certificates: TlsCertificate[]): (host: string) => TlsCertificate | undefined {
  const exact = new Map<string, TlsCertificate>();
  const wildcard = new Map<string, TlsCertificate>();
  for (const c of certificates) {
    for (const n of c.dnsNames) {
      const index = isWildcard(n) ? wildcard : exact;
      const key = isWildcard(n) ? n.slice(2) : n;
      const other = index.get(key);
      if (other && other !== c) fail(edge, 'certificates', n, `both ${other.node.path} and ${c.node.path} list it, and the edge would serve one of them at random: list each name in one certificate`);
      index.set(key, c);
    }
  }
  return (host) => (isWildcard(host) ? undefined : exact.get(host)) ?? wildcard.get(host.slice(host.indexOf('.') + 1));
}
