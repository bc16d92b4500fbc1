// Test-only PKI and real servers on loopback: a Node https + ws stack and nginx (when installed), each either
// configured correctly or with one fault.
import 'reflect-metadata';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { webcrypto } from 'crypto';
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as x509 from '@peculiar/x509';
import { WebSocketServer } from 'ws';
import { SecurityHeaders } from '../../lib/policy/headers';
import { TlsProfile } from '../../lib/policy/tls-profiles';

x509.cryptoProvider.set(webcrypto as any);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

async function pemKey(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as any));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/** A certificate chain (PEM, leaf first) and its key. `weak`: a server needs OpenSSL security level 0 to serve it. */
export interface Leaf { cert: string; key: string; weak?: boolean }

/** How a leaf is made. */
export interface LeafOptions {
  expired?: boolean;
  clientAuth?: boolean;
  /** An RSA key of this size instead of ECDSA P-256. */
  rsaBits?: number;
  /** Signed with ECDSA over SHA-1. */
  sha1?: boolean;
  /** The chain as served leaves out the intermediate CA. */
  noIntermediate?: boolean;
}

export interface TestPki {
  /** The root CA (PEM): what clients trust. */
  ca: string;
  leaf(names: string[], opts?: LeafOptions): Promise<Leaf>;
}

/** A throwaway root CA → intermediate CA that signs leaves (server or client). */
export async function makePki(): Promise<TestPki> {
  const ca = async (name: string, issuer?: { cert: x509.X509Certificate; keys: CryptoKeyPair }) => {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as CryptoKeyPair;
    const common = {
      notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY), signingAlgorithm: EC,
      extensions: [new x509.BasicConstraintsExtension(true, issuer ? 0 : undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    };
    const cert = issuer
      ? await x509.X509CertificateGenerator.create({ ...common, serialNumber: '02', subject: `CN=${name}`, issuer: issuer.cert.subject, signingKey: issuer.keys.privateKey as any, publicKey: keys.publicKey as any })
      : await x509.X509CertificateGenerator.createSelfSigned({ ...common, serialNumber: '01', name: `CN=${name}`, keys: keys as any });
    return { cert, keys };
  };
  const root = await ca('tls-stack test CA');
  const intermediate = await ca('tls-stack test intermediate', root);
  let serial = 16;
  return {
    ca: root.cert.toString('pem'),
    async leaf(names, opts = {}) {
      const keys = opts.rsaBits
        ? await webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: opts.rsaBits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']) as CryptoKeyPair
        : await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as CryptoKeyPair;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16), subject: `CN=${names[0]}`, issuer: intermediate.cert.subject,
        notBefore: new Date(Date.now() - (opts.expired ? 10 : 1) * DAY), notAfter: new Date(Date.now() + (opts.expired ? -DAY : 90 * DAY)),
        signingKey: intermediate.keys.privateKey as any, publicKey: keys.publicKey as any, signingAlgorithm: { ...EC, hash: opts.sha1 ? 'SHA-1' : 'SHA-256' },
        extensions: [
          new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: net.isIP(n) ? 'ip' : 'dns', value: n }))),
          new x509.ExtendedKeyUsageExtension([opts.clientAuth ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (opts.rsaBits ? x509.KeyUsageFlags.keyEncipherment : 0), true),
        ],
      });
      return {
        cert: [cert, ...(opts.noIntermediate ? [] : [intermediate.cert])].map((c) => c.toString('pem')).join('\n'),
        key: await pemKey(keys),
        weak: !!opts.sha1 || (opts.rsaBits ?? 2048) < 2048,
      };
    },
  };
}

/** How a test server misbehaves. */
export interface Faults {
  tls10?: boolean;
  /**
   * TLS 1.0 and 1.1 on, and this one suite (OpenSSL name) added to the profile's: the profile's suites are all TLS 1.2
   * AEAD, so the old versions can negotiate this suite and no other.
   */
  tls10With?: string;
  noHsts?: boolean;
  redirect302?: boolean;
  mtlsNotEnforced?: boolean;
  /** TLS 1.2 suites accepted on top of the profile's (OpenSSL names, colon-separated). */
  extraCiphers?: string;
  /** TLS 1.3 suites (OpenSSL names, colon-separated) instead of OpenSSL's default three. Node only. */
  tls13Ciphers?: string;
  /** GET / answers one byte every 100 ms, forever: never idle, never done. Node only. */
  drip?: boolean;
  /** 24 KiB of extra response headers (Node's client reads 16 KiB by default; curl reads them). Node only. */
  hugeHeaders?: boolean;
  /** The same 24 KiB of extra headers on the WebSocket upgrade's 101 response. Node only. */
  hugeUpgradeHeaders?: boolean;
  /** X-XSS-Protection: 1; mode=block (the legacy filter, itself an XSS vector). Node only. */
  xssBlock?: boolean;
  /** The plain-HTTP port also upgrades WebSockets on /ws. Node only. */
  wsPlaintext?: boolean;
  /**
   * Every connection to the HTTPS port waits this long before the server reads it (a proxy in front), so each
   * handshake takes that much longer: a far-away host. Node only.
   */
  slowHandshakeMs?: number;
}

