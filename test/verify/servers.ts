// Test-only PKI and real servers on 127.0.0.1: a Node https + ws stack and nginx (when installed).
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
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

async function pemKey(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as any));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

export interface Leaf { cert: string; key: string }
export interface TestPki {
  ca: string;
  leaf(names: string[], opts?: { expired?: boolean; clientAuth?: boolean }): Promise<Leaf>;
}

/** A throwaway CA that signs ECDSA P-256 leaves (server or client). */
export async function makePki(): Promise<TestPki> {
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=tls-stack test CA', notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY), keys: caKeys as any, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  let serial = 2;
  return {
    ca: caCert.toString('pem'),
    async leaf(names, opts = {}) {
      const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
      const notBefore = new Date(Date.now() - (opts.expired ? 10 : 1) * DAY);
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'), subject: `CN=${names[0]}`, issuer: caCert.subject,
        notBefore, notAfter: new Date(Date.now() + (opts.expired ? -DAY : 90 * DAY)), signingKey: caKeys.privateKey as any, publicKey: keys.publicKey as any, signingAlgorithm: ALG,
        extensions: [
          new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: /^[\d.]+$/.test(n) ? 'ip' : 'dns', value: n }))),
          new x509.ExtendedKeyUsageExtension([opts.clientAuth ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        ],
      });
      return { cert: cert.toString('pem') + '\n' + caCert.toString('pem'), key: await pemKey(keys) };
    },
  };
}

/** How a test server misbehaves. */
export interface Faults {
  tls10?: boolean;
  noHsts?: boolean;
  redirect302?: boolean;
  mtlsNotEnforced?: boolean;
}

export interface RunningStack { httpsPort: number; httpPort: number; close(): Promise<void> }

export const HEADERS = new SecurityHeaders('test', 'headers');

/** The Node stack: https (+ WSS echo on /ws) and an http server that redirects. */
export async function startNodeStack(leaf: Leaf, opts: { faults?: Faults; mtlsCa?: string } = {}): Promise<RunningStack> {
  const f = opts.faults ?? {};
  const server = https.createServer({
    cert: leaf.cert, key: leaf.key,
    minVersion: f.tls10 ? 'TLSv1' : 'TLSv1.2',
    ciphers: f.tls10 ? 'DEFAULT@SECLEVEL=0' : TlsProfile.INTERMEDIATE.ciphers.join(':'),
    ...(opts.mtlsCa ? { ca: opts.mtlsCa, requestCert: true, rejectUnauthorized: !f.mtlsNotEnforced } : {}),
  }, (_req, res) => {
    if (!f.noHsts) res.setHeader('Strict-Transport-Security', HEADERS.hstsValue!);
    for (const [k, v] of Object.entries(HEADERS.headers)) res.setHeader(k, v);
    res.end('ok');
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(String(m))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const httpsPort = (server.address() as AddressInfo).port;
  const redirect = http.createServer((req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    res.writeHead(f.redirect302 ? 302 : 308, { location: `https://${host}:${httpsPort}${req.url}` }).end();
  });
  await new Promise<void>((r) => redirect.listen(0, '127.0.0.1', r));
  return {
    httpsPort, httpPort: (redirect.address() as AddressInfo).port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => redirect.close(r))]);
      server.closeAllConnections?.();
    },
  };
}

export const hasNginx = () => spawnSync('nginx', ['-v'], { encoding: 'utf8' }).status === 0;

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** nginx (Debian's package) on loopback, configured like our ingress-nginx edge: or with a fault. */
export async function startNginx(leaf: Leaf, opts: { faults?: Faults; mtlsCa?: string } = {}): Promise<RunningStack> {
  const f = opts.faults ?? {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-'));
  const backend = http.createServer((_q, s) => s.end('ok'));
  const wss = new WebSocketServer({ server: backend, path: '/ws' });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(String(m))));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const backendPort = (backend.address() as AddressInfo).port;
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(dir, 'tls.crt'), leaf.cert);
  fs.writeFileSync(path.join(dir, 'tls.key'), leaf.key, { mode: 0o600 });
  if (opts.mtlsCa) fs.writeFileSync(path.join(dir, 'ca.crt'), opts.mtlsCa);
  const headers = [...(f.noHsts ? [] : [['Strict-Transport-Security', HEADERS.hstsValue!]]), ...Object.entries(HEADERS.headers)]
    .map(([k, v]) => `    add_header ${k} "${v.replace(/"/g, '\\"')}" always;`).join('\n');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
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
    ssl_protocols ${f.tls10 ? 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3' : TlsProfile.INTERMEDIATE.protocols.join(' ')};
    ssl_ciphers ${f.tls10 ? 'DEFAULT@SECLEVEL=0' : TlsProfile.INTERMEDIATE.ciphers.join(':')};
    ${opts.mtlsCa ? `ssl_client_certificate ${dir}/ca.crt; ssl_verify_client ${f.mtlsNotEnforced ? 'optional' : 'on'};` : ''}
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
  const proc: ChildProcess = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  // Wait until it listens (bounded).
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((r) => { const s = net.connect(httpsPort, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (up) break;
    if (i > 100 || proc.exitCode !== null) throw new Error(`nginx did not start: ${stderr}${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`);
    await new Promise((r) => setTimeout(r, 50));
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
