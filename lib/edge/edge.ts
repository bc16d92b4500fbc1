import { Chart, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { TlsCertificate } from '../certificates';
import { SecurityHeaders, SecurityHeadersOptions } from '../policy/headers';
import { TlsProfile } from '../policy/tls-profiles';
import { check, fail, isDnsName } from '../policy/validation';
import { AppProtocol, SecureWorkload } from '../workloads';

/** One host + path routed to a workload. */
export interface EdgeRoute {
  /** Public host name (no wildcard). */
  readonly host: string;
  /** Path prefix. @default "/" */
  readonly path?: string;
  /** The workload that serves it. */
  readonly backend: SecureWorkload;
  /** A WebSocket route: long-lived connections get long proxy timeouts. The backend must speak WebSocket. @default false */
  readonly websocket?: boolean;
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
}

/** A resolved route. */
export interface ResolvedRoute {
  readonly host: string;
  readonly path: string;
  readonly backend: SecureWorkload;
  readonly websocket: boolean;
  readonly certificate: TlsCertificate;
}

/** What every edge implementation exposes: the security intent it delivers, for review and cross-checks. */
export interface ITlsEdge extends IConstruct {
  /** Hosts served, sorted. */
  readonly hosts: string[];
  /** Validated routes. */
  readonly routes: ResolvedRoute[];
  readonly tlsProfile: TlsProfile;
  readonly securityHeaders: SecurityHeaders;
  readonly websocketTimeout: Duration;
}

/**
 * Validation and resolution every edge shares: hosts are DNS names covered by a certificate of the edge's
 * namespace, host+path pairs are unique, WebSocket routes reach WebSocket backends, the profile is at least TLS 1.2.
 */
export abstract class TlsEdgeBase extends Construct implements ITlsEdge {
  public readonly hosts: string[];
  public readonly routes: ResolvedRoute[];
  public readonly tlsProfile: TlsProfile;
  public readonly securityHeaders: SecurityHeaders;
  public readonly websocketTimeout: Duration;
  public readonly namespace?: string;

  constructor(scope: Construct, id: string, props: TlsEdgeProps) {
    super(scope, id);
    this.namespace = Chart.of(this).namespace;
    this.tlsProfile = props.tlsProfile ?? TlsProfile.INTERMEDIATE;
    this.tlsProfile.validate(this, 'tlsProfile');
    this.securityHeaders = new SecurityHeaders(this, 'headers', props.headers);
    this.websocketTimeout = props.websocketTimeout ?? Duration.seconds(3600);
    check(this.websocketTimeout.toSeconds() >= 60, this, 'websocketTimeout', this.websocketTimeout.toSeconds(), 'use at least Duration.seconds(60)');
    check(props.routes.length > 0, this, 'routes', [], 'give at least one route');
    for (const c of props.certificates) {
      check(c.namespace === this.namespace, this, 'certificates', c.node.path,
        `the edge reads TLS Secrets from its own namespace "${this.namespace}", this certificate writes to "${c.namespace}": create it in the edge's chart`);
    }

    const seen = new Map<string, number>();
    this.routes = props.routes.map((r, i) => {
      const field = `routes[${i}]`;
      const path = r.path ?? '/';
      check(isDnsName(r.host, false), this, `${field}.host`, r.host, 'use a lower-case DNS name such as "app.example.com" (no wildcard)');
      check(/^\/[A-Za-z0-9\-._~/%]*$/.test(path), this, `${field}.path`, path, 'use an absolute path prefix such as "/" or "/ws"');
      const key = `${r.host}${path}`;
      if (seen.has(key)) fail(this, `${field}.path`, key, `routes[${seen.get(key)}] already routes this host and path: keep one`);
      seen.set(key, i);
      const certificate = props.certificates.find((c) => c.covers(r.host));
      if (!certificate) {
        fail(this, `${field}.host`, r.host, `no certificate of the edge covers this host: add it to a certificate's dnsNames (certificates: ${props.certificates.map((c) => c.node.id).join(', ') || 'none'})`);
      }
      check(r.backend.namespace === this.namespace, this, `${field}.backend`, r.backend.node.path, `route to a workload in the edge's namespace "${this.namespace}"`);
      if (r.websocket) {
        check(r.backend.protocol === AppProtocol.WEBSOCKET, this, `${field}.backend`, r.backend.serviceName,
          `a WebSocket route needs a WebSocket backend: set protocol: AppProtocol.WEBSOCKET on workload "${r.backend.serviceName}" (its Service port then says appProtocol kubernetes.io/ws)`);
      }
      this.validateBackend(r.backend, field);
      return { host: r.host, path, backend: r.backend, websocket: !!r.websocket, certificate };
    });
    this.hosts = [...new Set(this.routes.map((r) => r.host))].sort();
  }

  /** Implementation-specific backend checks (e.g. what upstream protocols it can verify). */
  protected abstract validateBackend(backend: SecureWorkload, field: string): void;

  /** Routes grouped by certificate: `[certificate, hosts]`, hosts sorted. */
  protected tlsGroups(routes: ResolvedRoute[]): Array<[TlsCertificate, string[]]> {
    const groups = new Map<TlsCertificate, Set<string>>();
    for (const r of routes) groups.set(r.certificate, (groups.get(r.certificate) ?? new Set()).add(r.host));
    return [...groups].map(([c, hosts]) => [c, [...hosts].sort()]);
  }
}
