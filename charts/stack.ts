import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AppProtocol, ICertificateIssuer, KeyAlgorithm, NamespacedChart, NginxIngressEdge, ProbeKind, ReloadStrategy, SecretKeyRef,
  SecureWorkload, SecurityHeadersOptions, TlsCertificate, TlsEnv, TlsProfile, check, fail,
} from '../lib';

/** A set of host names served with one certificate (e.g. a domain and its `www.` alias). */
export interface SiteSpec {
  /** Certificate name (its Secret is `<name>-tls`). */
  readonly name: string;
  /** Host names on the certificate. */
  readonly hosts: string[];
  /** Key algorithm. @default ECDSA P-256 */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Key size. @default the algorithm's default */
  readonly keySize?: number;
}

/** One application. */
export interface AppSpec {
  /** Deployment and Service name. */
  readonly name: string;
  readonly image: string;
  /** Container port. */
  readonly port: number;
  /** @default AppProtocol.HTTP */
  readonly protocol?: AppProtocol;
  /** The app terminates TLS itself with the certificate of this site. @default plain HTTP behind the edge */
  readonly tls?: { readonly site: string; readonly env?: TlsEnv; readonly mountPath?: string };
  /** Service type. @default ClusterIP */
  readonly serviceType?: kplus.ServiceType;
  /** @default 443 with TLS, 80 without */
  readonly servicePort?: number;
  /** @default 2 */
  readonly replicas?: number;
  /** @default none */
  readonly env?: Record<string, string>;
  /** @default none */
  readonly secretEnv?: Record<string, SecretKeyRef>;
  /** @default ProbeKind.HTTP_GET on healthPath */
  readonly probe?: ProbeKind;
  /** @default "/healthz" */
  readonly healthPath?: string;
  /** @default ReloadStrategy.STAKATER_RELOADER */
  readonly reload?: ReloadStrategy;
}

/** A public route through the edge. */
export interface RouteSpec {
  readonly host: string;
  /** @default "/" */
  readonly path?: string;
  /** Name of the app that serves it. */
  readonly app: string;
  /** @default false */
  readonly websocket?: boolean;
}

/** The TLS edge in front of the routes. */
export interface EdgeSpec {
  /** @default "nginx" */
  readonly ingressClassName?: string;
  /** @default TlsProfile.INTERMEDIATE */
  readonly tlsProfile?: TlsProfile;
  /** @default HSTS 1 year + includeSubDomains and the OWASP header set */
  readonly headers?: SecurityHeadersOptions;
  /** @default Duration.seconds(3600) */
  readonly websocketTimeout?: Duration;
  /** TLS terminates at an outer load balancer. @default false */
  readonly behindTlsLoadBalancer?: boolean;
}

/** The whole stack of one namespace, as one typed spec. */
export interface TlsStackSpec {
  readonly namespace: string;
  /** @default true */
  readonly createNamespace?: boolean;
  /** Issuer of every certificate of the stack. */
  readonly issuer: ICertificateIssuer;
  readonly sites: SiteSpec[];
  readonly apps: AppSpec[];
  /** @default none (no edge) */
  readonly routes?: RouteSpec[];
  /** @default EdgeSpec defaults */
  readonly edge?: EdgeSpec;
}

/**
 * The generic stack: certificates per site, workloads per app, and a TLS edge for the routes, from one spec.
 * Cross references (route → app, app → site) are checked before anything is built.
 */
export class TlsStackChart extends NamespacedChart {
  public readonly certificates: Record<string, TlsCertificate> = {};
  public readonly workloads: Record<string, SecureWorkload> = {};
  public readonly edge?: NginxIngressEdge;

  constructor(scope: Construct, id: string, spec: TlsStackSpec) {
    super(scope, id, { namespace: spec.namespace, createNamespace: spec.createNamespace });
    const siteNames = unique(this, 'sites', spec.sites.map((s) => s.name));
    unique(this, 'apps', spec.apps.map((a) => a.name));
    spec.apps.forEach((a, i) => a.tls && check(siteNames.has(a.tls.site), this, `apps[${i}].tls.site`, a.tls.site, `name one of the sites: ${[...siteNames].join(', ')}`));
    const appNames = new Set(spec.apps.map((a) => a.name));
    (spec.routes ?? []).forEach((r, i) => check(appNames.has(r.app), this, `routes[${i}].app`, r.app, `name one of the apps: ${[...appNames].join(', ')}`));

    for (const s of spec.sites) {
      this.certificates[s.name] = new TlsCertificate(this, `Certificate-${s.name}`, {
        name: s.name, issuer: spec.issuer, dnsNames: s.hosts, privateKey: { algorithm: s.keyAlgorithm, size: s.keySize },
      });
    }
    for (const a of spec.apps) {
      this.workloads[a.name] = new SecureWorkload(this, `App-${a.name}`, {
        ...a,
        tls: a.tls && { certificate: this.certificates[a.tls.site], env: a.tls.env, mountPath: a.tls.mountPath },
      });
    }
    if (spec.routes?.length) {
      this.edge = new NginxIngressEdge(this, 'Edge', {
        name: spec.namespace,
        ...spec.edge,
        certificates: Object.values(this.certificates),
        routes: spec.routes.map((r) => ({ ...r, backend: this.workloads[r.app] })),
      });
    }
  }
}

function unique(chart: NamespacedChart, field: string, names: string[]): Set<string> {
  const set = new Set<string>();
  for (const n of names) {
    if (set.has(n)) fail(chart, field, n, 'use each name once');
    set.add(n);
  }
  return set;
}
