import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as tls from 'tls';
import { App } from 'cdk8s';
import WebSocket from 'ws';
import { TlsEdgeBase } from './edge/edge';
import { SecurityHeaders } from './policy/headers';
import { TlsProfile, TlsVersion } from './policy/tls-profiles';

/**
 * Proves a deployed stack on the wire: TLS protocols, ciphers, chain, names, expiry and key; the HTTP→HTTPS
 * redirect, HSTS and security headers; WebSocket upgrades; mutual TLS. Verification is never turned off unless
 * `insecure` is set, and then every result says so.
 */

/** What one public host must show. */
export interface HostExpectation {
  readonly host: string;
  /** Connect here instead of resolving `host` (SNI and Host stay `host`). @default resolve host */
  readonly address?: string;
  /** @default 443 */
  readonly httpsPort?: number;
  /** @default 80 */
  readonly httpPort?: number;
  readonly profile: TlsProfile;
  /** Exact Strict-Transport-Security value; undefined: HSTS must be absent... or unchecked when `checkHeaders` is false. */
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
  /** Expected key. @default unchecked */
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
  /** Per-probe timeout. @default 5000 ms */
  readonly timeoutMs?: number;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  readonly host: string;
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

const VERSIONS = [TlsVersion.TLS_1_0, TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3];
const NODE_VERSION: Record<TlsVersion, tls.SecureVersion> = {
  [TlsVersion.TLS_1_0]: 'TLSv1', [TlsVersion.TLS_1_1]: 'TLSv1.1', [TlsVersion.TLS_1_2]: 'TLSv1.2', [TlsVersion.TLS_1_3]: 'TLSv1.3',
};
/** TLS 1.2 suites outside every Mozilla 6.0 profile: a server must refuse a client that offers only these. */
const WEAK_SUITES = 'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:AES128-SHA:AES256-SHA:AES128-GCM-SHA256:DES-CBC3-SHA';

/** Errors that mean "the certificate did not verify" (already reported by tls.chain / tls.san). */
const UNVERIFIED = /^(CERT_|ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

interface Handshake {
  ok: boolean;
  error?: string;
  socket?: tls.TLSSocket;
}

/** Builds expectations for every public host of the edges in an App (what the spec promises). */
export function expectationsFromApp(app: App, connect: { address?: string; httpsPort?: number; httpPort?: number } = {}): HostExpectation[] {
  const edges = app.node.findAll().filter((c): c is TlsEdgeBase => c instanceof TlsEdgeBase);
  return edges.flatMap((e) => [...e.routesByHost].map(([host, routes]) => {
    const cert = routes[0].certificate;
    return {
      host, ...connect,
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
  const u = new URL(url);
  if (u.protocol !== 'https:') throw new Error(`--url ${url}: give an https:// URL`);
  const defaults = new SecurityHeaders('verify', 'headers');
  return {
    host: u.hostname, httpsPort: u.port ? Number(u.port) : 443,
    profile: TlsProfile.INTERMEDIATE, hsts: defaults.hstsValue, headers: defaults.headers, ...extra,
  };
}

/** Runs every check against one host. */
export async function verifyHost(exp: HostExpectation, options: VerifyOptions = {}): Promise<CheckResult[]> {
  const timeout = options.timeoutMs ?? 5000;
  const results: CheckResult[] = [];
  const add = (check: string, status: CheckStatus, detail: string) => results.push({ host: exp.host, check, status, detail: options.insecure && check.startsWith('tls.chain') ? `${detail} (--insecure: chain NOT verified)` : detail });
  const port = exp.httpsPort ?? 443;
  const connectHost = exp.address ?? exp.host;
  const client = options.clientCert && options.clientKey ? { cert: options.clientCert, key: options.clientKey } : {};

  const handshake = (o: tls.ConnectionOptions): Promise<Handshake> => new Promise((resolve) => {
    const socket = tls.connect({ host: connectHost, port, servername: exp.host, ALPNProtocols: ['http/1.1'], ...o });
    const done = (h: Handshake) => {
      clearTimeout(timer);
      if (!h.ok || !h.socket) socket.destroy();
      resolve(h);
    };
    const timer = setTimeout(() => done({ ok: false, error: `timeout after ${timeout} ms` }), timeout);
    socket.once('secureConnect', () => done({ ok: true, socket }));
    socket.once('error', (e) => done({ ok: false, error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
  const probe = async (o: tls.ConnectionOptions) => {
    // Protocol and cipher probes ask what the server accepts; trust is the separate tls.chain check.
    const h = await handshake({ rejectUnauthorized: false, ...client, ...o });
    const info = h.ok ? { version: h.socket!.getProtocol(), cipher: h.socket!.getCipher().name } : undefined;
    h.socket?.destroy();
    return { ...h, info };
  };

  // Protocols: each version alone. Old ones need OpenSSL security level 0 to even be offered.
  const allowed = new Set(exp.profile.protocols);
  for (const v of VERSIONS) {
    const r = await probe({ minVersion: NODE_VERSION[v], maxVersion: NODE_VERSION[v], ciphers: 'DEFAULT@SECLEVEL=0' });
    const should = allowed.has(v);
    add(`tls.${v}`, r.ok === should ? 'pass' : 'fail', r.ok ? `accepted${should ? '' : `, but the ${exp.profile.name} profile forbids it`}` : `refused (${r.error})${should ? `, but the ${exp.profile.name} profile requires it` : ''}`);
  }
  // Cipher negotiated on TLS 1.2, and a client offering only weak suites is refused.
  if (allowed.has(TlsVersion.TLS_1_2)) {
    const r = await probe({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    if (r.ok) add('tls.cipher', exp.profile.ciphers.includes(r.info!.cipher) ? 'pass' : 'fail', `negotiated ${r.info!.cipher}`);
    else add('tls.cipher', 'fail', `no TLS 1.2 handshake (${r.error})`);
  }
  const weak = await probe({ minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: `${WEAK_SUITES}:@SECLEVEL=0` });
  add('tls.weak-ciphers', weak.ok ? 'fail' : 'pass', weak.ok ? `accepted ${weak.info!.cipher} on ${weak.info!.version}` : 'refused a client offering only non-AEAD / non-ECDHE suites');

  // Chain, names, expiry and key, with verification on (unless --insecure, which every result then reports).
  const verified = await handshake({ rejectUnauthorized: false, ca: options.ca ? [...tls.rootCertificates, String(options.ca)] : undefined, ...client });
  if (!verified.ok) {
    add('tls.chain', 'fail', `no handshake: ${verified.error}`);
  } else {
    const s = verified.socket!;
    const cert = s.getPeerCertificate(true);
    s.destroy();
    if (options.insecure) add('tls.chain', 'warn', 'not verified');
    else add('tls.chain', s.authorized ? 'pass' : 'fail', s.authorized ? `valid, issued by ${cert.issuer?.CN ?? cert.issuer?.O ?? '?'}` : `invalid: ${s.authorizationError}`);
    const nameError = tls.checkServerIdentity(exp.host, cert);
    add('tls.san', nameError ? 'fail' : 'pass', nameError ? nameError.message : `covers ${exp.host} (${cert.subjectaltname})`);
    const secondsLeft = (new Date(cert.valid_to).getTime() - Date.now()) / 1000;
    const renew = exp.renewBeforeSeconds ?? 30 * 86400;
    add('tls.expiry', secondsLeft <= 0 ? 'fail' : secondsLeft < renew ? 'warn' : 'pass',
      secondsLeft <= 0 ? `expired ${cert.valid_to}` : `${Math.floor(secondsLeft / 86400)} days left${secondsLeft < renew ? `, inside the renewal window (${Math.round(renew / 86400)} days): is cert-manager renewing it?` : ''}`);
    if (exp.key) {
      const algorithm = cert.asn1Curve || cert.nistCurve ? 'ECDSA' : cert.modulus ? 'RSA' : 'unknown';
      const ok = algorithm === exp.key.algorithm && (exp.key.size === undefined || cert.bits === exp.key.size);
      add('tls.key', ok ? 'pass' : 'fail', `${algorithm} ${cert.bits}${ok ? '' : `, expected ${exp.key.algorithm} ${exp.key.size ?? ''}`.trimEnd()}`);
    }
  }

  const request = (mod: typeof http | typeof https, p: number, path: string, extra: https.RequestOptions = {}) =>
    new Promise<{ status?: number; raw: string[]; headers: http.IncomingHttpHeaders; error?: string }>((resolve) => {
      const req = mod.request({ host: connectHost, port: p, path, method: 'GET', headers: { host: p === (mod === https ? 443 : 80) ? exp.host : `${exp.host}:${p}` }, servername: exp.host, timeout, ...extra } as https.RequestOptions, (res) => {
        res.resume();
        resolve({ status: res.statusCode, raw: res.rawHeaders, headers: res.headers });
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeout} ms`)));
      req.on('error', (e) => resolve({ raw: [], headers: {}, error: (e as NodeJS.ErrnoException).code ?? e.message }));
      req.end();
    });
  const tlsRequestOptions: https.RequestOptions = { rejectUnauthorized: !options.insecure, ca: options.ca ? [...tls.rootCertificates, String(options.ca)] : undefined, ...client, agent: false };

  if (exp.checkHttp ?? true) {
    const httpPort = exp.httpPort ?? 80;
    const path = '/tls-stack-verify?probe=1';
    const r = await request(http, httpPort, path);
    const expected = `https://${exp.host}${port === 443 ? '' : `:${port}`}${path}`;
    if (r.error) add('http.redirect', 'fail', `http://${exp.host}:${httpPort} did not answer (${r.error})`);
    else add('http.redirect', (r.status === 301 || r.status === 308) && r.headers.location === expected ? 'pass' : 'fail',
      `${r.status} → ${r.headers.location ?? '(no Location)'}${r.status === 301 || r.status === 308 ? '' : ' (want 301 or 308)'}${r.headers.location === expected ? '' : `, want ${expected}`}`);

    const page = await request(https, port, '/', tlsRequestOptions);
    if (page.error && UNVERIFIED.test(page.error)) {
      add('http.headers', 'skip', `not checked: the certificate did not verify (${page.error}), see tls.chain`);
    } else if (page.error) {
      add('http.hsts', 'fail', `https://${exp.host}/ did not answer (${page.error})`);
    } else {
      const values = (name: string) => {
        const out: string[] = [];
        for (let i = 0; i < page.raw.length; i += 2) if (page.raw[i].toLowerCase() === name.toLowerCase()) out.push(page.raw[i + 1]);
        return out;
      };
      const hsts = values('strict-transport-security');
      if (exp.hsts === undefined) add('http.hsts', hsts.length ? 'warn' : 'pass', hsts.length ? `present (${hsts.join(' | ')}) though the spec turns it off` : 'absent, as specified');
      else add('http.hsts', hsts.length === 1 && hsts[0] === exp.hsts ? 'pass' : 'fail', hsts.length === 0 ? 'missing' : hsts.length > 1 ? `sent ${hsts.length} times: ${hsts.join(' | ')}` : hsts[0] === exp.hsts ? hsts[0] : `"${hsts[0]}", want "${exp.hsts}"`);
      for (const [name, value] of Object.entries(exp.headers)) {
        const got = values(name);
        add(`http.header.${name}`, got.length === 1 && got[0] === value ? 'pass' : 'fail', got.length ? got.join(' | ') + (got[0] === value ? '' : `, want "${value}"`) : `missing, want "${value}"`);
      }
      const xss = values('x-xss-protection');
      if (xss.some((v) => v.trim() !== '0')) add('http.x-xss-protection', 'fail', `"${xss.join(' | ')}": send 0 or nothing`);
    }
  }

  for (const path of exp.websocketPaths ?? []) {
    const url = `wss://${exp.host}:${port}${path}`;
    const r = await wsProbe(url, connectHost, timeout, { rejectUnauthorized: !options.insecure, ca: tlsRequestOptions.ca as any, ...client, servername: exp.host });
    if (!r.opened && UNVERIFIED.test(r.error ?? '')) add(`ws.upgrade ${path}`, 'skip', `not checked: the certificate did not verify (${r.error})`);
    else add(`ws.upgrade ${path}`, r.opened ? 'pass' : 'fail', r.opened ? (r.echoed ? '101, message echoed' : '101 (no echo within the timeout)') : `no upgrade: ${r.error}`);
    const plain = await wsProbe(`ws://${exp.host}:${exp.httpPort ?? 80}${path}`, connectHost, timeout, {});
    add(`ws.plaintext ${path}`, plain.opened ? 'fail' : 'pass', plain.opened ? 'ws:// upgraded in plaintext' : `refused (${plain.error})`);
  }

  if (exp.clientAuth) {
    const bare = await request(https, port, '/', { ...tlsRequestOptions, cert: undefined, key: undefined });
    const rejected = !!bare.error || [400, 403, 495, 496].includes(bare.status!);
    add('mtls.without-certificate', rejected ? 'pass' : 'fail', rejected ? `rejected (${bare.error ?? bare.status})` : `answered ${bare.status} without a client certificate`);
    if (options.clientCert) {
      const withCert = await request(https, port, '/', tlsRequestOptions);
      const ok = !withCert.error && ![400, 403, 495, 496].includes(withCert.status!);
      add('mtls.with-certificate', ok ? 'pass' : 'fail', ok ? `accepted (${withCert.status})` : `refused (${withCert.error ?? withCert.status})`);
    } else {
      add('mtls.with-certificate', 'skip', 'give --client-cert and --client-key to test the accepted path');
    }
  }
  return results;
}

function wsProbe(url: string, address: string, timeout: number, o: object): Promise<{ opened: boolean; echoed?: boolean; error?: string }> {
  return new Promise((resolve) => {
    const family = address.includes(':') ? 6 : 4;
    // Connect to `address` while the URL (Host, SNI) keeps the public name, like curl --resolve.
    const lookup = (_h: string, lo: { all?: boolean }, cb: (...a: unknown[]) => void) => (lo?.all ? cb(null, [{ address, family }]) : cb(null, address, family));
    const ws = new WebSocket(url, { ...o, handshakeTimeout: timeout, followRedirects: false, lookup } as WebSocket.ClientOptions);
    let opened = false;
    const finish = (r: { opened: boolean; echoed?: boolean; error?: string }) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish(opened ? { opened, echoed: false } : { opened, error: `timeout after ${timeout} ms` }), timeout);
    const nonce = `tls-stack-verify ${Date.now()}`;
    ws.on('open', () => { opened = true; ws.send(nonce); });
    ws.on('message', (m) => { if (String(m) === nonce) finish({ opened, echoed: true }); });
    ws.on('unexpected-response', (_req, res) => finish({ opened: false, error: `HTTP ${res.statusCode}${res.headers.location ? ` → ${res.headers.location}` : ''}` }));
    ws.on('error', (e) => finish({ opened, error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
}

/** A table (colours on a TTY), one line per check, failures first within each host. */
export function formatResults(results: CheckResult[], color = false, insecure = false): string {
  const paint: Record<CheckStatus, number> = { pass: 32, fail: 31, warn: 33, skip: 90 };
  const p = (s: CheckStatus) => (color ? `\u001b[${paint[s]}m${s.toUpperCase().padEnd(4)}\u001b[0m` : s.toUpperCase().padEnd(4));
  const w = Math.max(5, ...results.map((r) => r.check.length));
  const hw = Math.max(4, ...results.map((r) => r.host.length));
  const lines = [`${'HOST'.padEnd(hw)}  ${'CHECK'.padEnd(w)}  RESULT  DETAIL`];
  for (const r of results) lines.push(`${r.host.padEnd(hw)}  ${r.check.padEnd(w)}  ${p(r.status)}    ${r.detail}`);
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push(`${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings, ${count('skip')} skipped${insecure ? ' — --insecure: certificate chains were NOT verified' : ''}`);
  return lines.join('\n');
}

interface VerifyFlags {
  readonly env?: string; readonly url?: string[]; readonly ca?: string; readonly 'client-cert'?: string; readonly 'client-key'?: string;
  readonly json?: boolean; readonly insecure?: boolean; readonly resolve?: string[]; readonly 'https-port'?: string; readonly 'http-port'?: string;
  readonly ws?: string[]; readonly mtls?: boolean; readonly modern?: boolean; readonly timeout?: string;
}

export const VERIFY_HELP = `Usage: cdk8s-tls verify --url https://HOST[:PORT][/] [options]

Probes live hosts with the library's secure defaults (Mozilla 6.0 intermediate, HSTS 1 year, OWASP headers):
TLS versions, ciphers, chain, names, expiry and key; the HTTP→HTTPS redirect, HSTS and security headers;
WebSocket upgrades; mutual TLS.

  --url URL               an https:// URL to probe (repeatable)
  --resolve HOST=ADDR     connect to ADDR for HOST (or --resolve ADDR for every host); SNI and Host stay HOST
  --https-port N          HTTPS port (default: the URL's, else 443)
  --http-port N           plain-HTTP port of the redirect check (default 80)
  --ws PATH               a WebSocket path to upgrade (repeatable)
  --mtls                  the host requires client certificates
  --modern                expect Mozilla modern (TLS 1.3 only)
  --ca FILE               extra trusted CA (PEM)
  --client-cert FILE      client certificate (PEM) for mTLS hosts, with --client-key FILE
  --timeout MS            per-probe timeout (default 5000)
  --insecure              do not verify the chain (reported on every result)
  --json                  print JSON only
  -h, --help              this text

Exit code: 0 all passed, 1 a check failed, 2 usage error.`;

/**
 * The `verify` command line. `environments` lets an app add `--env NAME` (expectations built from its own spec).
 */
export async function verifyCommand(args: string[], io: { stdout: { write(s: string): unknown; isTTY?: boolean } },
  environments?: (name: string) => HostExpectation[]): Promise<number> {
  const { UsageError, parseCommandLine } = await import('./cli');
  const { values } = parseCommandLine<VerifyFlags>(args, {
    'env': { type: 'string' }, 'url': { type: 'string', multiple: true }, 'ca': { type: 'string' },
    'client-cert': { type: 'string' }, 'client-key': { type: 'string' }, 'json': { type: 'boolean' }, 'insecure': { type: 'boolean' },
    'resolve': { type: 'string', multiple: true }, 'https-port': { type: 'string' }, 'http-port': { type: 'string' },
    'ws': { type: 'string', multiple: true }, 'mtls': { type: 'boolean' }, 'modern': { type: 'boolean' }, 'timeout': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(`${VERIFY_HELP}\n`);
    return 0;
  }
  const port = (flag: string, v?: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${flag} ${v}: give a port between 1 and 65535`);
    return n;
  };
  const ports = { httpsPort: port('https-port', values['https-port']), httpPort: port('http-port', values['http-port']) };
  let targets: HostExpectation[];
  if (values.url?.length) {
    targets = values.url.map((u) => {
      try {
        return expectationsFromUrl(u, { ...(ports.httpPort ? { httpPort: ports.httpPort } : {}), ...(ports.httpsPort ? { httpsPort: ports.httpsPort } : {}), websocketPaths: values.ws, clientAuth: values.mtls, ...(values.modern ? { profile: TlsProfile.MODERN } : {}) });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    });
  } else if (values.env !== undefined && environments) {
    targets = environments(values.env);
  } else {
    throw new UsageError(environments ? 'give --url or --env' : 'give at least one --url');
  }
  const resolve = new Map((values.resolve ?? []).map((r) => (r.includes('=') ? r.split('=') as [string, string] : ['*', r])));
  targets = targets.map((t) => ({ ...t, address: resolve.get(t.host) ?? resolve.get('*') ?? t.address }));
  const read = (flag: string, f?: string) => {
    if (f === undefined) return undefined;
    if (!fs.existsSync(f)) throw new UsageError(`--${flag} ${f}: no such file`);
    return fs.readFileSync(f);
  };
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout ${values.timeout}: give milliseconds, e.g. 5000`);
  const options = {
    ca: read('ca', values.ca), clientCert: read('client-cert', values['client-cert']), clientKey: read('client-key', values['client-key']),
    insecure: values.insecure, timeoutMs: timeout,
  };
  const results: CheckResult[] = (await Promise.all(targets.map((t) => verifyHost(t, options)))).flat();
  io.stdout.write(values.json
    ? `${JSON.stringify({ insecure: !!values.insecure, results }, null, 2)}\n`
    : `${formatResults(results, !!io.stdout.isTTY, values.insecure)}\n`);
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
