/**
 * The live prober: TLS versions, cipher suites, chain, names, expiry, keys and signatures, the HTTP→HTTPS redirect,
 * HSTS and security headers, WebSocket upgrades and mutual TLS of deployed hosts, against what a stack's spec promises.
 * Its own entry point, so that importing the library loads no network code.
 *
 * @packageDocumentation
 * @module cdk8s-secure-tls/verify
 */
import { setMaxListeners } from 'events';
import * as tls from 'tls';
import type { App } from 'cdk8s';
import { TlsProfile, TlsVersion } from '../policy/tls-profiles';
import { chainOf, keyWeakness, signatureWeakness } from './certificates';
import { Limits, Outcome, Target, authority, get, handshake, reach, upgrade } from './probes';
import { MOZILLA_TLS13, offerableSuites } from './suites';

/**
 * Proves a deployed stack on the wire: TLS protocols, every cipher suite, chain, names, expiry, keys and signatures;
 * the HTTP→HTTPS redirect, HSTS and security headers; WebSocket upgrades; mutual TLS. Every probe has an absolute
 * deadline (a host's probes share one, counted from its start) and independent probes run concurrently.
 * Verification is never turned off unless `insecure` is set, and then every result says so.
 */

/** What one public host must show. */
export interface HostExpectation {
  /** Public name (SNI, Host), or an IP literal without brackets. */
  readonly host: string;
  /** Connect here instead of resolving `host` (SNI and Host stay `host`). @default resolve host */
  readonly address?: string;
  /** @default 443 */
  readonly httpsPort?: number;
  /** @default 80 */
  readonly httpPort?: number;
  readonly profile: TlsProfile;
  /** Exact Strict-Transport-Security value; undefined: HSTS must be absent... or unchecked when `checkHttp` is false. */
  readonly hsts?: string;
  /** Headers that must be present with these values. */
  readonly headers: Record<string, string>;
  /** Check the redirect and headers (false for passthrough hosts: the backend owns them). @default true */
  readonly checkHttp?: boolean;
  /** WebSocket paths. @default none */
  readonly websocketPaths?: string[];
  /** The host requires a client certificate. @default false */
  readonly clientAuth?: boolean;
  /** Warn when fewer seconds than this remain. @default 30 days */
  readonly renewBeforeSeconds?: number;
  /** Expected leaf key (every key in the chain is also checked for strength). @default any strong key */
  readonly key?: { readonly algorithm: string; readonly size?: number };
}

/** How to probe. */
export interface VerifyOptions {
  /** Extra trusted CA (PEM). @default the system trust store */
  readonly ca?: string | Buffer;
  /** Client certificate and key (PEM) for mTLS hosts. @default none */
  readonly clientCert?: string | Buffer;
  readonly clientKey?: string | Buffer;
  /** Do not verify the chain. Reported on every result. @default false */
  readonly insecure?: boolean;
  /**
   * Time limit of one host, counted from its start (resolve and connect included): every probe (handshake, request,
   * upgrade) is done by then, whatever the server does. Save the cipher-suite handshakes: they start once the host
   * has answered a protocol probe, and each has this long from its own start. Whole milliseconds, 1 to 2^31 - 1.
   * @default 5000 ms
   */
  readonly timeoutMs?: number;
  /** Stops the whole run, suite handshakes included: probes still running report that they could not finish. @default none */
  readonly signal?: AbortSignal;
}

