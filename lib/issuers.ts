import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as cm from '../imports/cert-manager.io';
import { makeClusterScoped } from './chart';
import { enforcePolicy } from './policy/gate';
import { check, fail, isDnsName, isEmail, isObjectName, isWildcard, nameCovers } from './policy/validation';

/** What signs the certificates: decides what an issuer may be asked for. */
export enum IssuerType {
  /** A public ACME CA (Let's Encrypt): server certificates for public DNS names only. */
  ACME = 'acme',
  /** Self-signed: each certificate signs itself (development, or the root of an internal CA). */
  SELF_SIGNED = 'selfSigned',
  /** An internal CA whose key is in a Secret. */
  CA = 'ca',
  /** Defined outside this stack; the library cannot see what it does. */
  EXTERNAL = 'external',
}

/** A cert-manager issuer that certificates can reference. */
export interface ICertificateIssuer extends IConstruct {
  /** `metadata.name` of the issuer. */
  readonly issuerName: string;
  /** `ClusterIssuer` or `Issuer`. */
  readonly issuerKind: 'ClusterIssuer' | 'Issuer';
  /** What kind of CA it is. */
  readonly issuerType: IssuerType;
  /**
   * Throws a TlsStackError when this issuer cannot issue what is asked (a wildcard that no DNS-01 solver serves,
   * a client certificate from a public CA...). `requester` is the certificate asking.
   */
  validateRequest(requester: IConstruct, request: CertificateRequestInfo): void;
}

/** What a certificate asks its issuer for. */
export interface CertificateRequestInfo {
  readonly dnsNames: string[];
  /** X.509 usages (cert-manager spelling, e.g. "client auth"). */
  readonly usages: string[];
  readonly isCa: boolean;
}

/** Base of the ClusterIssuers the library emits. ClusterIssuers are cluster-scoped: they never carry a namespace. */
abstract class ClusterIssuerBase extends Construct implements ICertificateIssuer {
  public readonly issuerKind = 'ClusterIssuer' as const;
  public abstract readonly issuerType: IssuerType;
  /** The emitted cert-manager ClusterIssuer. */
  public readonly apiObject: ApiObject;

  /** @internal */
  constructor(scope: Construct, id: string, public readonly issuerName: string, spec: cm.ClusterIssuerSpec) {
    super(scope, id);
    enforcePolicy(this);
    check(isObjectName(issuerName), this, 'name', issuerName, 'use a lower-case RFC 1123 name such as "letsencrypt-prod"');
    this.apiObject = new cm.ClusterIssuer(this, 'Resource', { metadata: { name: issuerName }, spec });
    makeClusterScoped(this.apiObject);
  }

  public validateRequest(requester: IConstruct, request: CertificateRequestInfo): void {
    if (request.usages.includes('client auth') && this.issuerType !== IssuerType.CA) {
      fail(requester, 'usages', 'client auth', `client certificates must come from an internal CA (InternalCa), not the ${this.issuerType} issuer "${this.issuerName}": a public CA must not decide who may call an internal service, and public CAs are dropping clientAuth`);
    }
    if (request.isCa && this.issuerType === IssuerType.ACME) {
      fail(requester, 'isCa', true, `ACME issuer "${this.issuerName}" cannot issue CA certificates: use a SelfSignedIssuer (root) or a CA issuer (intermediate)`);
    }
  }
}

/** Self-signed ClusterIssuer: for development, or as the root of an internal CA. */
export interface SelfSignedIssuerProps {
  /**
   * `metadata.name` of the ClusterIssuer.
   * @default "selfsigned"
   */
  readonly name?: string;
}

/** A self-signed ClusterIssuer. Browsers will not trust what it issues: use it in development only. */
export class SelfSignedIssuer extends ClusterIssuerBase {
  public readonly issuerType = IssuerType.SELF_SIGNED;
  constructor(scope: Construct, id: string, props: SelfSignedIssuerProps = {}) {
    super(scope, id, props.name ?? 'selfsigned', { selfSigned: {} });
  }
}

