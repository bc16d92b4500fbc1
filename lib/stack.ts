import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { KeyAlgorithm, KeystoreOptions, PrivateKeyOptions, TlsCertificate } from './certificates';
import { NamespacedChart } from './chart';
import { ITlsEdge } from './edge/edge';
import { EdgeOptions, createTlsEdge } from './edge/factory';
import { ICertificateIssuer } from './issuers';
import { InternalCa, serviceDnsNames } from './pki';
import { TlsPolicyError } from './policy/gate';
import { check, checkName, fail, NameKind, present, TlsStackError } from './policy/validation';
import { SecureWorkload, SecureWorkloadProps, TlsEnv } from './workloads';

/** Lifetime of a certificate. */
export interface CertificateLifetimeSpec {
  /** Requested validity. @default the issuer's (a Let's Encrypt profile's), else 90 days */
  readonly duration?: Duration;
  /** Renew this long before expiry. @default a third of the duration */
  readonly renewBefore?: Duration;
}

/** A set of host names served with one certificate (e.g. a domain and its `www.` alias). */
export interface SiteSpec extends CertificateLifetimeSpec {
  /** Certificate name (its Secret is `<name>-tls` unless `secretName` is given). */
  readonly name: string;
  /**
   * Secret cert-manager writes the certificate to. Give the name a Secret has today (e.g. one that cert-manager's
   * ingress-shim made from an Ingress) to take it over without issuing again. @default "<name>-tls"
   */
  readonly secretName?: string;
  /** Host names on the certificate; a wildcard (`*.pages.example.com`) needs a DNS-01 solver. */
  readonly hosts: string[];
  /** Key algorithm. @default ECDSA P-256 */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Key size. @default the algorithm's default */
  readonly keySize?: number;
  /** Keystores in the Secret. @default none */
  readonly keystores?: KeystoreOptions;
}

/**
 * One application: every option of a {@link SecureWorkload} (image, port, protocol, env, resources, probes, mtlsEnv,
 * networkPolicy...), with its TLS given by name (a site, or the internal CA) and the apps it calls.
 */
export interface AppSpec extends Omit<SecureWorkloadProps, 'tls'> {
  /** The app terminates TLS itself. @default plain HTTP behind the edge */
  readonly tls?: AppTlsSpec;
  /** Apps this one calls over verified HTTPS (their URL is set in its environment). @default none */
  readonly calls?: CallSpec[];
}

/** How an app terminates TLS. Exactly one of `site` and `internal`. */
export interface AppTlsSpec extends CertificateLifetimeSpec {
  /** Serve the certificate of this site (public names, the stack issuer). @default none */
  readonly site?: string;
  /**
   * Serve a certificate from the stack's internal CA that names the Service's in-cluster DNS names (plus
   * `extraDnsNames` and `ipAddresses`), so callers verify `https://<app>.<ns>.svc`. @default false
   */
  readonly internal?: boolean;
  /** More DNS names on the internal certificate. @default none */
  readonly extraDnsNames?: string[];
  /** IP addresses on the internal certificate. @default none */
  readonly ipAddresses?: string[];
  /** Key of the internal certificate. @default ECDSA P-256 */
  readonly privateKey?: PrivateKeyOptions;
  /** Keystores in the internal certificate's Secret. @default none */
  readonly keystores?: KeystoreOptions;
  /** How the app is told where the files are. @default TlsEnv.directory() */
  readonly env?: TlsEnv;
  /** Directory the certificate is mounted at (not a system directory). @default "/etc/tls" */
  readonly mountPath?: string;
}

/** A call from one app to another. */
export interface CallSpec {
  /** The app called (it must serve TLS). */
  readonly app: string;
  /** Present a client certificate; the called app then requires one. @default false */
  readonly mutualTls?: boolean;
  /** Variable holding the URL. @default "<APP>_URL" */
  readonly urlEnv?: string;
}

/** A public route through the edge. */
export interface RouteSpec {
  /** Public host, or a wildcard such as `*.pages.example.com` (served with a wildcard site certificate). */
  readonly host: string;
  /** Path prefix. @default "/" */
  readonly path?: string;
  /** Name of the app that serves it. */
  readonly app: string;
  /** A WebSocket route: long idle timeouts (the app must speak WebSocket). @default false */
  readonly websocket?: boolean;
  /** Pass TLS through to the app (it terminates TLS with a certificate naming the host). @default false */
  readonly passthrough?: boolean;
  /** Verify client certificates from the stack's internal CA at the edge. @default false */
  readonly clientAuth?: boolean;
  /** Largest request body, e.g. `Size.gibibytes(1)` for uploads. @default the controller's (ingress-nginx: 1 MiB) */
  readonly maxRequestBodySize?: Size;
}