/** `error`: the check could not run (host unreachable, no answer in time): neither passed nor failed. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

/** One check of one host. */
export interface CheckResult {
  readonly host: string;
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

const VERSIONS = [TlsVersion.TLS_1_0, TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3];
/**
 * The TLS 1.2 suites outside the profile are offered in this many groups, in flight at once per host (few enough that
 * a server's connection limits do not look like refusals).
 */
const SUITE_GROUPS = 8;
/**
 * How a server says none of the offered suites will do: TLS alert 40 (handshake_failure; OpenSSL, BoringSSL, Go) or
 * 71 (insufficient_security). Only then does a refused group mean each of its suites is refused.
 */
const NO_SHARED_SUITE = /ALERT_HANDSHAKE_FAILURE|ALERT_INSUFFICIENT_SECURITY/;
/** The longest delay setTimeout keeps (2^31 - 1 ms, ~24.8 days); past it the timer fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Status codes that mean "client certificate required". */
const MTLS_REJECTED = [400, 403, 495, 496];
/** Older and weaker keys and signatures must still complete a handshake: they are judged by tls.key / tls.signature. */
const ANY_LEVEL = 'DEFAULT:@SECLEVEL=0';

/**
 * What a protocol probe offers: every suite this OpenSSL has, TLS 1.3 ones included, at security level 0. A server
 * that speaks an old version only with suites outside OpenSSL's DEFAULT list (e.g. CAMELLIA256-SHA) is still seen
 * accepting it.
 */
const everySuite = () => [...offerableSuites().tls13, 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'].join(':');

/**
 * Builds expectations for every public host of the edges in an App (what the spec promises). A wildcard host
 * (`*.pages.example.com`) names no host to resolve or send as SNI: it is probed under the name `wildcards` gives it
 * (`{ '*.pages.example.com': 'docs.pages.example.com' }`), and left out without one.
 */
export function expectationsFromApp(app: App, connect: { address?: string; httpsPort?: number; httpPort?: number; wildcards?: Readonly<Record<string, string>> } = {}): HostExpectation[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the constructs are loaded only for expectations from an App
  const { TlsEdgeBase } = require('../edge/edge') as typeof import('../edge/edge');
  const { wildcards = {}, ...to } = connect;
  const edges = app.node.findAll().filter((c): c is InstanceType<typeof TlsEdgeBase> => c instanceof TlsEdgeBase);
  const probed = (host: string) => (host.startsWith('*.') ? (Object.prototype.hasOwnProperty.call(wildcards, host) ? wildcards[host] : undefined) : host);
  return edges.flatMap((e) => [...e.routesByHost].filter(([host]) => probed(host)).map(([host, routes]) => {
    const cert = routes[0].certificate;
    return {
      host: probed(host)!, ...to,
      profile: e.tlsProfile,
      hsts: e.securityHeaders.hstsValue,
      headers: e.securityHeaders.headers,
      checkHttp: !routes[0].passthrough,
      websocketPaths: routes.filter((r) => r.websocket).map((r) => r.path),
      clientAuth: !!routes[0].clientAuth,
      renewBeforeSeconds: cert.renewBefore.toSeconds(),
      key: cert.privateKey,
    };
  }));
}

/** Expectations for a bare URL: the library's secure defaults (Mozilla intermediate, HSTS 1 year, OWASP headers). */
export function expectationsFromUrl(url: string, extra: Partial<HostExpectation> = {}): HostExpectation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--url ${url}: not a URL, give e.g. https://app.example.com`);
  }
  if (u.protocol !== 'https:') throw new Error(`--url ${url}: give an https:// URL`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a --url run's default headers
  const { SecurityHeaders } = require('../policy/headers') as typeof import('../policy/headers');
  const defaults = new SecurityHeaders('verify', 'headers');
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'), httpsPort: u.port ? Number(u.port) : 443,
    profile: TlsProfile.INTERMEDIATE, hsts: defaults.hstsValue, headers: defaults.headers, ...extra,
  };
}

type Add = (check: string, status: CheckStatus, detail: string) => void;

/** Runs every check against one host: first whether it can be reached at all, then every probe concurrently. */
export async function verifyHost(exp: HostExpectation, options: VerifyOptions = {}): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
    throw new RangeError(`timeoutMs ${timeoutMs}: give whole milliseconds from 1 to ${MAX_TIMER_MS}`);
  }
  // One listener on the caller's signal; every probe of this host listens to ours.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const abort = () => stop.abort(options.signal!.reason);
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    // One budget for the host, counted from now: a slow connect leaves the other probes less time, not more.
    return await checkHost(exp, options, { timeoutMs, until: Date.now() + timeoutMs, signal: stop.signal });
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