/** Let's Encrypt ACME directories. */
export enum AcmeServer {
  /** Trusted certificates, strict rate limits. */
  PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory',
  /** Untrusted test certificates, generous rate limits: use it to rehearse. */
  STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory',
}

/** ACME challenge types. */
export enum ChallengeType {
  HTTP01 = 'HTTP-01',
  DNS01 = 'DNS-01',
}

/** A reference to one key of a Secret (in cert-manager's cluster resource namespace for ClusterIssuers). */
export interface SecretKeyRef {
  /** Secret name. */
  readonly name: string;
  /** Key within the Secret. */
  readonly key: string;
}

/** Which names a solver serves. Without a selector a solver serves every name. */
export interface SolverSelector {
  /** Zones served, e.g. `example.com` serves `example.com` and every name below it. */
  readonly dnsZones?: string[];
  /** Exact names served (most specific match wins). */
  readonly dnsNames?: string[];
}

/** Props of {@link AcmeSolver.http01Ingress}. */
export interface Http01IngressSolverProps {
  /** `ingressClassName` of the Ingress cert-manager creates to answer the challenge. */
  readonly ingressClassName: string;
  /** Names this solver serves. @default every name */
  readonly selector?: SolverSelector;
}

/** A Gateway (and listener) an HTTP-01 challenge route attaches to. */
export interface GatewayParentRef {
  /** Gateway name. */
  readonly name: string;
  /** Gateway namespace. */
  readonly namespace: string;
  /** Listener name (the plain-HTTP listener on port 80). @default "http" */
  readonly sectionName?: string;
}

/** Props of {@link AcmeSolver.http01GatewayHttpRoute}. */
export interface Http01GatewaySolverProps {
  /**
   * Gateways whose HTTP listener serves the challenge. Leave it out and the solver answers on the Gateways of the
   * edges whose hosts it proves (one shared Gateway, or each stack's own): derived from what was built, at synth.
   * @default the Gateways of the edges that use it
   */
  readonly parentRefs?: GatewayParentRef[];
  /** Names this solver serves. @default every name */
  readonly selector?: SolverSelector;
}

/** Props of {@link AcmeSolver.cloudflare}. */
export interface CloudflareSolverProps {
  /** Secret key holding a Cloudflare API token with Zone:DNS:Edit. */
  readonly apiTokenSecret: SecretKeyRef;
  /** Names this solver serves. @default every name */
  readonly selector?: SolverSelector;
}

/** How cert-manager authenticates to Route53. */
export abstract class Route53Credentials {
  /** Ambient credentials of the cert-manager pod (IRSA, EKS Pod Identity, instance role). */
  public static ambient(): Route53Credentials {
    return { toJson: () => ({}) };
  }
  /** An access key: the key id in plain text is not secret; the secret key comes from a Secret. */
  public static accessKey(accessKeyIdSecret: SecretKeyRef, secretAccessKeySecret: SecretKeyRef): Route53Credentials {
    return { toJson: () => ({ accessKeyIdSecretRef: accessKeyIdSecret, secretAccessKeySecretRef: secretAccessKeySecret }) };
  }
  /** @internal */
  public abstract toJson(): Partial<cm.ClusterIssuerSpecAcmeSolversDns01Route53>;
}

/** Props of {@link AcmeSolver.route53}. */
export interface Route53SolverProps {
  /** AWS region. */
  readonly region: string;
  /** Hosted zone id; skips the zone lookup. @default looked up by cert-manager */
  readonly hostedZoneId?: string;
  /** Credentials. @default Route53Credentials.ambient() */
  readonly credentials?: Route53Credentials;
  /** IAM role to assume. @default none */
  readonly role?: string;
  /** Names this solver serves. @default every name */
  readonly selector?: SolverSelector;
}

