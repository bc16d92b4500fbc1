import { ApiObject, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as cm from '../imports/certificates-cert-manager.io';
import { ICertificateIssuer, IssuerType, SecretKeyRef } from './issuers';
import { chartOf, enforcePolicy } from './policy/gate';
import { check, checkLabels, checkName, fail, fitName, goDuration, isIpAddress, isObjectName, nameCovers, NameKind, present, wholeSeconds } from './policy/validation';

/** Private key algorithms (Mozilla Server Side TLS 6.0 recommends ECDSA P-256). */
export enum KeyAlgorithm {
  ECDSA = 'ECDSA',
  RSA = 'RSA',
  ED25519 = 'Ed25519',
}

/** Key sizes accepted per algorithm (bits, or the curve size for ECDSA). */
const KEY_SIZES: Record<KeyAlgorithm, number[]> = {
  [KeyAlgorithm.ECDSA]: [256, 384],
  [KeyAlgorithm.RSA]: [2048, 3072, 4096],
  [KeyAlgorithm.ED25519]: [],
};
const DEFAULT_KEY_SIZE: Record<KeyAlgorithm, number | undefined> = {
  [KeyAlgorithm.ECDSA]: 256,
  [KeyAlgorithm.RSA]: 2048,
  [KeyAlgorithm.ED25519]: undefined,
};

/** Whether cert-manager makes a new private key at each renewal. */
export enum KeyRotationPolicy {
  /** A new key at every renewal: a leaked key stops working at the next renewal. */
  ALWAYS = 'Always',
  /**
   * Keep the key of the Secret. For a root CA this is what keeps the trust anchor valid across renewals: a renewed root
   * with the same key and subject has the same subject key identifier (Go's x509.CreateCertificate derives it from the
   * public key), so every leaf signed before the renewal still chains to it. A re-keyed root breaks every chain at
   * renewal, because trust-manager's Bundle carries only the current root (it keeps no history: trust-manager#560).
   */
  NEVER = 'Never',
}

/** Private key of a certificate. */
export interface PrivateKeyOptions {
  /** Algorithm. @default KeyAlgorithm.ECDSA */
  readonly algorithm?: KeyAlgorithm;
  /** Size: 256/384 for ECDSA, 2048/3072/4096 for RSA, none for Ed25519. @default 256 for ECDSA, 2048 for RSA */
  readonly size?: number;
  /** Key rotation at renewal. @default KeyRotationPolicy.NEVER for a self-signed CA (a root), ALWAYS otherwise */
  readonly rotationPolicy?: KeyRotationPolicy;
}

/** X.509 usages, as cert-manager names them. */
export enum KeyUsage {
  DIGITAL_SIGNATURE = 'digital signature',
  KEY_ENCIPHERMENT = 'key encipherment',
  SERVER_AUTH = 'server auth',
  CLIENT_AUTH = 'client auth',
}

/** PKCS#12 encryption profiles cert-manager offers that are not broken (LegacyRC2/LegacyDES are not offered). */
export enum Pkcs12Profile {
  /** AES-256-CBC + PBKDF2/SHA-256; read by Windows (2019+), Java 11.0.12+, OpenSSL 1.1+. */
  MODERN_2023 = 'Modern2023',
  /** Newer algorithms; check your readers support it. */
  MODERN_2026 = 'Modern2026',
}

/** Keystores cert-manager writes next to the PEM files, for apps that want a .p12/.pfx or .jks. */
export interface KeystoreOptions {
  /** Write `keystore.p12` (and `truststore.p12`), encrypted with the password in this Secret key. @default none */
  readonly pkcs12?: { readonly passwordSecret: SecretKeyRef; readonly profile?: Pkcs12Profile };
  /** Write `keystore.jks` (and `truststore.jks`), encrypted with the password in this Secret key. @default none */
  readonly jks?: { readonly passwordSecret: SecretKeyRef };
}

/** Props of {@link TlsCertificate}. */
export interface TlsCertificateProps {
  /** `metadata.name` of the Certificate. */
  readonly name: string;
  /** The issuer that signs it. */
  readonly issuer: ICertificateIssuer;
  /** DNS subject alternative names (wildcards as `*.example.com`). At least one DNS name or IP address. @default none */
  readonly dnsNames?: string[];
  /** IP address subject alternative names. @default none */
  readonly ipAddresses?: string[];
  /** Subject common name (legacy; clients match SANs). @default none */
  readonly commonName?: string;
  /** Secret cert-manager writes `tls.crt` (full chain), `tls.key` and `ca.crt` to. @default "<name>-tls" */
  readonly secretName?: string;
  /** Requested validity (ACME CAs choose their own). At least one hour. @default Duration.days(90) */
  readonly duration?: Duration;
  /** Renew this long before expiry; shorter than `duration`. @default a third of `duration` */
  readonly renewBefore?: Duration;
  /** Private key. @default ECDSA P-256 */
  readonly privateKey?: PrivateKeyOptions;
  /** Key usages. @default digital signature + server auth (+ key encipherment for RSA) */
  readonly usages?: KeyUsage[];
  /** Keystores written into the Secret too (passwords come from Secrets, never from the YAML). @default none */
  readonly keystores?: KeystoreOptions;
  /** A CA certificate (signs others). Only self-signed or CA issuers can issue one. @default false */
  readonly isCa?: boolean;
  /** Namespace of the Certificate and its Secret. @default the chart's namespace */
  readonly namespace?: string;
  /** Labels cert-manager puts on the Secret. @default none */
  readonly secretLabels?: Record<string, string>;
  /** Annotations cert-manager puts on the Secret. @default none */
  readonly secretAnnotations?: Record<string, string>;
}

/** X.509 ub-common-name: a subject CN longer than this is not a valid certificate. */
const MAX_COMMON_NAME = 64;

/** Secret names claimed per app and namespace, so no two certificates write the same Secret. */
const claimedSecrets = new WeakMap<IConstruct, Map<string, string>>();

/**
 * A cert-manager Certificate. Other constructs take the certificate itself and read {@link secretName}
 * from it, so the Secret name is written once.
 */
export class TlsCertificate extends Construct {
  /** The Secret cert-manager writes: `tls.crt` (leaf + chain), `tls.key`, `ca.crt`. */
  public readonly secretName: string;
  /** Namespace of the Certificate and its Secret (undefined: the kubectl context's). */
  public readonly namespace?: string;
  /** DNS SANs. */
  public readonly dnsNames: string[];
  /** IP SANs. */
  public readonly ipAddresses: string[];
  /** The signing issuer. */
  public readonly issuer: ICertificateIssuer;
  /** Key algorithm, size and rotation actually requested. */
  public readonly privateKey: { algorithm: KeyAlgorithm; size?: number; rotationPolicy: KeyRotationPolicy };
  /** Requested validity and renewal window. */
  public readonly duration: Duration;
  public readonly renewBefore: Duration;
  /** Usages requested. */
  public readonly usages: KeyUsage[];
  /** True for a CA certificate: never mount its Secret into apps. */
  public readonly isCa: boolean;
  /** Keystore files written into the Secret (`keystore.p12`, `keystore.jks`). */
  public readonly keystoreFiles: string[];
  /** The Certificate object (not emitted once {@link delegateToGatewayShim} is called). */
  public readonly apiObject: ApiObject;
  private shim = false;
  private readonly secretTemplate: boolean;
  private readonly commonName?: string;

  constructor(scope: Construct, id: string, props: TlsCertificateProps) {
    super(scope, id);
    enforcePolicy(this);
    for (const field of ['dnsNames', 'ipAddresses', 'usages'] as const) present(this, field, props[field]);
    this.issuer = props.issuer;
    this.dnsNames = props.dnsNames ?? [];
    this.ipAddresses = props.ipAddresses ?? [];
    this.secretName = props.secretName ?? fitName(`${props.name}-tls`);
    this.namespace = props.namespace ?? chartOf(this).namespace;
    this.isCa = props.isCa ?? false;
    const lifetime = props.issuer.certificateLifetime;
    this.duration = props.duration ?? lifetime ?? Duration.days(90);
    const duration = wholeSeconds(this, 'duration', this.duration);
    this.renewBefore = props.renewBefore ?? Duration.seconds(Math.floor(duration / 3));
    const renewBefore = wholeSeconds(this, 'renewBefore', this.renewBefore);

    checkName(this, 'name', props.name, NameKind.OBJECT, 'use a lower-case RFC 1123 name such as "web-tls"');
    checkName(this, 'secretName', this.secretName, NameKind.OBJECT, 'use a lower-case RFC 1123 Secret name');
    check(this.dnsNames.length + this.ipAddresses.length > 0 || !!props.commonName, this, 'dnsNames', this.dnsNames, 'give at least one DNS name or IP address (or a commonName for a client or CA certificate)');
    for (const n of this.dnsNames) {
      check(!isIpAddress(n), this, 'dnsNames', n, 'an IP address is not a DNS name: list it in ipAddresses');
      checkName(this, 'dnsNames', n, NameKind.HOST, 'use a lower-case DNS name such as "app.example.com" (a wildcard only as the whole first label: "*.example.com")');
    }
    for (const ip of this.ipAddresses) check(isIpAddress(ip), this, 'ipAddresses', ip, 'use an IPv4 or IPv6 address such as "10.0.0.5"');
    const cn = props.commonName;
    if (cn !== undefined) {
      // cert-manager's webhook counts bytes (len() of the Go string), X.509 ub-common-name characters.
      const bytes = typeof cn === 'string' ? Buffer.byteLength(cn) : 0;
      check(typeof cn === 'string' && cn.length > 0 && bytes <= MAX_COMMON_NAME, this, 'commonName', cn,
        `${bytes ? `it is too long (${bytes} > ${MAX_COMMON_NAME} bytes; X.509 ub-common-name, cert-manager's webhook)` : 'it is empty'}; clients match the SANs: keep the name in dnsNames and drop commonName, or shorten it`);
    }
    const dupe = [...this.dnsNames, ...this.ipAddresses].find((n, i, all) => all.indexOf(n) !== i);
    check(dupe === undefined, this, 'dnsNames', dupe, 'list each name once');
    // cert-manager's webhook minimums (internal/apis/certmanager/validation/certificate.go ValidateDuration): 1h, 5m.
    check(duration >= 3600, this, 'duration', goDuration(this.duration), 'use at least Duration.hours(1) (cert-manager\'s minimum)');
    if (lifetime && props.duration) {
      check(duration === lifetime.toSeconds(), this, 'duration', goDuration(props.duration),
        `issuer "${props.issuer.issuerName}" issues ${goDuration(lifetime)} certificates whatever is requested: drop duration (or choose another profile on the issuer)`);
    }
    check(renewBefore >= 300 && renewBefore < duration, this, 'renewBefore', goDuration(this.renewBefore),
      `use at least Duration.minutes(5) (cert-manager's minimum) and less than the duration (${goDuration(this.duration)}), e.g. a third of it`);

    const algorithm = props.privateKey?.algorithm ?? KeyAlgorithm.ECDSA;
    check(Object.values(KeyAlgorithm).includes(algorithm), this, 'privateKey.algorithm', algorithm, 'use KeyAlgorithm.ECDSA, RSA or ED25519');
    const size = props.privateKey?.size ?? DEFAULT_KEY_SIZE[algorithm];
    if (algorithm === KeyAlgorithm.ED25519) {
      check(size === undefined, this, 'privateKey.size', size, 'leave the size unset for Ed25519');
    } else {
      check(KEY_SIZES[algorithm].includes(size!), this, 'privateKey.size', size,
        `use one of ${KEY_SIZES[algorithm].join(', ')} for ${algorithm}${algorithm === KeyAlgorithm.RSA ? ' (RSA below 2048 bits is broken)' : ''}`);
    }
    const rotationPolicy = props.privateKey?.rotationPolicy ?? (this.isCa && props.issuer.issuerType === IssuerType.SELF_SIGNED ? KeyRotationPolicy.NEVER : KeyRotationPolicy.ALWAYS);
    check(Object.values(KeyRotationPolicy).includes(rotationPolicy), this, 'privateKey.rotationPolicy', rotationPolicy, 'use KeyRotationPolicy.ALWAYS or NEVER');
    this.privateKey = { algorithm, size, rotationPolicy };
    const usages = this.usages = props.usages ?? (this.isCa ? [] : [KeyUsage.DIGITAL_SIGNATURE, ...(algorithm === KeyAlgorithm.RSA ? [KeyUsage.KEY_ENCIPHERMENT] : []), KeyUsage.SERVER_AUTH]);
    const { pkcs12, jks } = props.keystores ?? {};
    for (const [field, ref] of [['keystores.pkcs12.passwordSecret', pkcs12?.passwordSecret], ['keystores.jks.passwordSecret', jks?.passwordSecret]] as const) {
      if ((field.includes('pkcs12') ? pkcs12 : jks) !== undefined) {
        check(!!ref && isObjectName(ref.name) && !!ref.key, this, field, ref, 'reference the Secret key holding the keystore password: { name: "app-keystore-password", key: "password" }');
      }
    }
    check(!pkcs12?.profile || Object.values(Pkcs12Profile).includes(pkcs12.profile), this, 'keystores.pkcs12.profile', pkcs12?.profile, 'use Pkcs12Profile.MODERN_2023 or MODERN_2026 (legacy RC2/DES profiles are broken)');
    this.keystoreFiles = [...(pkcs12 ? ['keystore.p12'] : []), ...(jks ? ['keystore.jks'] : [])];
    if (this.namespace !== undefined) checkName(this, 'namespace', this.namespace, NameKind.LABEL, 'use an RFC 1123 label');

    checkLabels(this, 'secretLabels', props.secretLabels);
    checkLabels(this, 'secretAnnotations', props.secretAnnotations, true);
    this.claimSecret();
    props.issuer.validateRequest(this, { dnsNames: this.dnsNames, ipAddresses: this.ipAddresses, commonName: cn, keyAlgorithm: algorithm, keySize: size, usages, isCa: this.isCa });

    const { secretLabels: labels, secretAnnotations: annotations } = props;
    this.secretTemplate = !!(labels || annotations);
    this.commonName = props.commonName;
    this.apiObject = new cm.Certificate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        secretName: this.secretName,
        secretTemplate: labels || annotations ? { labels, annotations } : undefined,
        commonName: props.commonName,
        dnsNames: this.dnsNames.length ? this.dnsNames : undefined,
        ipAddresses: this.ipAddresses.length ? this.ipAddresses : undefined,
        duration: goDuration(this.duration),
        renewBefore: goDuration(this.renewBefore),
        privateKey: { algorithm: algorithm as unknown as cm.CertificateSpecPrivateKeyAlgorithm, size, rotationPolicy: rotationPolicy as unknown as cm.CertificateSpecPrivateKeyRotationPolicy },
        isCa: this.isCa || undefined,
        usages: usages.length ? usages as unknown as cm.CertificateSpecUsages[] : undefined,
        keystores: pkcs12 || jks ? {
          pkcs12: pkcs12 && { create: true, passwordSecretRef: pkcs12.passwordSecret, profile: (pkcs12.profile ?? Pkcs12Profile.MODERN_2023) as unknown as cm.CertificateSpecKeystoresPkcs12Profile },
          jks: jks && { create: true, passwordSecretRef: jks.passwordSecret },
        } : undefined,
        issuerRef: { name: props.issuer.issuerName, kind: props.issuer.issuerKind, group: 'cert-manager.io' },
      },
    });
  }

  /** Name of the Certificate object in the cluster (gateway-shim names it after the Secret). */
  public get certificateName(): string {
    return this.shim ? this.secretName : this.apiObject.name;
  }

  /** cert-manager's gateway-shim creates this certificate from a Gateway instead of the YAML carrying it. */
  public get delegatedToGatewayShim(): boolean {
    return this.shim;
  }

  /**
   * Lets cert-manager's gateway-shim create this certificate from the listeners that reference its Secret, instead
   * of emitting the Certificate. Returns the Gateway annotations that request the same issuer, key and lifetimes.
   */
  public delegateToGatewayShim(): Record<string, string> {
    // What gateway-shim's annotations cannot carry would be lost: refused (pkg/controller/certificate-shim/helper.go).
    const lost = [...(this.keystoreFiles.length ? ['keystores'] : []), ...(this.secretTemplate ? ['secretLabels/secretAnnotations'] : []), ...(this.commonName ? ['commonName'] : [])];
    check(!lost.length, this, lost[0] ?? 'keystores', lost.join(', '),
      'cert-manager\'s gateway-shim makes the certificate from Gateway annotations, which carry no keystores, Secret labels or annotations, nor a common name: use GatewayCertificateMode.EXPLICIT for this certificate');
    this.node.tryRemoveChild(this.apiObject.node.id);
    this.shim = true;
    return {
      [`cert-manager.io/${this.issuer.issuerKind === 'ClusterIssuer' ? 'cluster-issuer' : 'issuer'}`]: this.issuer.issuerName,
      'cert-manager.io/private-key-algorithm': this.privateKey.algorithm,
      ...(this.privateKey.size ? { 'cert-manager.io/private-key-size': String(this.privateKey.size) } : {}),
      'cert-manager.io/private-key-rotation-policy': this.privateKey.rotationPolicy,
      'cert-manager.io/duration': goDuration(this.duration),
      'cert-manager.io/renew-before': goDuration(this.renewBefore),
      'cert-manager.io/usages': this.usages.join(','),
    };
  }

  /** True when one of the certificate's names covers `host` (wildcards honoured). */
  public covers(host: string): boolean {
    return this.dnsNames.some((n) => nameCovers(n, host)) || this.ipAddresses.includes(host);
  }

  private claimSecret(): void {
    const root = this.node.root;
    const claims = claimedSecrets.get(root) ?? new Map<string, string>();
    claimedSecrets.set(root, claims);
    const key = `${this.namespace ?? ''}/${this.secretName}`;
    const other = claims.get(key);
    if (other) fail(this, 'secretName', this.secretName, `certificate ${other} already writes this Secret in namespace "${this.namespace ?? 'default'}": give each certificate its own secretName`);
    claims.set(key, this.node.path);
  }
}