async function checkHost(exp: HostExpectation, options: VerifyOptions, limits: Limits): Promise<CheckResult[]> {
  const httpsPort = exp.httpsPort ?? 443;
  const name = exp.address ?? exp.host;
  const reached = await reach(name, httpsPort, limits);
  if (!reached.ok) {
    return [{ host: exp.host, check: 'tcp.connect', status: 'error', detail: `could not run any check: ${unreachable(name, httpsPort, reached.error)}` }];
  }
  const t: Target = { host: exp.host, address: reached.value, httpsPort, httpPort: exp.httpPort ?? 80 };
  const ca = options.ca ? [...tls.rootCertificates, String(options.ca)] : undefined;
  const client = options.clientCert && options.clientKey ? { cert: options.clientCert, key: options.clientKey } : {};
  // Every probe but tls.chain connects without judging the certificate: trust is tls.chain's (and only its) verdict.
  const base: tls.ConnectionOptions = { rejectUnauthorized: false, ciphers: ANY_LEVEL, ...client };
  const offer = everySuite();
  const versionProbes = VERSIONS.map((v) => accepts(t, { ...base, ciphers: offer, minVersion: v, maxVersion: v }, limits));
  const ctx: Context = { exp, t, limits, base, options, ca, versionProbes };

  const groups = await Promise.all([protocols(ctx), ciphers(ctx), certificate(ctx), httpChecks(ctx), websockets(ctx), mtls(ctx)]);
  return [
    { host: exp.host, check: 'tcp.connect', status: 'pass', detail: `${authority(t.address, httpsPort, -1)}${t.address === exp.host ? '' : ` for ${exp.host}`}` },
    ...groups.flat().map((r) => ({ host: exp.host, ...r })),
  ];
}

interface Context {
  readonly exp: HostExpectation;
  readonly t: Target;
  readonly limits: Limits;
  readonly base: tls.ConnectionOptions;
  readonly options: VerifyOptions;
  readonly ca?: string[];
  /** The handshake of each of {@link VERSIONS}, offering that version alone (in flight from the start). */
  readonly versionProbes: Array<Promise<Acceptance>>;
}

type Result = Omit<CheckResult, 'host'>;

/** Collects results of one group in a fixed order. */
function collector(): { add: Add; results: Result[] } {
  const results: Result[] = [];
  return { results, add: (check, status, detail) => results.push({ check, status, detail }) };
}

/** Why a host could not be reached, and what to do about it. */
function unreachable(name: string, port: number, error: string): string {
  if (/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL)$/.test(error)) return `${name} does not resolve (${error}): check the name, or give --resolve HOST=ADDRESS`;
  if (error.includes('--deadline')) return error;
  if (error === 'ECONNREFUSED') return `nothing listens on ${authority(name, port, -1)} (ECONNREFUSED): is the server up and the port right (--https-port)?`;
  return `${authority(name, port, -1)} did not answer (${error}): host down, wrong address, or a firewall dropping packets`;
}

const couldNotRun = (error: string) => `could not run: ${error}`;

/**
 * One version alone per handshake, offering every suite: the verdict is about the version, whatever suite the server
 * picks. Old versions need OpenSSL security level 0 to even be offered.
 */
async function protocols({ exp, versionProbes }: Context): Promise<Result[]> {
  const allowed = new Set(exp.profile.protocols);
  const probes = await Promise.all(versionProbes);
  const { add, results } = collector();
  VERSIONS.forEach((v, i) => {
    const r = probes[i];
    const should = allowed.has(v);
    if (r.accepted === undefined) add(`tls.${v}`, 'error', couldNotRun(r.error));
    else add(`tls.${v}`, r.accepted === should ? 'pass' : 'fail', r.accepted
      ? `accepted${r.cipher ? ` (${r.cipher})` : ''}${should ? '' : `, but the ${exp.profile.name} profile forbids it`}`
      : `refused (${r.error})${should ? `, but the ${exp.profile.name} profile requires it` : ''}`);
  });
  return results;
}

/** What a server did with one offer: `accepted` is undefined when the probe could not run. */
interface Acceptance {
  readonly accepted?: boolean;
  /** The suite it chose. */
  readonly cipher?: string;
  readonly error: string;
}

/**
 * Does the server accept this offer? `accepted` is undefined when the probe could not run. A handshake that fails
 * after the server chose its parameters (e.g. for want of a client certificate) still counts as accepted.
 */