/** Where to start a server and how it misbehaves. */
export interface StackOptions {
  faults?: Faults;
  mtlsCa?: string;
  /** Listen address. @default 127.0.0.1 */
  listen?: string;
}

export interface RunningStack { httpsPort: number; httpPort: number; close(): Promise<void> }

export const HEADERS = new SecurityHeaders('test', 'headers');

const tls12Ciphers = (f: Faults, leaf: Leaf) =>
  (f.tls10 ? 'DEFAULT@SECLEVEL=0' : [...TlsProfile.INTERMEDIATE.ciphers, ...[f.extraCiphers, f.tls10With].filter((c) => c)].join(':')
    + (leaf.weak || f.tls10With ? ':@SECLEVEL=0' : ''));
/** Whether the fault turns TLS 1.0 and 1.1 on. */
const oldProtocols = (f: Faults) => !!(f.tls10 || f.tls10With);

/** The Node stack: https (+ WSS echo on /ws) and an http server that redirects. */
export async function startNodeStack(leaf: Leaf, opts: StackOptions = {}): Promise<RunningStack> {
  const f = opts.faults ?? {};
  const host = opts.listen ?? '127.0.0.1';
  const drips = new Set<NodeJS.Timeout>();
  const server = https.createServer({
    cert: leaf.cert, key: leaf.key,
    minVersion: oldProtocols(f) ? 'TLSv1' : 'TLSv1.2',
    ciphers: `${tls12Ciphers(f, leaf)}${f.tls13Ciphers ? `:${f.tls13Ciphers}` : ''}`,
    ...(opts.mtlsCa ? { ca: opts.mtlsCa, requestCert: true, rejectUnauthorized: !f.mtlsNotEnforced } : {}),
  }, (req, res) => {
    if (f.drip && req.url === '/') {
      const stream = `HTTP/1.1 200 OK\r\n${'X-Drip: 1\r\n'.repeat(10_000)}`;
      let i = 0;
      const timer = setInterval(() => req.socket.write(stream[i++]), 100);
      drips.add(timer);
      req.socket.on('close', () => { clearInterval(timer); drips.delete(timer); });
      return;
    }
    if (!f.noHsts) res.setHeader('Strict-Transport-Security', HEADERS.hstsValue!);
    for (const [k, v] of Object.entries(HEADERS.headers)) res.setHeader(k, v);
    if (f.xssBlock) res.setHeader('X-XSS-Protection', '1; mode=block');
    if (f.hugeHeaders) for (let i = 0; i < 24; i++) res.setHeader(`X-Padding-${i}`, 'x'.repeat(1024));
    res.end('ok');
  });
  server.on('tlsClientError', () => undefined);
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(String(m))));
  if (f.hugeUpgradeHeaders) wss.on('headers', (headers) => { for (let i = 0; i < 24; i++) headers.push(`X-Padding-${i}: ${'x'.repeat(1024)}`); });
  await new Promise<void>((r) => server.listen(0, host, r));
  const delay = f.slowHandshakeMs ? await startDelayProxy((server.address() as AddressInfo).port, host, f.slowHandshakeMs) : undefined;
  const httpsPort = delay?.port ?? (server.address() as AddressInfo).port;
  const redirect = http.createServer((req, res) => {
    res.writeHead(f.redirect302 ? 302 : 308, { location: `https://${new URL(`http://${req.headers.host}`).hostname}:${httpsPort}${req.url}` }).end();
  });
  const plainWss = f.wsPlaintext ? new WebSocketServer({ server: redirect, path: '/ws' }) : undefined;
  plainWss?.on('connection', (ws) => ws.on('message', (m) => ws.send(String(m))));
  await new Promise<void>((r) => redirect.listen(0, host, r));
  return {
    httpsPort, httpPort: (redirect.address() as AddressInfo).port,
    close: async () => {
      for (const t of drips) clearInterval(t);
      for (const c of [...wss.clients, ...plainWss?.clients ?? []]) c.terminate();
      server.closeAllConnections();
      redirect.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => redirect.close(r)), delay?.close()]);
    },
  };
}

/** A TCP proxy on `host` to `port` that holds each connection `ms` before passing bytes either way. */
async function startDelayProxy(port: number, host: string, ms: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const proxy = net.createServer((client) => {
    client.pause();
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      client.pipe(upstream);
      upstream.pipe(client);
    }, ms);
    timers.add(timer);
  });
  await new Promise<void>((r) => proxy.listen(0, host, r));
  return {
    port: (proxy.address() as AddressInfo).port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => proxy.close(r));
    },
  };
}