/** One ACME challenge solver of an issuer. */
export class AcmeSolver {
  /** HTTP-01 through an Ingress of the given class. Cannot prove wildcard names. */
  public static http01Ingress(props: Http01IngressSolverProps): AcmeSolver {
    return new AcmeSolver(ChallengeType.HTTP01, { http01: { ingress: { ingressClassName: props.ingressClassName } } }, props.selector,
      [['ingressClassName', props.ingressClassName, isObjectName(props.ingressClassName), 'use the IngressClass name, e.g. "nginx"']]);
  }

  /**
   * HTTP-01 through a Gateway API HTTPRoute on Gateways' plain-HTTP listeners (cert-manager needs Gateway API support
   * turned on: `--enable-gateway-api`). Cannot prove wildcard names.
   */
  public static http01GatewayHttpRoute(props: Http01GatewaySolverProps = {}): AcmeSolver {
    const ref = (p: GatewayParentRef) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: p.name, namespace: p.namespace, sectionName: p.sectionName ?? 'http' });
    const derived = new Map<string, ReturnType<typeof ref>>();
    const parentRefs = props.parentRefs
      ? props.parentRefs.map(ref)
      : Lazy.any({ produce: () => [...derived.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r) }) as unknown as Array<ReturnType<typeof ref>>;
    const solver = new AcmeSolver(ChallengeType.HTTP01, { http01: { gatewayHttpRoute: { parentRefs } } }, props.selector,
      props.parentRefs ? [['parentRefs', props.parentRefs, props.parentRefs.length > 0 && props.parentRefs.every((p) => isObjectName(p.name) && isObjectName(p.namespace)), 'name at least one Gateway (name and namespace), or leave parentRefs out to use the edges\' Gateways']] : []);
    solver.gateways = props.parentRefs ? { fixed: props.parentRefs.map(ref) } : { derived, ref };
    return solver;
  }

  /** DNS-01 through Cloudflare with an API token. */
  public static cloudflare(props: CloudflareSolverProps): AcmeSolver {
    return new AcmeSolver(ChallengeType.DNS01, { dns01: { cloudflare: { apiTokenSecretRef: props.apiTokenSecret } } }, props.selector,
      [['apiTokenSecret.name', props.apiTokenSecret?.name, isObjectName(props.apiTokenSecret?.name), 'name the Secret that holds the API token'],
        ['apiTokenSecret.key', props.apiTokenSecret?.key, !!props.apiTokenSecret?.key, 'name the key of the API token in that Secret']]);
  }

  /** DNS-01 through AWS Route53. */
  public static route53(props: Route53SolverProps): AcmeSolver {
    const route53 = {
      region: props.region,
      hostedZoneId: props.hostedZoneId,
      role: props.role,
      ...(props.credentials ?? Route53Credentials.ambient()).toJson(),
    };
    return new AcmeSolver(ChallengeType.DNS01, { dns01: { route53 } }, props.selector,
      [['region', props.region, /^[a-z]{2}(-[a-z]+)+-\d$/.test(props.region ?? ''), 'use an AWS region such as "eu-west-1"']]);
  }

  private constructor(
    /** The challenge this solver answers. */
    public readonly challenge: ChallengeType,
    private readonly body: cm.ClusterIssuerSpecAcmeSolvers,
    /** Names this solver serves. */
    public readonly selector: SolverSelector | undefined,
    private readonly checks: Array<[string, unknown, boolean, string]>,
  ) {}

  /** Gateways of an HTTP-01 Gateway API solver: fixed, or derived from the edges that use it. */
  private gateways?: { fixed: GatewayParentRef[] } | { derived: Map<string, object>; ref: (p: GatewayParentRef) => object };

  /** The IngressClass whose Ingresses answer this solver's HTTP-01 challenges (undefined otherwise). */
  public get ingressClassName(): string | undefined {
    return this.body.http01?.ingress?.ingressClassName;
  }

  /**
   * Whether this solver answers HTTP-01 challenges on the HTTP listener of that Gateway. A solver without fixed
   * parentRefs adopts the Gateway (it is then in its parentRefs) and answers.
   */
  public answersOnGateway(gateway: Required<GatewayParentRef>): boolean {
    const g = this.gateways;
    if (!g) return false;
    if ('fixed' in g) return g.fixed.some((p) => p.name === gateway.name && p.namespace === gateway.namespace && (p.sectionName ?? 'http') === gateway.sectionName);
    g.derived.set(`${gateway.namespace}/${gateway.name}/${gateway.sectionName}`, g.ref(gateway));
    return true;
  }

  /** Where the solver answers, for error messages. */
  public describeTarget(): string {
    const g = this.gateways;
    if (g && 'fixed' in g) return `Gateways ${g.fixed.map((p) => `${p.namespace}/${p.name}`).join(', ')}`;
    return this.ingressClassName ? `IngressClass "${this.ingressClassName}"` : 'the Gateways of the edges that use it';
  }

  /** Validates the solver's own props, reporting under `field` of `scope`. */
  public validate(scope: IConstruct, field: string): void {
    for (const [f, value, ok, fix] of this.checks) check(ok, scope, `${field}.${f}`, value, fix);
    for (const n of [...this.selector?.dnsNames ?? [], ...this.selector?.dnsZones ?? []]) {
      check(isDnsName(n), scope, `${field}.selector`, n, 'use lower-case DNS names and zones');
    }
  }

  /**
   * How specifically this solver matches `name`, cert-manager style: an exact dnsNames match beats the
   * longest dnsZones match beats no selector. Returns -1 when it does not match.
   */
  public specificity(name: string): number {
    const s = this.selector;
    if (!s || (!s.dnsNames?.length && !s.dnsZones?.length)) return 0;
    if (s.dnsNames?.includes(name)) return 10_000;
    const bare = isWildcard(name) ? name.slice(2) : name;
    const zones = (s.dnsZones ?? []).filter((z) => bare === z || bare.endsWith(`.${z}`) || nameCovers(`*.${z}`, bare));
    return zones.length ? 1 + Math.max(...zones.map((z) => z.length)) : -1;
  }

  /** The `spec.acme.solvers[]` entry. @internal */
  public toJson(): cm.ClusterIssuerSpecAcmeSolvers {
    const { dnsNames, dnsZones } = this.selector ?? {};
    return dnsNames?.length || dnsZones?.length ? { ...this.body, selector: { dnsNames, dnsZones } } : this.body;
  }
}