async function accepts(t: Target, o: tls.ConnectionOptions, limits: Limits): Promise<Acceptance> {
  // Keys are made once the server has chosen its suite, which is read then: a handshake that fails later still tells.
  let negotiated: string | undefined;
  const r = await handshake(t, o, limits, (s) => s.getCipher()?.name, (s) => s.once('keylog', () => { negotiated = s.getCipher()?.name ?? ''; }));
  if (r.ok) return { accepted: true, cipher: r.value, error: '' };
  if (negotiated !== undefined) return { accepted: true, cipher: negotiated || undefined, error: r.error };
  return { accepted: r.answered ? false : undefined, error: r.error };
}

/**
 * Undefined as soon as one of `probes` got an answer (accepted or refused); when none did, the first one's error.
 */
function silence(probes: Array<Promise<Acceptance>>): Promise<string | undefined> {
  return new Promise((resolve) => {
    for (const p of probes) void p.then((r) => { if (r.accepted !== undefined) resolve(undefined); });
    void Promise.all(probes).then((all) => resolve(all[0].error));
  });
}

/**
 * Every suite outside the profile must be refused. They are offered in groups, a ClientHello each (round-robin, so
 * that related suites a server tends to accept together fall into different groups): a server that accepts one of a
 * group picks it, it is named and taken out, and the rest is offered again until the server refuses them all (the
 * method of testssl.sh and sslscan). A correct server costs one handshake per group instead of one per suite; a
 * group refused otherwise than with "no suite in common", or accepted with a suite that cannot be told, has the rest
 * of it offered one suite at a time. The suite handshakes start once the host has answered a version probe (a host
 * that never answers costs one --timeout, not one per group); then each has its own --timeout from its start, so that
 * a far-away host is not cut off halfway through the list.
 */
async function ciphers({ exp, t, limits, base, versionProbes }: Context): Promise<Result[]> {
  const suites = offerableSuites();
  const groups: Array<{ version: tls.SecureVersion; suites: string[] }> = [];
  if (exp.profile.protocols.includes(TlsVersion.TLS_1_2)) {
    const outside = suites.tls12.filter((s) => !exp.profile.ciphers.includes(s));
    const n = Math.min(SUITE_GROUPS, outside.length);
    for (let g = 0; g < n; g++) groups.push({ version: 'TLSv1.2', suites: outside.filter((_, i) => i % n === g) });
  }
  if (exp.profile.protocols.includes(TlsVersion.TLS_1_3)) {
    const outside = suites.tls13.filter((s) => !MOZILLA_TLS13.includes(s));
    if (outside.length) groups.push({ version: 'TLSv1.3', suites: outside });
  }
  const { add, results } = collector();
  const unanswered = await silence(versionProbes);
  if (unanswered !== undefined) {
    add('tls.ciphers', 'error', couldNotRun(`no suite offered: the host answered none of the protocol probes (${unanswered})`));
    return results;
  }
  const each: Limits = { timeoutMs: limits.timeoutMs, signal: limits.signal };
  const accepted: string[] = [];
  const unknown: Array<{ suite: string; error: string }> = [];
  let handshakes = 0;
  // Old suites need OpenSSL security level 0 to be offered at all; TLS 1.3 suites are named apart from the level.
  const offer = async ({ version }: (typeof groups)[number], offered: string[]) => {
    handshakes++;
    const ciphers = version === 'TLSv1.3' ? offered.join(':') : `${offered.join(':')}:@SECLEVEL=0`;
    return accepts(t, { ...base, minVersion: version, maxVersion: version, ciphers }, each);
  };
  await Promise.all(groups.map(async (g) => {
    let rest = g.suites;
    while (rest.length) {
      const r = await offer(g, rest);
      if (r.accepted === false && NO_SHARED_SUITE.test(r.error)) return;
      if (r.accepted === undefined) return void unknown.push(...rest.map((suite) => ({ suite, error: r.error })));
      const chosen = r.accepted ? rest.find((s) => s === r.cipher?.toUpperCase()) : undefined;
      if (chosen) {
        accepted.push(chosen);
        rest = rest.filter((s) => s !== chosen);
        continue;
      }
      // Accepted, but which suite is not known; or refused some other way than "no suite in common" (a reset, a
      // suite it was not offered, a failure after it chose): each of the rest on its own, as a group tells nothing.
      for (const suite of rest) {
        const one = await offer(g, [suite]);
        if (one.accepted) accepted.push(suite);
        else if (one.accepted === undefined) unknown.push({ suite, error: one.error });
      }
      return;
    }
  }));
  const order = [...suites.tls12, ...suites.tls13];
  accepted.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const scope = `${groups.reduce((n, g) => n + g.suites.length, 0)} suites outside ${exp.profile.name} and Mozilla's ${MOZILLA_TLS13.length} TLS 1.3 suites`;
  const how = `offered in ${groups.length} ${groups.length === 1 ? 'group' : 'groups'}, ${handshakes} ${handshakes === 1 ? 'handshake' : 'handshakes'}`;
  if (accepted.length) {
    add('tls.ciphers', 'fail', `accepts ${accepted.join(', ')}: remove ${accepted.length > 1 ? 'them' : 'it'} from the server's cipher list (${accepted.length} of ${scope} accepted${unknown.length ? `, ${unknown.length} got no answer` : ''}; ${how})`);
  } else if (unknown.length) {
    add('tls.ciphers', 'error', couldNotRun(`${unknown.length} of ${scope} got no answer, e.g. ${unknown[0].suite} (${unknown[0].error})`));
  } else {
    add('tls.ciphers', 'pass', `refused all ${scope} (${how})`);
  }
  return results;
}

