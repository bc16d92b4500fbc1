import { ApiObject, Duration, Lazy } from 'cdk8s';
import { parse as parseDomain } from 'tldts';
import { Construct, IConstruct } from 'constructs';
import * as cm from '../imports/clusterissuers-cert-manager.io';
import { makeClusterScoped } from './chart';
import { enforcePolicy } from './policy/gate';
import { check, checkLabels, checkName, compareText, fail, ipFamily, isDnsName, isEmail, isObjectName, isPublicIp, isWildcard, nameCovers, NameKind, present } from './policy/validation';

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
   * How long its certificates are valid, when the CA decides rather than the request (Let's Encrypt's profiles).
   * Certificates default to it and must renew within it. @default the requested duration
   */
  readonly certificateLifetime?: Duration;
  /**
   * Throws a TlsStackError when this issuer cannot issue what is asked (a wildcard that no DNS-01 solver serves,
   * a client certificate from a public CA...). `requester` is the certificate asking.
   */
  validateRequest(requester: IConstruct, request: CertificateRequestInfo): void;
}

/** What a certificate asks its issuer for. */
export interface CertificateRequestInfo {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  /** Subject common name (cert-manager adds it to an ACME order as one more DNS name). */
  readonly commonName?: string;
  /** Key algorithm, cert-manager spelling: `ECDSA`, `RSA`, `Ed25519`. */
  readonly keyAlgorithm: string;
  readonly keySize?: number;
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
    checkName(this, 'name', issuerName, NameKind.OBJECT, 'use a lower-case RFC 1123 name such as "letsencrypt-prod"');
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
      : Lazy.any({ produce: () => [...derived.entries()].sort(([a], [b]) => compareText(a, b)).map(([, r]) => r) }) as unknown as Array<ReturnType<typeof ref>>;
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

/** Let's Encrypt ACME directories. */
export enum AcmeServer {
  /** Trusted certificates, strict rate limits. */
  PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory',
  /** Untrusted test certificates, generous rate limits: use it to rehearse. */
  STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory',
}

/** Let's Encrypt's certificate profiles (`spec.acme.profile`; letsencrypt.org/docs/profiles). */
export enum LetsEncryptProfile {
  /** 90 days, DNS names only: the default. */
  CLASSIC = 'classic',
  /** 45 days, DNS names only, no common name. */
  TLS_SERVER = 'tlsserver',
  /** 160 hours, DNS names and public IP addresses. */
  SHORT_LIVED = 'shortlived',
}

const LE_LIFETIME: Record<LetsEncryptProfile, Duration> = {
  [LetsEncryptProfile.CLASSIC]: Duration.days(90),
  [LetsEncryptProfile.TLS_SERVER]: Duration.days(45),
  [LetsEncryptProfile.SHORT_LIVED]: Duration.hours(160),
};

/** Props of {@link AcmeDirectory.custom}. */
export interface CustomAcmeDirectoryProps {
  /**
   * A public CA: names must be public DNS names (a public suffix), keys RSA or ECDSA, IP addresses never private.
   * Set false for a private ACME server such as step-ca, which issues for in-cluster names. @default true
   */
  readonly publicCa?: boolean;
  /** The CA needs External Account Binding credentials. @default false */
  readonly requiresExternalAccountBinding?: boolean;
  /** PEM of the CA that signs the directory's TLS certificate (a private ACME server). @default the system trust store */
  readonly caBundle?: string;
}

/** An ACME directory, and what the library knows of its CA's policy. */
export class AcmeDirectory {
  /** Let's Encrypt. */
  public static readonly LETS_ENCRYPT = new AcmeDirectory(AcmeServer.PRODUCTION, true, false, 'letsencrypt');
  /** Let's Encrypt staging: untrusted certificates, generous rate limits. */
  public static readonly LETS_ENCRYPT_STAGING = new AcmeDirectory(AcmeServer.STAGING, true, false, 'letsencrypt');
  /** ZeroSSL: needs External Account Binding credentials (from its dashboard or API). */
  public static readonly ZEROSSL = new AcmeDirectory('https://acme.zerossl.com/v2/DV90', true, true);
  /** Google Trust Services: needs External Account Binding credentials (`gcloud publicca external-account-keys create`). */
  public static readonly GOOGLE_TRUST_SERVICES = new AcmeDirectory('https://dv.acme-v02.api.pki.goog/directory', true, true);
  /** Google Trust Services staging. */
  public static readonly GOOGLE_TRUST_SERVICES_STAGING = new AcmeDirectory('https://dv.acme-v02.test-api.pki.goog/directory', true, true);

