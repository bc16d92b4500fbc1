import { Duration } from 'cdk8s';
import { FrameOptions, SecurityHeaders } from '../policy/headers';
import { TlsProfile } from '../policy/tls-profiles';
import { Facts, HeadersFact, ProfileFact } from './facts';
import { HeadersModel, NoteKind } from './model';

// The response headers and TLS versions a stack's hosts get: what the input sent that the library can say is kept as the
// edge's options (HSTS, framing, CSP, referrer, permissions, cross-origin policies), what it must not send is refused,
// and what it adds is listed per host.

const YEAR = 31_536_000;
const MOZILLA = new Set([...TlsProfile.INTERMEDIATE.ciphers, ...TlsProfile.INTERMEDIATE.ianaCiphers]);
const OPTION_OF: Record<string, keyof HeadersModel> = {
  'content-security-policy': 'contentSecurityPolicy', 'referrer-policy': 'referrerPolicy', 'permissions-policy': 'permissionsPolicy',
  'cross-origin-opener-policy': 'crossOriginOpenerPolicy', 'cross-origin-resource-policy': 'crossOriginResourcePolicy',
};

interface Seen {
  readonly name: string;
  readonly value: string;
  readonly fact: HeadersFact;
}

/**
 * The stack's header options from what the input sends for `hosts` (the first value of each header wins), and a note
 * per host of what stays, what the library adds and what it refuses.
 */
export function adoptHeaders(ns: string, hosts: string[], facts: Facts, headerFacts: HeadersFact[]): HeadersModel {
  const perHost = new Map<string, Map<string, Seen>>(hosts.map((h) => [h, new Map()]));
  const first = new Map<string, Seen>();
  for (const fact of headerFacts) {
    for (const [name, value] of fact.headers) {
      const lower = name.toLowerCase();
      if (!first.has(lower)) first.set(lower, { name, value, fact });
      for (const h of fact.hosts) {
        const seen = perHost.get(h);
        if (seen && !seen.has(lower)) seen.set(lower, { name, value, fact });
      }
    }
  }
  const options: { -readonly [K in keyof HeadersModel]: HeadersModel[K] } = {};
  for (const [lower, s] of first) {
    const refuse = (why: string) => facts.note(NoteKind.REFUSED, s.fact.origin, `${s.name}: ${s.value}`, `${why} (set by ${s.fact.where})`, undefined, { namespace: ns });
    if (lower === 'strict-transport-security') {
      const hsts = parseHsts(s.value);
      if (!hsts || hsts.maxAgeSeconds === 0) refuse('turns HSTS off or does not parse: the edge sends max-age=31536000; includeSubDomains');
      else if (hsts.preload && (!hsts.includeSubDomains || hsts.maxAgeSeconds < YEAR)) refuse('preload without includeSubDomains and a year\'s max-age is refused by the preload list: the edge sends it without preload');
      else if (hsts.maxAgeSeconds !== YEAR || !hsts.includeSubDomains || hsts.preload) options.hsts = hsts;
    } else if (lower === 'x-frame-options') {
      const v = s.value.trim().toUpperCase();
      if (v === FrameOptions.SAMEORIGIN) options.frameOptions = 'SAMEORIGIN';
      else if (v !== FrameOptions.DENY) refuse('not DENY or SAMEORIGIN (ALLOW-FROM is obsolete): the edge sends DENY');
    } else if (lower === 'x-xss-protection') {
      if (s.value.trim() !== '0') refuse('enables the XSS auditor browsers removed, itself exploitable (OWASP): the edge sends "X-XSS-Protection: 0"');
    } else if (lower === 'x-content-type-options') {
      if (s.value.trim().toLowerCase() !== 'nosniff') refuse('the edge sends "nosniff"');
    } else if (OPTION_OF[lower]) {
      (options as Record<string, unknown>)[OPTION_OF[lower]] = s.value;
    } else {
      facts.note(NoteKind.CANNOT, s.fact.origin, `${s.name}: ${s.value}`, `a response header the edges do not send (set by ${s.fact.where})`, 'send it from the app, or add it to the edge\'s header filter or Middleware with addJsonPatch', { namespace: ns });
    }
  }
  const library = libraryHeaders(options);
  for (const host of hosts) {
    const seen = perHost.get(host)!;
    const same: string[] = [];
    const added: string[] = [];
    for (const [name, value] of Object.entries(library)) {
      const input = seen.get(name.toLowerCase());
      if (!input) added.push(`${name}: ${value}`);
      else if (input.value.trim() === value) same.push(name);
      else if (input.value !== first.get(name.toLowerCase())?.value) {
        facts.note(NoteKind.CHANGED, input.fact.origin, `${input.name}: ${input.value}`, `one value per stack: the edge sends "${value}" for every host (set by ${input.fact.where})`, undefined, { namespace: ns, host });
      }
    }
    if (same.length) facts.note(NoteKind.SAME, undefined, 'response headers', same.join(', '), undefined, { namespace: ns, host });
    if (added.length) facts.note(NoteKind.ADDED, undefined, 'response headers', added.join('; '), undefined, { namespace: ns, host });
  }
  return options;
}