/** Chain, names, expiry, keys and signatures, from one handshake with verification on (unless --insecure). */
async function certificate({ exp, t, limits, base, options, ca }: Context): Promise<Result[]> {
  const { add, results } = collector();
  const h = await handshake(t, { ...base, ca }, limits, (s) => ({ authorized: s.authorized, error: String(s.authorizationError ?? ''), cert: s.getPeerCertificate(true) }));
  const checks = ['tls.chain', 'tls.san', 'tls.expiry', 'tls.key', 'tls.signature'];
  if (!h.ok) {
    for (const c of checks) add(c, 'error', couldNotRun(`no TLS handshake with default suites (${h.error})${h.answered && !options.clientCert ? '; if the host requires a client certificate, give --client-cert and --client-key' : ''}`));
    return results;
  }
  const { authorized, error, cert } = h.value;
  const chain = chainOf(cert);
  const leaf = chain[0];
  const issuer = String(cert.issuer?.CN ?? cert.issuer?.O ?? '?');
  if (options.insecure) add('tls.chain', 'warn', 'not verified (--insecure)');
  else add('tls.chain', authorized ? 'pass' : 'fail', authorized ? `valid, issued by ${issuer}` : `invalid: ${error}${CHAIN_HINTS[error] ? ` — ${CHAIN_HINTS[error](issuer)}` : ''}`);

  const nameError = tls.checkServerIdentity(exp.host, cert);
  add('tls.san', nameError ? 'fail' : 'pass', nameError ? nameError.message : `covers ${exp.host} (${cert.subjectaltname})`);

  const secondsLeft = (new Date(cert.valid_to).getTime() - Date.now()) / 1000;
  const renew = exp.renewBeforeSeconds ?? 30 * 86400;
  add('tls.expiry', secondsLeft <= 0 ? 'fail' : secondsLeft < renew ? 'warn' : 'pass',
    secondsLeft <= 0 ? `expired ${cert.valid_to}` : `${Math.floor(secondsLeft / 86400)} days left${secondsLeft < renew ? `, inside the renewal window (${Math.round(renew / 86400)} days): is cert-manager renewing it?` : ''}`);

  const keys = chain.map((c) => `${c.keyType} ${c.keyBits ?? ''}`.trim() + ` (${c.role})`).join(', ');
  const keyProblems = chain.map(keyWeakness).filter((w): w is string => !!w);
  if (exp.key && (leaf.keyType !== exp.key.algorithm || (exp.key.size !== undefined && leaf.keyBits !== exp.key.size))) {
    keyProblems.unshift(`leaf key is ${leaf.keyType} ${leaf.keyBits ?? ''}`.trimEnd() + `, expected ${exp.key.algorithm} ${exp.key.size ?? ''}`.trimEnd());
  }
  add('tls.key', keyProblems.length ? 'fail' : 'pass', keyProblems.length ? keyProblems.join('; ') : keys);

  const signatureProblems = chain.map(signatureWeakness).filter((w): w is string => !!w);
  add('tls.signature', signatureProblems.length ? 'fail' : 'pass', signatureProblems.length ? signatureProblems.join('; ')
    : chain.filter((c) => c.role !== 'root').map((c) => `${c.signature} (${c.role})`).join(', '));
  return results;
}