  /** Another ACME directory, e.g. a private step-ca `https://ca.internal/acme/acme/directory`. */
  public static custom(url: string, props: CustomAcmeDirectoryProps = {}): AcmeDirectory {
    return new AcmeDirectory(url, props.publicCa ?? true, props.requiresExternalAccountBinding ?? false, undefined, props.caBundle);
  }

  private constructor(
    /** The directory URL. */
    public readonly url: string,
    /** A public CA (public DNS names, RSA/ECDSA keys, public IP addresses only). */
    public readonly publicCa: boolean,
    /** Whether the CA refuses accounts without External Account Binding. */
    public readonly requiresExternalAccountBinding: boolean,
    /** Which CA's policy details are known (Let's Encrypt's profiles). */
    public readonly ca?: 'letsencrypt',
    /** PEM of the directory's TLS CA. */
    public readonly caBundle?: string,
  ) {}
}

/** External Account Binding: the CA's key id and the Secret key holding its HMAC key (base64url, unpadded). */
export interface ExternalAccountBinding {
  readonly keyId: string;
  /** In cert-manager's cluster resource namespace for a ClusterIssuer. */
  readonly keySecret: SecretKeyRef;
}

/** Props of {@link AcmeIssuer}. */
export interface AcmeIssuerProps {
  /** The ACME directory. */
  readonly directory: AcmeDirectory;
  /** ACME account email: the CA writes to it about problems with the account. */
  readonly email: string;
  /** `metadata.name` of the ClusterIssuer. */
  readonly name: string;
  /**
   * Secret (created by cert-manager) that holds the ACME account key.
   * @default "<name>-account-key"
   */
  readonly accountKeySecretName?: string;
  /** Challenge solvers; at least one. Wildcard names need a DNS-01 solver. */
  readonly solvers: AcmeSolver[];
  /** External Account Binding, for CAs that require it (ZeroSSL, Google Trust Services). @default none */
  readonly externalAccountBinding?: ExternalAccountBinding;
  /**
   * ACME certificate profile (`spec.acme.profile`, cert-manager ≥ 1.18), one the directory lists: on Let's Encrypt
   * a {@link LetsEncryptProfile}. @default the CA's default profile
   */
  readonly profile?: string;
}

/** TLDs and special names a public CA never issues for, even when a public suffix list carries them (boulder policy/pa.go). */
const NEVER_PUBLIC = /\.(arpa|onion)$/;

/**
 * A cert-manager ClusterIssuer for any ACME CA (Let's Encrypt, ZeroSSL, Google Trust Services, a private step-ca), with
 * HTTP-01 and/or DNS-01 solvers. A certificate request the CA would refuse is a synth error, not a certificate stuck
 * in Pending: names without a public suffix on a public CA, private IP addresses, Ed25519 keys, a wildcard without a
 * DNS-01 solver, a name no solver serves.
 */
export class AcmeIssuer extends ClusterIssuerBase {
  public readonly issuerType = IssuerType.ACME;
  public readonly directory: AcmeDirectory;
  /** The ACME profile requested, if any. */
  public readonly profile?: string;
  public readonly certificateLifetime?: Duration;
  private readonly solvers: AcmeSolver[];