/** Props of {@link LetsEncryptIssuer}. */
export interface LetsEncryptIssuerProps {
  /** Production or staging directory. @default AcmeServer.PRODUCTION */
  readonly server?: AcmeServer;
  /** ACME account email: Let's Encrypt writes to it about problems with the account. */
  readonly email: string;
  /**
   * `metadata.name` of the ClusterIssuer.
   * @default "letsencrypt-prod" or "letsencrypt-staging"
   */
  readonly name?: string;
  /**
   * Secret (created by cert-manager) that holds the ACME account key.
   * @default "<name>-account-key"
   */
  readonly accountKeySecretName?: string;
  /** Challenge solvers; at least one. Wildcard names need a DNS-01 solver. */
  readonly solvers: AcmeSolver[];
}

/** A Let's Encrypt ClusterIssuer (ACME) with HTTP-01 and/or DNS-01 solvers. */
export class LetsEncryptIssuer extends ClusterIssuerBase {
  public readonly issuerType = IssuerType.ACME;
  /** The ACME directory URL. */
  public readonly server: AcmeServer;
  private readonly solvers: AcmeSolver[];

  constructor(scope: Construct, id: string, props: LetsEncryptIssuerProps) {
    const server = props.server ?? AcmeServer.PRODUCTION;
    const name = props.name ?? (server === AcmeServer.STAGING ? 'letsencrypt-staging' : 'letsencrypt-prod');
    super(scope, id, name, {
      acme: {
        server,
        email: props.email,
        privateKeySecretRef: { name: props.accountKeySecretName ?? `${name}-account-key` },
        solvers: (props.solvers ?? []).map((s) => s.toJson()),
      },
    });
    this.server = server;
    this.solvers = props.solvers ?? [];
    check(isEmail(props.email), this, 'email', props.email, 'give a mailbox such as "ops@example.com"; Let\'s Encrypt sends expiry and account notices there');
    check(Object.values(AcmeServer).includes(server), this, 'server', server, 'use AcmeServer.PRODUCTION or AcmeServer.STAGING');
    check(isObjectName(props.accountKeySecretName ?? `${name}-account-key`), this, 'accountKeySecretName', props.accountKeySecretName, 'use a lower-case RFC 1123 Secret name');
    check(this.solvers.length > 0, this, 'solvers', [], 'add AcmeSolver.http01Ingress(...) or a DNS-01 solver (AcmeSolver.cloudflare / AcmeSolver.route53)');
    this.solvers.forEach((s, i) => s.validate(this, `solvers[${i}]`));
  }