/**
 * A host whose TCP connect takes 3 s, then never sends a byte. A child process listens (backlog 1) and stops
 * accepting for `holdMs`, while two connections of ours fill its accept queue: the kernel drops the SYNs that
 * arrive meanwhile, and a client's retransmitted SYN (1 s after the first, then every 1 or 2 s depending on the
 * kernel) connects once it accepts again: at 3 s for both schedules with the default hold of 2500 ms.
 */
export async function startSlowConnectServer(holdMs = 2500): Promise<RunningStack> {
  const child = spawn(process.execPath, ['-e', `
    const net = require('net');
    const server = net.createServer((s) => s.on('error', () => undefined));
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(server.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${holdMs});
    });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`startSlowConnectServer: the child exited (${code})`)));
  });
  const fillers = await Promise.all([1, 2].map(() => new Promise<net.Socket>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  })));
  return {
    httpsPort: port, httpPort: port,
    close: async () => {
      for (const s of fillers) s.destroy();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A TCP server that accepts connections and never sends a byte: a host that hangs. */
export async function startSilentServer(): Promise<RunningStack> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    httpsPort: port, httpPort: port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Whether this machine has the IPv6 loopback address (some containers do not). */
export const hasIpv6Loopback = () => Object.values(os.networkInterfaces()).flat().some((i) => i?.address === '::1');

export const hasNginx = () => spawnSync('nginx', ['-v'], { encoding: 'utf8' }).status === 0;

/** A loopback port nothing listens on (just closed). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** `n` distinct free ports: each stays taken until all are found (one after another, the kernel can hand out one twice). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, async () => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return s;
  }));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** nginx (Debian's package) on loopback, configured like our ingress-nginx edge: or with a fault. */
export async function startNginx(leaf: Leaf, opts: StackOptions = {}): Promise<RunningStack> {
  const f = opts.faults ?? {};
  if (f.tls13Ciphers || f.drip || f.hugeHeaders || f.hugeUpgradeHeaders || f.slowHandshakeMs || f.xssBlock || f.wsPlaintext || opts.listen) throw new Error('startNginx: that fault or address is only built into the Node stack');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-'));
  const backend = http.createServer((_q, s) => s.end('ok'));
  const wss = new WebSocketServer({ server: backend, path: '/ws' });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(String(m))));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const backendPort = (backend.address() as AddressInfo).port;
  const [httpsPort, httpPort] = await freePorts(2);
  fs.writeFileSync(path.join(dir, 'tls.crt'), leaf.cert);
  fs.writeFileSync(path.join(dir, 'tls.key'), leaf.key, { mode: 0o600 });
  if (opts.mtlsCa) fs.writeFileSync(path.join(dir, 'ca.crt'), opts.mtlsCa);
  // A weak leaf only loads at security level 0, which must hold before nginx reads the certificate.
  fs.writeFileSync(path.join(dir, 'openssl.cnf'), leaf.weak
    ? 'openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\nCipherString = DEFAULT@SECLEVEL=0\n'
    : '');
  const headers = [...(f.noHsts ? [] : [['Strict-Transport-Security', HEADERS.hstsValue!]]), ...Object.entries(HEADERS.headers)]
    .map(([k, v]) => `    add_header ${k} "${v.replace(/"/g, '\\"')}" always;`).join('\n');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${httpPort};
    return ${f.redirect302 ? 302 : 308} https://$host:${httpsPort}$request_uri;
  }
  server {
    listen 127.0.0.1:${httpsPort} ssl;
    ssl_certificate ${dir}/tls.crt;
    ssl_certificate_key ${dir}/tls.key;
    ssl_protocols ${oldProtocols(f) ? 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3' : TlsProfile.INTERMEDIATE.protocols.join(' ')};
    ssl_ciphers ${tls12Ciphers(f, leaf)};
    ${opts.mtlsCa ? `ssl_client_certificate ${dir}/ca.crt; ssl_verify_depth 2; ssl_verify_client ${f.mtlsNotEnforced ? 'optional' : 'on'};` : ''}
${headers}
    location / { proxy_pass http://127.0.0.1:${backendPort}; }
    location /ws {
      proxy_pass http://127.0.0.1:${backendPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 3600s;
    }
  }
}
`);
  const proc: ChildProcess = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(leaf.weak ? { OPENSSL_CONF: path.join(dir, 'openssl.cnf') } : {}) },
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  // Wait until it listens (bounded).
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((r) => { const s = net.connect(httpsPort, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (up) break;
    if (i > 100 || proc.exitCode !== null) throw new Error(`nginx did not start: ${stderr}${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    httpsPort, httpPort,
    close: async () => {
      proc.kill('SIGQUIT');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => backend.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
