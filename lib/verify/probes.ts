// Network probes of `verify`. Every probe has an absolute deadline (not an idle timeout: a server that drips one
// byte at a time is cut off too) and stops early when the whole run's signal aborts. No probe throws: each resolves
// to what the server did, or to why it could not be asked.
import { createHash } from 'crypto';
import * as dns from 'dns';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as tls from 'tls';
import type WebSocket from 'ws';

/** How long one probe may take, and the whole run's abort signal. */
export interface Limits {
  /** The --timeout: no probe runs longer. */
  readonly timeoutMs: number;
  /** Epoch ms no probe may run past: a host's probes share one budget. @default timeoutMs from the probe's start */
  readonly until?: number;
  readonly signal?: AbortSignal;
}

/** Where the probes go: the public name (SNI, Host, URLs) and the address actually connected to. */
export interface Target {
  /** Public name, or an IP literal without brackets. */
  readonly host: string;
  /** Resolved once, before any probe. */
  readonly address: string;
  readonly httpsPort: number;
  readonly httpPort: number;
}

/**
 * What a probe found. `ok: false` with `answered: true`: the server answered and refused (TLS alert, reset, bad
 * HTTP); `answered: false`: the probe could not run (no route, nothing listening, no answer before the deadline).
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly answered: boolean; readonly error: string };

/** Socket errors that mean "never reached a server": the check could not run, it did not pass. */
const UNREACHED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'ETIMEDOUT']);

/** The SNI name for a host: none for an IP literal (RFC 6066). */
export const serverName = (host: string): string => (net.isIP(host) ? '' : host);

/** `host[:port]` as it appears in a URL or a Host header (IPv6 literals in brackets, default port left out). */
export function authority(host: string, port: number, defaultPort: number): string {
  const h = net.isIPv6(host) ? `[${host}]` : host;
  return port === defaultPort ? h : `${h}:${port}`;
}

/**
 * Runs `start` until it settles or the deadline passes: whichever comes first resolves. `start` returns its cleanup
 * (destroy the socket), which runs exactly once either way.
 */
function bounded<T>(limits: Limits, start: (settle: (o: Outcome<T>) => void) => () => void): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup = () => undefined as void;
    const settle = (o: Outcome<T>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      cleanup();
      resolve(o);
    };
    const onAbort = () => settle({ ok: false, answered: false, error: String((limits.signal!.reason as Error)?.message ?? limits.signal!.reason) });
    const ms = Math.min(limits.timeoutMs, (limits.until ?? Infinity) - Date.now());
    const timer = setTimeout(() => settle({ ok: false, answered: false, error: `no complete answer within ${limits.timeoutMs} ms (--timeout)` }), Math.max(ms, 0));
    if (limits.signal?.aborted) return onAbort();
    limits.signal?.addEventListener('abort', onAbort);
    cleanup = start(settle);
    if (done) cleanup();
  });
}

const contexts = new Map<string, tls.SecureContext>();

/**
 * The same options with a SecureContext made once per distinct configuration: building one (above all with a
 * CA bundle) costs more than a refused handshake, and a run makes a hundred handshakes with a few configurations.
 */
export function withContext<O extends tls.SecureContextOptions>(o: O): O & { secureContext: tls.SecureContext } {
  const { ca, cert, key, ciphers, minVersion, maxVersion } = o;
  const fields = { ca, cert, key, ciphers, minVersion, maxVersion };
  const id = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  let context = contexts.get(id);
  if (!context) {
    if (contexts.size >= 1000) contexts.clear();
    context = tls.createSecureContext(fields);
    contexts.set(id, context);
  }
  return { ...o, secureContext: context };
}

const failure = (e: Error): Outcome<never> => {
  const code = (e as NodeJS.ErrnoException).code;
  return { ok: false, answered: !(code && UNREACHED.has(code)), error: code ?? e.message };
};

/** Resolves `name` once (unless it is an address) and opens a TCP connection to it: can the host be reached at all? */
export function reach(name: string, port: number, limits: Limits): Promise<Outcome<string>> {
  return bounded(limits, (settle) => {
    let socket: net.Socket | undefined;
    const connect = (address: string) => {
      socket = net.connect({ host: address, port }, () => settle({ ok: true, value: address }));
      socket.on('error', (e) => settle(failure(e)));
    };
    if (net.isIP(name)) connect(name);
    else dns.lookup(name, (e, address) => (e ? settle(failure(e)) : connect(address)));
    return () => socket?.destroy();
  });
}