/** What a chain error usually means, and the fix. */
const CHAIN_HINTS: Record<string, (issuer: string) => string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: (i) => `the issuer "${i}" was not sent and is not trusted: serve the full chain (leaf, then intermediates), or give --ca for a private CA`,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (i) => `the chain ends at "${i}", which is not trusted: serve the missing intermediate, or give --ca for a private CA`,
  SELF_SIGNED_CERT_IN_CHAIN: () => 'the chain ends at a self-signed certificate that is not trusted: give --ca if it is your private CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: () => 'a self-signed leaf: issue it from a CA (cert-manager), or give --ca',
  CERT_HAS_EXPIRED: () => 'renew it (see tls.expiry)',
  ERR_TLS_CERT_ALTNAME_INVALID: () => 'see tls.san',
};

/** The HTTP→HTTPS redirect, HSTS and the security headers; each check reports its own error. */
async function httpChecks({ exp, t, limits, base }: Context): Promise<Result[]> {
  const { add, results } = collector();
  if (!(exp.checkHttp ?? true)) return results;
  const path = '/tls-stack-verify?probe=1';
  const [redirect, page] = await Promise.all([get(t, 'http', path, limits), get(t, 'https', '/', limits, base)]);
  const expected = `https://${authority(exp.host, t.httpsPort, 443)}${path}`;
  if (!redirect.ok) {
    add('http.redirect', 'error', couldNotRun(`http://${authority(exp.host, t.httpPort, 80)} gave no answer (${redirect.error})${redirect.error === 'ECONNREFUSED' ? ': nothing listens there; is --http-port right?' : ''}`));
  } else {
    const { status, location } = redirect.value;
    const statusOk = status === 301 || status === 308;
    add('http.redirect', statusOk && location === expected ? 'pass' : 'fail',
      `${status} → ${location ?? '(no Location)'}${statusOk ? '' : ' (want 301 or 308)'}${location === expected ? '' : `, want ${expected}`}`);
  }

  const headerChecks = ['http.hsts', ...Object.keys(exp.headers).map((h) => `http.header.${h}`)];
  if (!page.ok) {
    const why = couldNotRun(`GET https://${authority(exp.host, t.httpsPort, 443)}/ ${page.answered ? 'failed' : 'gave no answer'} (${page.error})`);
    for (const c of headerChecks) add(c, 'error', why);
    return results;
  }
  const values = (name: string) => {
    const out: string[] = [];
    for (let i = 0; i < page.value.raw.length; i += 2) if (page.value.raw[i].toLowerCase() === name.toLowerCase()) out.push(page.value.raw[i + 1]);
    return out;
  };
  const hsts = values('strict-transport-security');
  if (exp.hsts === undefined) add('http.hsts', hsts.length ? 'warn' : 'pass', hsts.length ? `present (${hsts.join(' | ')}) though the spec turns it off` : 'absent, as specified');
  else add('http.hsts', hsts.length === 1 && hsts[0] === exp.hsts ? 'pass' : 'fail', hsts.length === 0 ? 'missing' : hsts.length > 1 ? `sent ${hsts.length} times: ${hsts.join(' | ')}` : hsts[0] === exp.hsts ? hsts[0] : `"${hsts[0]}", want "${exp.hsts}"`);
  for (const [header, value] of Object.entries(exp.headers)) {
    const got = values(header);
    add(`http.header.${header}`, got.length === 1 && got[0] === value ? 'pass' : 'fail', got.length ? got.join(' | ') + (got.length === 1 && got[0] === value ? '' : `, want "${value}"`) : `missing, want "${value}"`);
  }
  // Where the spec names X-XSS-Protection, its header check already judges it.
  const xss = values('x-xss-protection');
  const specified = Object.keys(exp.headers).some((h) => h.toLowerCase() === 'x-xss-protection');
  if (!specified && xss.some((v) => v.trim() !== '0')) add('http.x-xss-protection', 'fail', `"${xss.join(' | ')}": send 0 or nothing`);
  return results;
}