/** The whole stack of one namespace, as one typed spec. */
export interface TlsStackSpec {
  /** Base name of the stack's edge objects (Gateway or ListenerSet, routes, policies); unique per namespace. @default the chart's id */
  readonly name?: string;
  readonly namespace: string;
  /** @default true */
  readonly createNamespace?: boolean;
  /** Issuer of the public (site) certificates. */
  readonly issuer: ICertificateIssuer;
  /** Internal CA for service certificates, client certificates and edge client verification. @default none */
  readonly internalCa?: InternalCa;
  /** Cluster DNS domain for in-cluster certificate names. @default "cluster.local" */
  readonly clusterDomain?: string;
  readonly sites: SiteSpec[];
  readonly apps: AppSpec[];
  /** @default none (no edge) */
  readonly routes?: RouteSpec[];
  /** Which edge and how: kind (ingress-nginx, Gateway API, Traefik), TLS profile, headers, timeouts... @default EdgeOptions defaults */
  readonly edge?: EdgeOptions;
}

/**
 * The generic stack: certificates per site, workloads per app, and a TLS edge for the routes, from one spec.
 * Cross references (route → app, app → site) are checked before anything is built.
 */
export class TlsStackChart extends NamespacedChart {
  /** The site certificates, by site name. */
  public readonly certificates: Readonly<Record<string, TlsCertificate>>;
  /** The workloads, by app name. */
  public readonly workloads: Readonly<Record<string, SecureWorkload>>;
  /** The edge of the routes (undefined without routes). */
  public readonly edge?: ITlsEdge;

  constructor(scope: Construct, id: string, spec: TlsStackSpec) {
    super(scope, id, { namespace: spec.namespace, createNamespace: spec.createNamespace });
    const name = this.checkSpec(id, spec);
    this.certificates = this.addSiteCertificates(spec);
    this.workloads = this.addWorkloads(spec);
    this.connectCalls(spec);
    if (spec.routes?.length) this.edge = this.addEdge(name, spec);
  }

  /** Everything the spec says about itself: names, references between sites, apps and routes. Returns the stack's name. */
  private checkSpec(id: string, spec: TlsStackSpec): string {
    const name = spec.name ?? id;
    const field = spec.name === undefined ? 'id' : 'name';
    const fix = 'it names the stack\'s edge objects: give the chart a lower-case id of at most 50 characters, or set name';
    checkName(this, field, name, NameKind.OBJECT, fix);
    check(name.length <= 50, this, field, name, `it is too long (${name.length} > 50 characters); ${fix}`);
    for (const list of ['sites', 'apps', 'routes'] as const) present(this, list, spec[list]);
    spec.sites.forEach((s, i) => present(this, `sites[${i}].hosts`, s.hosts));
    spec.apps.forEach((a, i) => present(this, `apps[${i}].calls`, a.calls));
    const siteNames = unique(this, 'sites', spec.sites.map((s) => s.name));
    const appNames = unique(this, 'apps', spec.apps.map((a) => a.name));
    const needCa = (f: string) => check(!!spec.internalCa, this, f, true, 'give the stack an internalCa (new InternalCa(...)) to issue internal and client certificates');
    spec.apps.forEach((a, i) => {
      if (a.tls) {
        check(!!a.tls.site !== !!a.tls.internal, this, `apps[${i}].tls`, a.tls, 'set exactly one of site (public certificate) and internal: true (internal CA)');
        if (a.tls.site) check(siteNames.has(a.tls.site), this, `apps[${i}].tls.site`, a.tls.site, () => `name one of the sites: ${[...siteNames].join(', ')}`);
        if (a.tls.internal) needCa(`apps[${i}].tls.internal`);
      }
      (a.calls ?? []).forEach((c, j) => check(appNames.has(c.app), this, `apps[${i}].calls[${j}].app`, c.app, () => `name one of the apps: ${[...appNames].join(', ')}`));
    });
    (spec.routes ?? []).forEach((r, i) => {
      check(appNames.has(r.app), this, `routes[${i}].app`, r.app, () => `name one of the apps: ${[...appNames].join(', ')}`);
      if (r.clientAuth) needCa(`routes[${i}].clientAuth`);
    });
    const siteOfHost = new Map<string, number>();
    spec.sites.forEach((site, i) => site.hosts.forEach((h) => {
      const other = siteOfHost.get(h);
      if (other !== undefined && other !== i) fail(this, `sites[${i}].hosts`, h, `sites[${other}] (${spec.sites[other].name}) lists it too, and the edge would serve one of the two certificates at random: list each host in one site`);
      siteOfHost.set(h, i);
    }));
    return name;
  }