  constructor(scope: Construct, id: string, props: AcmeIssuerProps) {
    const eab = props.externalAccountBinding;
    super(scope, id, props.name, {
      acme: {
        server: props.directory.url,
        email: props.email,
        privateKeySecretRef: { name: props.accountKeySecretName ?? `${props.name}-account-key` },
        profile: props.profile,
        caBundle: props.directory.caBundle && Buffer.from(props.directory.caBundle).toString('base64'),
        externalAccountBinding: eab && { keyId: eab.keyId, keySecretRef: { name: eab.keySecret?.name, key: eab.keySecret?.key } },
        solvers: (props.solvers ?? []).map((s) => s?.toJson()),
      },
    });
    present(this, 'solvers', props.solvers);
    this.directory = props.directory;
    this.profile = props.profile;
    this.solvers = props.solvers ?? [];
    check(isEmail(props.email), this, 'email', props.email, 'give a mailbox such as "ops@example.com"; the CA sends expiry and account notices there');
    check(/^https:\/\/[^\s/]+/.test(props.directory?.url ?? ''), this, 'directory', props.directory?.url, 'use an https:// ACME directory URL (AcmeDirectory.LETS_ENCRYPT, ZEROSSL, ... or AcmeDirectory.custom(url))');
    checkName(this, 'accountKeySecretName', props.accountKeySecretName ?? `${props.name}-account-key`, NameKind.OBJECT, 'use a lower-case RFC 1123 Secret name');
    check(!props.directory.requiresExternalAccountBinding || !!eab, this, 'externalAccountBinding', undefined,
      `${props.directory.url} refuses accounts without External Account Binding (externalAccountRequired): give { keyId, keySecret } from the CA's console`);
    if (eab) {
      check(typeof eab.keyId === 'string' && eab.keyId.length > 0, this, 'externalAccountBinding.keyId', eab.keyId, 'give the key id the CA issued');
      checkName(this, 'externalAccountBinding.keySecret.name', eab.keySecret?.name, NameKind.OBJECT, 'name the Secret that holds the HMAC key');
      check(!!eab.keySecret?.key, this, 'externalAccountBinding.keySecret.key', eab.keySecret?.key, 'name the key of the HMAC key in that Secret');
    }
    if (props.directory.ca === 'letsencrypt' && props.profile !== undefined) {
      check(Object.values(LetsEncryptProfile).includes(props.profile as LetsEncryptProfile), this, 'profile', props.profile,
        `use one of Let's Encrypt's profiles: ${Object.values(LetsEncryptProfile).join(', ')} (tlsclient was withdrawn in July 2026)`);
    }
    if (props.profile !== undefined) check(/^[a-z0-9][a-z0-9-]*$/.test(props.profile), this, 'profile', props.profile, 'use a profile name the directory lists, e.g. "tlsserver"');
    this.certificateLifetime = props.directory.ca === 'letsencrypt' ? LE_LIFETIME[(props.profile ?? LetsEncryptProfile.CLASSIC) as LetsEncryptProfile] : undefined;
    check(this.solvers.length > 0, this, 'solvers', [], 'add AcmeSolver.http01Ingress(...), AcmeSolver.http01GatewayHttpRoute() or a DNS-01 solver (AcmeSolver.cloudflare / AcmeSolver.route53)');
    this.solvers.forEach((s, i) => s.validate(this, `solvers[${i}]`));
  }

  /**
   * The solver cert-manager would pick for `name`, or undefined: the most specific one among those whose challenge the
   * CA offers for it (`challenge`: only DNS-01 for a wildcard, only HTTP-01 for an IP address; every type otherwise).
   */
  public solverFor(name: string, challenge?: ChallengeType): AcmeSolver | undefined {
    let best: AcmeSolver | undefined;
    let bestScore = -1;
    for (const s of this.solvers) {
      const score = challenge && s.challenge !== challenge ? -1 : s.specificity(name);
      if (score > bestScore) [best, bestScore] = [s, score];
    }
    return best;
  }