/** Every WebSocket path upgrades over wss:// (and echoes, when the server echoes); ws:// does not upgrade. */
async function websockets({ exp, t, limits, base }: Context): Promise<Result[]> {
  const { add, results } = collector();
  const paths = exp.websocketPaths ?? [];
  const probes = await Promise.all(paths.map((p) => Promise.all([
    upgrade(t, `wss://${authority(exp.host, t.httpsPort, 443)}${p}`, limits, base as object),
    upgrade(t, `ws://${authority(exp.host, t.httpPort, 80)}${p}`, limits),
  ])));
  paths.forEach((p, i) => {
    const [secure, plain] = probes[i];
    if (secure.ok) add(`ws.upgrade ${p}`, 'pass', secure.value.echoed ? '101, message echoed' : '101 (no echo within the timeout)');
    else add(`ws.upgrade ${p}`, secure.answered ? 'fail' : 'error', secure.answered ? `no upgrade: ${secure.error}` : couldNotRun(secure.error));
    if (plain.ok) add(`ws.plaintext ${p}`, 'fail', 'ws:// upgraded in plaintext');
    else if (plain.answered || plain.error === 'ECONNREFUSED') add(`ws.plaintext ${p}`, 'pass', `refused (${plain.error})`);
    else add(`ws.plaintext ${p}`, 'error', couldNotRun(plain.error));
  });
  return results;
}

/** On mTLS hosts: a request without a client certificate is rejected; one with `--client-cert` is accepted. */
async function mtls({ exp, t, limits, base, options }: Context): Promise<Result[]> {
  const { add, results } = collector();
  if (!exp.clientAuth) return results;
  const [bare, withCert] = await Promise.all([
    get(t, 'https', '/', limits, { ...base, cert: undefined, key: undefined }),
    options.clientCert ? get(t, 'https', '/', limits, base) : undefined,
  ]);
  const rejected = (o: Outcome<{ status: number }>) => (o.ok ? MTLS_REJECTED.includes(o.value.status) : o.answered);
  const show = (o: Outcome<{ status: number }>) => (o.ok ? String(o.value.status) : o.error);
  if (!bare.ok && !bare.answered) add('mtls.without-certificate', 'error', couldNotRun(bare.error));
  else add('mtls.without-certificate', rejected(bare) ? 'pass' : 'fail', rejected(bare) ? `rejected (${show(bare)})` : `answered ${show(bare)} without a client certificate`);
  if (!withCert) add('mtls.with-certificate', 'skip', 'give --client-cert and --client-key to test the accepted path');
  else if (!withCert.ok && !withCert.answered) add('mtls.with-certificate', 'error', couldNotRun(withCert.error));
  else add('mtls.with-certificate', rejected(withCert) ? 'fail' : 'pass', rejected(withCert) ? `refused (${show(withCert)})` : `accepted (${show(withCert)})`);
  return results;
}

/** A table (colours on a TTY), one line per check, hosts in the order given; a summary line counts each status. */
export function formatResults(results: CheckResult[], color = false, insecure = false): string {
  const paint: Record<CheckStatus, number> = { pass: 32, fail: 31, warn: 33, skip: 90, error: 35 };
  const p = (s: CheckStatus) => (color ? `\u001b[${paint[s]}m${s.toUpperCase().padEnd(5)}\u001b[0m` : s.toUpperCase().padEnd(5));
  const w = Math.max(5, ...results.map((r) => r.check.length));
  const hw = Math.max(4, ...results.map((r) => r.host.length));
  const lines = [`${'HOST'.padEnd(hw)}  ${'CHECK'.padEnd(w)}  RESULT  DETAIL`];
  for (const r of results) lines.push(`${r.host.padEnd(hw)}  ${r.check.padEnd(w)}  ${p(r.status)}   ${r.detail}`);
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push(`${count('pass')} passed, ${count('fail')} failed, ${count('error')} could not run, ${count('warn')} warnings, ${count('skip')} skipped`
    + `${insecure ? ' — --insecure: certificate chains were NOT verified' : ''}`);
  return lines.join('\n');
}

