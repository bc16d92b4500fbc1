import { IConstruct } from 'constructs';
import { check } from './validation';

/** TLS protocol versions, in OpenSSL / nginx spelling. */
export enum TlsVersion {
  TLS_1_0 = 'TLSv1',
  TLS_1_1 = 'TLSv1.1',
  TLS_1_2 = 'TLSv1.2',
  TLS_1_3 = 'TLSv1.3',
}

const ORDER = [TlsVersion.TLS_1_0, TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3];

/** The TLS 1.2 cipher suites Mozilla Server Side TLS 6.0 allows: ECDHE key exchange with AEAD ciphers only. */
const MOZILLA_6_TLS12: Array<[openssl: string, iana: string]> = [
  ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  ['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  ['ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
];
const IANA = new Map(MOZILLA_6_TLS12);

/** Props of {@link TlsProfile.custom}. */
export interface CustomTlsProfileProps {
  /** Profile name shown in reviews. */
  readonly name: string;
  /** Lowest version accepted; TLS 1.2 at least. */
  readonly minVersion: TlsVersion;
  /** TLS 1.2 cipher suites (OpenSSL names), a subset of Mozilla 6.0 intermediate. @default all six of them */
  readonly ciphers?: string[];
}

/**
 * A server-side TLS configuration as data: the protocols offered and, for TLS 1.2, the cipher suites.
 * (TLS 1.3 suites are all AEAD and are left to the implementation's defaults.)
 */
export class TlsProfile {
  /** Mozilla Server Side TLS 6.0 "intermediate": TLS 1.2 + 1.3, six ECDHE AEAD suites. The default. */
  public static readonly INTERMEDIATE = new TlsProfile('mozilla-intermediate-6.0', TlsVersion.TLS_1_2, MOZILLA_6_TLS12.map(([o]) => o));
  /** Mozilla Server Side TLS 6.0 "modern": TLS 1.3 only. */
  public static readonly MODERN = new TlsProfile('mozilla-modern-6.0', TlsVersion.TLS_1_3, []);

  /** A custom profile; validated by {@link validate} when a construct uses it. */
  public static custom(props: CustomTlsProfileProps): TlsProfile {
    return new TlsProfile(props.name, props.minVersion, props.ciphers ?? MOZILLA_6_TLS12.map(([o]) => o));
  }

  private constructor(
    /** Name shown in reviews. */
    public readonly name: string,
    /** Lowest protocol version offered. */
    public readonly minVersion: TlsVersion,
    /** TLS 1.2 cipher suites, OpenSSL names, in preference order (empty when TLS 1.2 is off). */
    public readonly ciphers: string[],
  ) {}

  /** Protocols offered, lowest first. */
  public get protocols(): TlsVersion[] {
    return ORDER.slice(Math.max(ORDER.indexOf(this.minVersion), 0));
  }

  /** The same TLS 1.2 suites in IANA / Go spelling (Traefik, Go servers). */
  public get ianaCiphers(): string[] {
    return this.ciphers.map((c) => IANA.get(c) ?? c);
  }

  /** Rejects anything weaker than Mozilla intermediate: TLS below 1.2, or a suite outside the ECDHE AEAD set. */
  public validate(scope: IConstruct, field: string): void {
    check(ORDER.indexOf(this.minVersion) >= ORDER.indexOf(TlsVersion.TLS_1_2), scope, `${field}.minVersion`, this.minVersion,
      'use TlsVersion.TLS_1_2 or TLS_1_3: TLS 1.0 and 1.1 are deprecated (RFC 8996)');
    for (const c of this.ciphers) {
      check(IANA.has(c), scope, `${field}.ciphers`, c, () => `use suites from Mozilla 6.0 intermediate: ${[...IANA.keys()].join(':')}`);
    }
    check(this.minVersion === TlsVersion.TLS_1_3 || this.ciphers.length > 0, scope, `${field}.ciphers`, this.ciphers, 'give at least one TLS 1.2 suite, or use minVersion TLS_1_3');
  }
}