  public validateRequest(requester: IConstruct, request: CertificateRequestInfo): void {
    super.validateRequest(requester, request);
    const ca = `the ACME CA of issuer "${this.issuerName}" (${this.directory.url})`;
    const letsEncrypt = this.directory.ca === 'letsencrypt';
    if (this.directory.publicCa) {
      check(request.keyAlgorithm !== 'Ed25519', requester, 'privateKey.algorithm', request.keyAlgorithm,
        `${ca} accepts RSA (2048-4096) and ECDSA P-256/P-384 keys only (boulder goodkey): use KeyAlgorithm.ECDSA`);
      check(request.keyAlgorithm !== 'RSA' || (request.keySize ?? 2048) <= 4096, requester, 'privateKey.size', request.keySize, `${ca} accepts RSA keys of 2048 to 4096 bits`);
    }
    const identifiers = orderIdentifiers(request);
    check(!letsEncrypt || identifiers.length <= LE_MAX_NAMES, requester, 'dnsNames', `${identifiers.length} names`,
      `Let's Encrypt puts at most ${LE_MAX_NAMES} names on a certificate (dnsNames, ipAddresses and a commonName not among them): split them across certificates (sites)`);
    for (const { field, name, ip } of identifiers) {
      const problem = !this.directory.publicCa ? undefined : ip ? publicIpProblem(name, letsEncrypt, this.profile) : publicNameProblem(name);
      if (problem) fail(requester, field, name, `${ca} never issues for it: ${problem}`);
      // The CA offers DNS-01 only for a wildcard, and never for an IP address (RFC 8738): cert-manager picks among those solvers.
      const challenge = ip ? ChallengeType.HTTP01 : isWildcard(name) ? ChallengeType.DNS01 : undefined;
      if (!this.solverFor(name, challenge)) {
        fail(requester, field, name, !challenge
          ? `no solver of issuer "${this.issuerName}" serves this name: widen a solver selector (dnsZones) or add a solver for it`
          : ip ? `an IP address can only be proven with HTTP-01 (RFC 8738 rules out DNS-01), and no HTTP-01 solver of issuer "${this.issuerName}" serves it: add AcmeSolver.http01Ingress(...) or AcmeSolver.http01GatewayHttpRoute() without a selector`
            : `a wildcard name can only be proven with DNS-01 (HTTP-01 cannot prove it), and no DNS-01 solver of issuer "${this.issuerName}" covers it: add a DNS-01 solver (AcmeSolver.cloudflare or AcmeSolver.route53) whose selector covers it`);
      }
    }
  }
}

/** Let's Encrypt's limit of names on one certificate. */
const LE_MAX_NAMES = 100;

/** What cert-manager puts in the ACME order: every DNS name, the commonName as one more DNS name, every IP address. */
function orderIdentifiers(request: CertificateRequestInfo): Array<{ field: string; name: string; ip: boolean }> {
  const cn = request.commonName;
  return [
    ...request.dnsNames.map((name) => ({ field: 'dnsNames', name, ip: false })),
    ...(cn !== undefined && !request.dnsNames.includes(cn) ? [{ field: 'commonName', name: cn, ip: false }] : []),
    ...request.ipAddresses.map((name) => ({ field: 'ipAddresses', name, ip: true })),
  ];
}

/** Why a public CA would refuse this IP address, or undefined: only public addresses, and only Let's Encrypt's shortlived profile issues them. */
function publicIpProblem(ip: string, letsEncrypt: boolean, profile?: string): string | undefined {
  if (!isPublicIp(ip)) return 'it is a private, loopback or reserved address: issue it from an InternalCa';
  if (!letsEncrypt) return 'this CA issues no IP address certificates over ACME: use Let\'s Encrypt with the "shortlived" profile, or an InternalCa';
  if (profile !== LetsEncryptProfile.SHORT_LIVED) return 'Let\'s Encrypt issues IP addresses only with its profile "shortlived" (160-hour certificates): set profile: LetsEncryptProfile.SHORT_LIVED on the issuer, or drop the address';
  return undefined;
}

/**
 * Why a public CA would refuse this DNS name, and the fix, or undefined: it needs at least one dot and must end in an
 * ICANN public suffix. (A commonName that is an IP address is ordered as a DNS name too.)
 */
function publicNameProblem(name: string): string | undefined {
  if (ipFamily(name)) return 'cert-manager orders a commonName as a DNS name, and an IP address is not one: drop commonName and list the address in ipAddresses';
  const bare = isWildcard(name) ? name.slice(2) : name;
  const parsed = parseDomain(bare, { allowPrivateDomains: false });
  const reason = !bare.includes('.') ? 'a single-label name (such as "localhost") has no public suffix'
    : NEVER_PUBLIC.test(bare) ? 'names under .arpa and .onion are not issued'
      : !parsed.isIcann ? `"${parsed.publicSuffix}" is not a public top-level domain (reserved, internal or in-cluster, e.g. .local, .internal, .svc, .test)`
        : !parsed.domain ? `it is a public suffix itself ("${parsed.publicSuffix}")` : undefined;
  return reason && `${reason}. Issue in-cluster and private names from an InternalCa (or a private ACME server), and give public names to the public CA`;
}

/** Props of {@link LetsEncryptIssuer}. */
export interface LetsEncryptIssuerProps extends Omit<AcmeIssuerProps, 'directory' | 'name' | 'profile'> {
  /** Production or staging directory. @default AcmeServer.PRODUCTION */
  readonly server?: AcmeServer;
  /**
   * `metadata.name` of the ClusterIssuer.
   * @default "letsencrypt-prod" or "letsencrypt-staging"
   */
  readonly name?: string;
  /** Certificate profile; it sets the certificates' lifetime. @default LetsEncryptProfile.CLASSIC (90 days) */
  readonly profile?: LetsEncryptProfile;
}

/** A Let's Encrypt ClusterIssuer: an {@link AcmeIssuer} on Let's Encrypt's production or staging directory. */
export class LetsEncryptIssuer extends AcmeIssuer {
  /** The ACME directory URL. */
  public readonly server: AcmeServer;