/** The headers the edge sends with these options (the library's own SecurityHeaders). */
export function libraryHeaders(options: HeadersModel): Record<string, string> {
  const h = new SecurityHeaders('adopt', 'headers', {
    ...(options.hsts ? { hsts: { maxAge: Duration.seconds(options.hsts.maxAgeSeconds), includeSubDomains: options.hsts.includeSubDomains, preload: options.hsts.preload } } : {}),
    ...(options.frameOptions ? { frameOptions: options.frameOptions as FrameOptions } : {}),
    contentSecurityPolicy: options.contentSecurityPolicy, referrerPolicy: options.referrerPolicy, permissionsPolicy: options.permissionsPolicy,
    crossOriginOpenerPolicy: options.crossOriginOpenerPolicy, crossOriginResourcePolicy: options.crossOriginResourcePolicy,
  });
  return { 'Strict-Transport-Security': h.hstsValue!, ...h.headers };
}

/** `max-age=N; includeSubDomains; preload`, or undefined. */
export function parseHsts(value: string): HeadersModel['hsts'] | undefined {
  const parts = value.split(';').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const age = parts.map((p) => /^max-age\s*=\s*"?(\d+)"?$/.exec(p)?.[1]).find((x) => x !== undefined);
  if (age === undefined || !Number.isSafeInteger(Number(age))) return undefined;
  return { maxAgeSeconds: Number(age), includeSubDomains: parts.includes('includesubdomains'), preload: parts.includes('preload') };
}

/**
 * Whether the stack offers TLS 1.3 only (every version the input states is TLS 1.3), and a note per host: weak versions
 * and ciphers refused, the profile the edge offers instead.
 */
export function adoptProfile(ns: string, hosts: string[], facts: Facts, profileFacts: ProfileFact[]): boolean {
  const stated = profileFacts.filter((p) => p.minVersion);
  const modern = stated.length > 0 && stated.every((p) => p.minVersion === 'TLSv1.3');
  for (const p of profileFacts) {
    const at = { namespace: ns };
    if (p.minVersion && ['SSLv3', 'TLSv1', 'TLSv1.1'].includes(p.minVersion)) {
      facts.note(NoteKind.REFUSED, p.origin, `TLS versions from ${p.minVersion}`, `TLS 1.0 and 1.1 are deprecated (RFC 8996): the edge offers TLS 1.2 and 1.3 (set by ${p.where})`, undefined, at);
    }
    const weak = (p.ciphers ?? []).filter((c) => !MOZILLA.has(c));
    if (weak.length) facts.note(NoteKind.REFUSED, p.origin, `ciphers ${weak.join(':')}`, `outside Mozilla 6.0 intermediate (set by ${p.where}): dropped`, undefined, at);
    else if (p.ciphers && !modern && p.ciphers.length < TlsProfile.INTERMEDIATE.ciphers.length) {
      facts.note(NoteKind.CHANGED, p.origin, `ciphers ${p.ciphers.join(':')}`, `the edge offers the six Mozilla 6.0 intermediate suites (set by ${p.where})`, 'a narrower list: TlsProfile.custom({ name, minVersion, ciphers })', at);
    }
  }
  const profile = modern ? TlsProfile.MODERN : TlsProfile.INTERMEDIATE;
  const described = `${profile.name}: ${profile.protocols.join(' and ')}${profile.ciphers.length ? ', six ECDHE AEAD suites for TLS 1.2' : ''}`;
  for (const host of hosts) {
    const said = profileFacts.filter((p) => p.hosts.includes(host));
    const same = said.every((p) => (!p.minVersion || ['TLSv1.2', 'TLSv1.3'].includes(p.minVersion)) && (p.ciphers ?? []).every((c) => MOZILLA.has(c)));
    const kind = !said.length ? NoteKind.ADDED : same ? NoteKind.SAME : NoteKind.CHANGED;
    facts.note(kind, undefined, 'TLS profile', said.length ? described : `${described} (the input left it to the controller's defaults)`, undefined, { namespace: ns, host });
  }
  return modern;
}