  /** The solver cert-manager would pick for `name`, or undefined. */
  public solverFor(name: string): AcmeSolver | undefined {
    let best: AcmeSolver | undefined;
    let bestScore = -1;
    for (const s of this.solvers) {
      const score = s.specificity(name);
      if (score > bestScore) [best, bestScore] = [s, score];
    }
    return best;
  }

  public validateRequest(requester: IConstruct, request: CertificateRequestInfo): void {
    super.validateRequest(requester, request);
    for (const name of request.dnsNames) {
      const solver = this.solverFor(name);
      if (!solver) {
        fail(requester, 'dnsNames', name, `no solver of issuer "${this.issuerName}" serves this name: widen a solver selector (dnsZones) or add a solver for it`);
      }
      if (isWildcard(name) && solver.challenge !== ChallengeType.DNS01) {
        fail(requester, 'dnsNames', name, `a wildcard name can only be proven with DNS-01, but issuer "${this.issuerName}" would use ${solver.challenge}: add a DNS-01 solver (AcmeSolver.cloudflare or AcmeSolver.route53) whose selector covers it`);
      }
    }
  }
}

/** Where the certificate of a CA is published for clients to trust (a trust-manager Bundle's ConfigMap). */
export interface TrustBundleRef {
  /** Name of the ConfigMap trust-manager writes into each selected namespace. */
  readonly configMapName: string;
  /** Key of the PEM bundle in it. */
  readonly key: string;
  /** Namespace label (key → value) that makes trust-manager write the ConfigMap there. */
  readonly namespaceLabel: [string, string];
}

/** Props of {@link CaIssuer}. */
export interface CaIssuerProps {
  /** `metadata.name` of the ClusterIssuer. */
  readonly name: string;
  /** Secret (in cert-manager's cluster resource namespace) holding the CA's `tls.crt` and `tls.key`. */
  readonly secretName: string;
  /** Where clients find this CA to trust it. @default none (clients cannot be wired to it) */
  readonly trustBundle?: TrustBundleRef;
}

/** A CA ClusterIssuer: signs with a CA key held in a Secret. Usually made by {@link InternalCa}. */
export class CaIssuer extends ClusterIssuerBase {
  public readonly issuerType = IssuerType.CA;
  /** Where clients find the CA to trust it. */
  public readonly trustBundle?: TrustBundleRef;
  constructor(scope: Construct, id: string, props: CaIssuerProps) {
    super(scope, id, props.name, { ca: { secretName: props.secretName } });
    check(isObjectName(props.secretName), this, 'secretName', props.secretName, 'use the Secret name of the CA certificate');
    this.trustBundle = props.trustBundle;
  }
}

/** An issuer defined outside this stack (another GitOps folder, the platform team). */
export class ExternalIssuer extends Construct implements ICertificateIssuer {
  public readonly issuerType = IssuerType.EXTERNAL;
  constructor(scope: Construct, id: string, public readonly issuerName: string, public readonly issuerKind: 'ClusterIssuer' | 'Issuer' = 'ClusterIssuer') {
    super(scope, id);
    enforcePolicy(this);
    check(isObjectName(issuerName), this, 'issuerName', issuerName, 'use the metadata.name of the existing issuer');
  }
  public validateRequest(): void {}
}