/**
 * One TLS handshake with these options; `inspect` reads the connected socket before it is closed, `watch` may listen
 * to the socket from the start.
 */
export function handshake<T>(t: Target, options: tls.ConnectionOptions, limits: Limits, inspect: (s: tls.TLSSocket) => T,
  watch?: (s: tls.TLSSocket) => void): Promise<Outcome<T>> {
  return bounded(limits, (settle) => {
    const socket = tls.connect(withContext({ host: t.address, port: t.httpsPort, servername: serverName(t.host), ALPNProtocols: ['http/1.1'], ...options }));
    watch?.(socket);
    socket.once('secureConnect', () => settle({ ok: true, value: inspect(socket) }));
    socket.once('error', (e) => settle(failure(e)));
    socket.once('close', () => settle({ ok: false, answered: true, error: 'connection closed during the handshake' }));
    return () => socket.destroy();
  });
}

/** Status and headers of a response (the body is not read). */
export interface Response {
  readonly status: number;
  /** Header names and values, in order, repeated headers kept. */
  readonly raw: string[];
  readonly location?: string;
}

/** One GET; resolves on the response head. Headers up to 1 MiB are read (Node's default limit is 16 KiB). */
export function get(t: Target, scheme: 'http' | 'https', path: string, limits: Limits, tlsOptions: https.RequestOptions = {}): Promise<Outcome<Response>> {
  const port = scheme === 'https' ? t.httpsPort : t.httpPort;
  return bounded(limits, (settle) => {
    const options: https.RequestOptions = {
      host: t.address, port, path, method: 'GET', agent: false, maxHeaderSize: 1 << 20,
      headers: { host: authority(t.host, port, scheme === 'https' ? 443 : 80) },
      ...(scheme === 'https' ? withContext({ servername: serverName(t.host), ...tlsOptions }) : {}),
    };
    const req = (scheme === 'https' ? https : http).request(options, (res) => {
      settle({ ok: true, value: { status: res.statusCode!, raw: res.rawHeaders, location: res.headers.location } });
    });
    req.on('error', (e) => settle(failure(e)));
    req.end();
    return () => req.destroy();
  });
}

/** A WebSocket upgrade; `echoed` when the server sent our message back before the deadline. */
export interface Upgrade {
  readonly echoed: boolean;
}

/**
 * Opens `url` (connecting to `t.address`) and sends one message. A non-101 answer is a refusal (`answered`). The
 * upgrade response is read with headers up to 1 MiB, like {@link get} (ws hands the option to http.request).
 */
export function upgrade(t: Target, url: string, limits: Limits, options: WebSocket.ClientOptions = {}): Promise<Outcome<Upgrade>> {
  // Loaded here, not at the top: `ws` is only needed when a WebSocket route is probed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ws is loaded only when a WebSocket route is probed
  const WS = require('ws') as typeof WebSocket;
  let opened = false;
  return bounded<Upgrade>(limits, (settle) => {
    const family = net.isIPv6(t.address) ? 6 : 4;
    // Connect to the address while the URL (Host, SNI) keeps the public name, like curl --resolve.
    const lookup = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => (o?.all ? cb(null, [{ address: t.address, family }]) : cb(null, t.address, family));
    const secure = url.startsWith('wss:') ? withContext(options as tls.SecureContextOptions) : options;
    const ws = new WS(url, { ...secure, followRedirects: false, lookup, maxPayload: 1 << 20, maxHeaderSize: 1 << 20 } as unknown as WebSocket.ClientOptions);
    const nonce = `tls-stack-verify ${process.hrtime.bigint()}`;
    ws.on('open', () => { opened = true; ws.send(nonce); });
    ws.on('message', (m) => { if (String(m) === nonce) settle({ ok: true, value: { echoed: true } }); });
    ws.on('unexpected-response', (_req, res) => settle({ ok: false, answered: true, error: `HTTP ${res.statusCode}${res.headers.location ? ` → ${res.headers.location}` : ''}` }));
    ws.on('error', (e) => settle(failure(e)));
    return () => {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    };
  }).then((o) => (!o.ok && !o.answered && opened ? { ok: true, value: { echoed: false } } : o));
}