  /** A certificate per site, its Secret `<name>-tls` (or the site's `secretName`). */
  private addSiteCertificates(spec: TlsStackSpec): Record<string, TlsCertificate> {
    return Object.fromEntries(spec.sites.map((s, i) => [s.name, inSpec(this, `sites[${i}]`, SITE_FIELDS, () => new TlsCertificate(this, `Certificate-${s.name}`, {
      name: s.name, secretName: s.secretName, issuer: spec.issuer, dnsNames: s.hosts, privateKey: { algorithm: s.keyAlgorithm, size: s.keySize }, keystores: s.keystores,
      duration: s.duration, renewBefore: s.renewBefore,
    }))]));
  }

  /** A workload per app, with its certificate: a site's, or one from the internal CA naming its Service. */
  private addWorkloads(spec: TlsStackSpec): Record<string, SecureWorkload> {
    return Object.fromEntries(spec.apps.map((a, i) => {
      const t = a.tls;
      const certificate = t?.site ? this.certificates[t.site] : t?.internal ? inSpec(this, `apps[${i}].tls`, INTERNAL_FIELDS, () => new TlsCertificate(this, `InternalCertificate-${a.name}`, {
        name: a.name, issuer: spec.internalCa!.issuer, commonName: a.name,
        dnsNames: [...serviceDnsNames(a.name, spec.namespace, spec.clusterDomain), ...t.extraDnsNames ?? []],
        ipAddresses: t.ipAddresses, privateKey: t.privateKey, keystores: t.keystores, duration: t.duration, renewBefore: t.renewBefore,
      })) : undefined;
      return [a.name, inSpec(this, `apps[${i}]`, {}, () => new SecureWorkload(this, `App-${a.name}`, {
        ...a,
        tls: certificate && { certificate, env: t!.env, mountPath: t!.mountPath },
      }))];
    }));
  }

  /** The calls between apps: each side wired at once (SecureWorkload.connectTo). */
  private connectCalls(spec: TlsStackSpec): void {
    spec.apps.forEach((a, i) => (a.calls ?? []).forEach((c, j) => inSpec(this, `apps[${i}].calls[${j}]`, { connectTo: '' }, () =>
      this.workloads[a.name].connectTo(this.workloads[c.app], { mutualTls: c.mutualTls, urlEnv: c.urlEnv }))));
  }

  /** The edge of the routes: its kind and options from `edge`. */
  private addEdge(name: string, spec: TlsStackSpec): ITlsEdge {
    return inSpec(this, '', { certificates: 'sites' }, () => createTlsEdge(this, 'Edge', {
      name,
      certificates: Object.values(this.certificates),
      routes: spec.routes!.map((r) => ({ ...r, backend: this.workloads[r.app], clientAuth: r.clientAuth ? { ca: spec.internalCa!.issuer } : undefined })),
    }, spec.edge));
  }
}

/** How a site certificate's props are named in the stack spec. */
const SITE_FIELDS: Record<string, string> = { 'dnsNames': 'hosts', 'privateKey.algorithm': 'keyAlgorithm', 'privateKey.size': 'keySize', 'name': 'name', 'secretName': 'secretName' };
/** How an internal certificate's props are named in an app's `tls`. */
const INTERNAL_FIELDS: Record<string, string> = { dnsNames: 'extraDnsNames' };

/**
 * Builds a construct of the stack; an error it throws is thrown again in the words of the spec the user wrote (the
 * stack's path, `sites[0].hosts` rather than `Certificate-web dnsNames`), naming where it came from.
 */
function inSpec<T>(stack: TlsStackChart, prefix: string, rename: Record<string, string>, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof TlsStackError) || e instanceof TlsPolicyError || e.path === stack.node.path) throw e;
    const [head, ...rest] = e.field.split('.');
    const mapped = rename[e.field] ?? (rename[head] !== undefined ? [rename[head], ...rest].filter(Boolean).join('.') : e.field);
    const field = [prefix, mapped].filter(Boolean).join('.').replace(/\.\[/g, '[');
    throw new TlsStackError(stack.node.path, field, e.value, `${e.fix} (${e.path}: ${e.field})`);
  }
}

/** The names, each once. */
function unique(chart: NamespacedChart, field: string, names: string[]): Set<string> {
  const set = new Set<string>();
  for (const n of names) {
    if (set.has(n)) fail(chart, field, n, 'use each name once');
    set.add(n);
  }
  return set;
}
