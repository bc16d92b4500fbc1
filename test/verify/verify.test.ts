import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckResult, HostExpectation, verifyHost } from '../../lib/verify';
import { TlsProfile } from '../../lib/policy/tls-profiles';
import { Faults, HEADERS, Leaf, RunningStack, TestPki, hasNginx, makePki, startNginx, startNodeStack } from './servers';

jest.setTimeout(60_000);
const HOST = 'app.tls-stack.test';

let pki: TestPki;
let good: Leaf;
let client: Leaf;
beforeAll(async () => {
  pki = await makePki();
  good = await pki.leaf([HOST]);
  client = await pki.leaf(['web-server'], { clientAuth: true });
});

const expectation = (s: RunningStack, extra: Partial<HostExpectation> = {}): HostExpectation => ({
  host: HOST, address: '127.0.0.1', httpsPort: s.httpsPort, httpPort: s.httpPort, profile: TlsProfile.INTERMEDIATE,
  hsts: HEADERS.hstsValue, headers: HEADERS.headers, websocketPaths: ['/ws'], key: { algorithm: 'ECDSA', size: 256 }, ...extra,
});
const failed = (results: CheckResult[]) => results.filter((r) => r.status === 'fail').map((r) => r.check).sort();

describe.each([
  ['node https + ws', startNodeStack, true],
  ['nginx', startNginx, hasNginx()],
])('verify against %s on 127.0.0.1', (_name, start, available) => {
  const maybe = available ? test : test.skip;

  maybe('the correct configuration passes every check', async () => {
    const s = await start(good);
    try {
      const results = await verifyHost(expectation(s), { ca: pki.ca });
      expect(failed(results)).toEqual([]);
      const byCheck = Object.fromEntries(results.map((r) => [r.check, r]));
      expect(byCheck['tls.TLSv1'].detail).toMatch(/refused/);
      expect(byCheck['tls.TLSv1.3'].status).toBe('pass');
      expect(byCheck['tls.cipher'].detail).toMatch(/ECDHE-ECDSA-AES(128|256)-GCM/);
      expect(byCheck['http.redirect'].detail).toMatch(/^308 → https:\/\/app\.tls-stack\.test:/);
      expect(byCheck['http.hsts'].detail).toBe('max-age=31536000; includeSubDomains');
      expect(byCheck['ws.upgrade /ws'].detail).toBe('101, message echoed');
      expect(byCheck['ws.plaintext /ws'].status).toBe('pass');
      expect(byCheck['tls.chain'].status).toBe('pass');
    } finally {
      await s.close();
    }
  });

  const faults: Array<[string, Faults | 'expired' | 'wrong-san', string[]]> = [
    ['TLS 1.0 enabled', { tls10: true }, ['tls.TLSv1', 'tls.TLSv1.1', 'tls.weak-ciphers']],
    ['missing HSTS', { noHsts: true }, ['http.hsts']],
    ['302 redirect', { redirect302: true }, ['http.redirect']],
    ['expired certificate', 'expired', ['tls.chain', 'tls.expiry']],
    ['certificate for another name', 'wrong-san', ['tls.chain', 'tls.san']],
  ];
  maybe.each(faults)('names the fault: %s', async (_label, fault, expected) => {
    const leaf = fault === 'expired' ? await pki.leaf([HOST], { expired: true }) : fault === 'wrong-san' ? await pki.leaf(['other.tls-stack.test']) : good;
    const s = await start(leaf, { faults: typeof fault === 'object' ? fault : {} });
    try {
      const f = failed(await verifyHost(expectation(s), { ca: pki.ca }));
      expect(f).toEqual(expect.arrayContaining(expected));
      // and nothing unrelated
      expect(f.filter((c) => !expected.includes(c))).toEqual([]);
    } finally {
      await s.close();
    }
  });

  maybe('mTLS: enforced passes (rejected without, accepted with a client certificate); not enforced is named', async () => {
    const enforced = await start(good, { mtlsCa: pki.ca });
    try {
      const r = await verifyHost(expectation(enforced, { clientAuth: true, websocketPaths: [] }), { ca: pki.ca, clientCert: client.cert, clientKey: client.key });
      expect(r.find((x) => x.check === 'mtls.without-certificate')!.status).toBe('pass');
      expect(r.find((x) => x.check === 'mtls.with-certificate')!.status).toBe('pass');
    } finally {
      await enforced.close();
    }
    const loose = await start(good, { mtlsCa: pki.ca, faults: { mtlsNotEnforced: true } });
    try {
      const r = await verifyHost(expectation(loose, { clientAuth: true, websocketPaths: [] }), { ca: pki.ca, clientCert: client.cert, clientKey: client.key });
      expect(failed(r)).toEqual(['mtls.without-certificate']);
    } finally {
      await loose.close();
    }
  });
});

describe('npm run verify', () => {
  test('table by default, --json for CI, exit 1 on a failure; --insecure is reported', async () => {
    const s = await startNodeStack(good, { faults: { noHsts: true } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), pki.ca);
    const root = path.join(__dirname, '..', '..');
    const run = (...args: string[]) => new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'verify.ts'), '--url', `https://${HOST}:${s.httpsPort}`, '--resolve', `${HOST}=127.0.0.1`, '--http-port', String(s.httpPort), '--timeout', '3000', ...args], { cwd: root });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d; });
      p.on('exit', (status: number | null) => resolve({ status, stdout: out }));
    });
    try {
      const table = await run('--ca', path.join(dir, 'ca.pem'));
      expect(table.status).toBe(1);
      expect(table.stdout).toMatch(/http\.hsts\s+FAIL\s+missing/);
      expect(table.stdout).toMatch(/\d+ passed, 1 failed/);
      const json = await run('--ca', path.join(dir, 'ca.pem'), '--json');
      const parsed = JSON.parse(json.stdout);
      expect(parsed.insecure).toBe(false);
      expect(parsed.results.filter((r: any) => r.status === 'fail').map((r: any) => r.check)).toEqual(['http.hsts']);
      const insecure = await run('--insecure', '--json');
      const ip = JSON.parse(insecure.stdout);
      expect(ip.insecure).toBe(true);
      expect(ip.results.find((r: any) => r.check === 'tls.chain')).toMatchObject({ status: 'warn', detail: expect.stringContaining('--insecure') });
      // without --ca the test CA is unknown: the chain fails rather than being skipped
      const untrusted = JSON.parse((await run('--json')).stdout);
      expect(untrusted.results.find((r: any) => r.check === 'tls.chain').status).toBe('fail');
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true });
    }
  });
});
