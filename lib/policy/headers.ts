import type { Duration } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { check, wholeSeconds } from './validation';

/** HTTP Strict Transport Security. */
export interface HstsOptions {
  /** How long browsers remember to use HTTPS only. @default Duration.days(365) */
  readonly maxAge?: Duration;
  /** Apply to every subdomain too. @default true */
  readonly includeSubDomains?: boolean;
  /** Ask for inclusion in browsers' preload lists (needs max-age ≥ 1 year and includeSubDomains). @default false */
  readonly preload?: boolean;
}

/** `X-Frame-Options` values (and the matching CSP `frame-ancestors`). */
export enum FrameOptions {
  DENY = 'DENY',
  SAMEORIGIN = 'SAMEORIGIN',
}

/** Security response headers (OWASP Secure Headers Project). */
export interface SecurityHeadersOptions {
  /** HSTS; `false` turns it off (never for a public site). @default max-age 1 year, includeSubDomains, no preload */
  readonly hsts?: HstsOptions | false;
  /** Framing policy. @default FrameOptions.DENY */
  readonly frameOptions?: FrameOptions;
  /**
   * Content-Security-Policy, or `false` to leave it to the app (an app with its own policy, nonce-based for instance:
   * the edge would replace it). X-Frame-Options still guards framing. @default "frame-ancestors 'none'" (or 'self' with SAMEORIGIN)
   */
  readonly contentSecurityPolicy?: string | false;
  /** Referrer-Policy. @default "strict-origin-when-cross-origin" */
  readonly referrerPolicy?: string;
  /** Permissions-Policy. @default "camera=(), microphone=(), geolocation=(), payment=()" */
  readonly permissionsPolicy?: string;
  /** Cross-Origin-Opener-Policy. @default "same-origin" */
  readonly crossOriginOpenerPolicy?: string;
  /** Cross-Origin-Resource-Policy. @default "same-origin" */
  readonly crossOriginResourcePolicy?: string;
}

const YEAR = 31_536_000;

/** Resolved HSTS settings. */
export interface Hsts {
  readonly maxAgeSeconds: number;
  readonly includeSubDomains: boolean;
  readonly preload: boolean;
}

/** Security headers resolved from options: what every edge implementation must deliver. */
export class SecurityHeaders {
  /** HSTS, or undefined when turned off. */
  public readonly hsts?: Hsts;
  /** Every other header, name → value, in a stable order. `X-XSS-Protection` is `0` (OWASP). */
  public readonly headers: Record<string, string>;

  constructor(scope: IConstruct | string, field: string, options: SecurityHeadersOptions = {}) {
    if (options.hsts !== false) {
      // A year as a number, not Duration.days(365): the verifier's defaults load without cdk8s.
      const maxAgeSeconds = options.hsts?.maxAge ? wholeSeconds(scope, `${field}.hsts.maxAge`, options.hsts.maxAge) : YEAR;
      const includeSubDomains = options.hsts?.includeSubDomains ?? true;
      const preload = options.hsts?.preload ?? false;
      check(maxAgeSeconds > 0, scope, `${field}.hsts.maxAge`, maxAgeSeconds, 'use a positive max-age, e.g. Duration.days(365)');
      if (preload) {
        check(includeSubDomains, scope, `${field}.hsts.preload`, true, 'HSTS preload requires includeSubDomains: true (hstspreload.org); turn includeSubDomains on or preload off');
        check(maxAgeSeconds >= YEAR, scope, `${field}.hsts.preload`, true, `HSTS preload requires max-age of at least 31536000 seconds (got ${maxAgeSeconds}); raise maxAge to Duration.days(365) or turn preload off`);
      }
      this.hsts = { maxAgeSeconds, includeSubDomains, preload };
    }
    const frame = options.frameOptions ?? FrameOptions.DENY;
    check(Object.values(FrameOptions).includes(frame), scope, `${field}.frameOptions`, frame, 'use FrameOptions.DENY or SAMEORIGIN');
    this.headers = {
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': frame,
      ...(options.contentSecurityPolicy === false ? {} : { 'Content-Security-Policy': options.contentSecurityPolicy ?? `frame-ancestors ${frame === FrameOptions.DENY ? "'none'" : "'self'"}` }),
      'Referrer-Policy': options.referrerPolicy ?? 'strict-origin-when-cross-origin',
      'Permissions-Policy': options.permissionsPolicy ?? 'camera=(), microphone=(), geolocation=(), payment=()',
      'Cross-Origin-Opener-Policy': options.crossOriginOpenerPolicy ?? 'same-origin',
      'Cross-Origin-Resource-Policy': options.crossOriginResourcePolicy ?? 'same-origin',
      'X-XSS-Protection': '0',
    };
    for (const [name, value] of Object.entries(this.headers)) {
      check(typeof value === 'string' && value.length > 0 && !/[\r\n]/.test(value), scope, `${field}.${name}`, value, 'give a single-line, non-empty header value');
    }
  }

  /** The `Strict-Transport-Security` value, e.g. `max-age=31536000; includeSubDomains`. */
  public get hstsValue(): string | undefined {
    const h = this.hsts;
    return h && [`max-age=${h.maxAgeSeconds}`, ...(h.includeSubDomains ? ['includeSubDomains'] : []), ...(h.preload ? ['preload'] : [])].join('; ');
  }
}