  constructor(scope: Construct, id: string, props: LetsEncryptIssuerProps) {
    const server = props.server ?? AcmeServer.PRODUCTION;
    if (!Object.values(AcmeServer).includes(server)) fail(`${scope.node.path}/${id}`, 'server', server, 'use AcmeServer.PRODUCTION or AcmeServer.STAGING (AcmeIssuer takes any directory)');
    super(scope, id, {
      ...props,
      directory: server === AcmeServer.STAGING ? AcmeDirectory.LETS_ENCRYPT_STAGING : AcmeDirectory.LETS_ENCRYPT,
      name: props.name ?? (server === AcmeServer.STAGING ? 'letsencrypt-staging' : 'letsencrypt-prod'),
    });
    this.server = server;
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
  /** CA certificates between the leaves it signs and the root, itself included: 1 for a root, 2 for an intermediate. @default 1 */
  readonly chainDepth?: number;
}

/** A CA ClusterIssuer: signs with a CA key held in a Secret. Usually made by {@link InternalCa}. */
export class CaIssuer extends ClusterIssuerBase {
  public readonly issuerType = IssuerType.CA;
  /** Where clients find the CA to trust it. */
  public readonly trustBundle?: TrustBundleRef;
  /** CA certificates from the leaves it signs to the root: the depth a verifier of those leaves needs. */
  public readonly chainDepth: number;
  constructor(scope: Construct, id: string, props: CaIssuerProps) {
    super(scope, id, props.name, { ca: { secretName: props.secretName } });
    this.chainDepth = props.chainDepth ?? 1;
    check(Number.isInteger(this.chainDepth) && this.chainDepth >= 1 && this.chainDepth <= 5, this, 'chainDepth', this.chainDepth, 'use 1 for a root, 2 for an intermediate under it');
    checkName(this, 'secretName', props.secretName, NameKind.OBJECT, 'use the Secret name of the CA certificate');
    if (props.trustBundle) {
      checkName(this, 'trustBundle.configMapName', props.trustBundle.configMapName, NameKind.OBJECT, 'use the ConfigMap name trust-manager writes');
      const [key, value] = props.trustBundle.namespaceLabel ?? [];
      checkLabels(this, 'trustBundle.namespaceLabel', { [key ?? '']: value ?? '' });
    }
    this.trustBundle = props.trustBundle;
  }
}

/** Props of {@link ExternalIssuer}. */
export interface ExternalIssuerProps {
  /** `metadata.name` of the existing issuer. */
  readonly name: string;
  /** Its kind. @default "ClusterIssuer" */
  readonly kind?: 'ClusterIssuer' | 'Issuer';
}

/**
 * An issuer defined outside this stack (another GitOps folder, the platform team): certificates reference it and emit
 * nothing for it. What it can issue is not known here, so certificates from it are not checked against a CA's rules.
 */
export class ExternalIssuer extends Construct implements ICertificateIssuer {
  public readonly issuerType = IssuerType.EXTERNAL;
  public readonly issuerName: string;
  public readonly issuerKind: 'ClusterIssuer' | 'Issuer';

  constructor(scope: Construct, id: string, props: ExternalIssuerProps) {
    super(scope, id);
    enforcePolicy(this);
    this.issuerName = props.name;
    this.issuerKind = props.kind ?? 'ClusterIssuer';
    checkName(this, 'name', props.name, NameKind.OBJECT, 'use the metadata.name of the existing issuer');
    check(this.issuerKind === 'ClusterIssuer' || this.issuerKind === 'Issuer', this, 'kind', this.issuerKind, 'use "ClusterIssuer" or "Issuer"');
  }

  public validateRequest(): void {}
}
