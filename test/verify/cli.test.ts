import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TlsProfile } from '../../lib/policy/tls-profiles';
import { VERIFY_HELP } from '../../lib/cli/verify';
import { verifyHost } from '../../lib/verify';
import { HOST } from './faults';
import { byCheck, cli, client, dir, good, json, only, pki, usePki, withServer } from './fixture';
import { freePort, hasIpv6Loopback, startNodeStack, startSilentServer, startSlowConnectServer } from './servers';
import { available } from '../tools';

// verify through its command lines (cdk8s-tls verify, npm run verify): usage, exit codes, targets, time limits.
jest.setTimeout(30_000);
usePki();

describe('cdk8s-tls verify', () => {
  // The tests with a server run concurrently (each its own server and ports): most of their time is waiting on time
  // limits (the slow connect alone is 4 s of --timeout), which then overlaps.
  test('--help, and usage errors exit 2 with one line and no stack trace', async () => {
    const help = await cli('--help');
    expect(help).toMatchObject({ code: 0, stdout: `${VERIFY_HELP}\n`, stderr: '' });
    expect(help.stdout).toMatch(/--deadline MS/);
    for (const args of [[], ['--url', 'http://x.test'], ['--url', 'not a url'], ['--url', 'https://x.test', '--timeout', 'soon'],
      ['--url', 'https://x.test', '--deadline', '0'], ['--url', 'https://x.test', '--https-port', '70000'], ['--bogus'],
      ['--url', 'https://x.test', '--timeout', '3000000000'], ['--url', 'https://x.test/', 'https://y.test/'],
      ['--url', 'https://x.test', '--client-cert', 'c.pem']]) {
      const r = await cli(...args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(/^cdk8s-tls verify: .+ \(see cdk8s-tls verify --help\)\n$/);
    }
  });

  test('verifyHost refuses a time limit setTimeout cannot keep (it would fire at once)', async () => {
    const exp = { host: HOST, address: '127.0.0.1', httpsPort: await freePort(), profile: TlsProfile.INTERMEDIATE, headers: {} };
    for (const timeoutMs of [3_000_000_000, 0, 1.5]) {
      await expect(verifyHost(exp, { timeoutMs })).rejects.toThrow(`timeoutMs ${timeoutMs}: give whole milliseconds from 1 to 2147483647`);
    }
  });

  test('--ca, --client-cert and --client-key are checked first: a bad file is one line naming the option, the file and the fix, exit 2', async () => {
    const file = (name: string, content: string) => {
      fs.writeFileSync(path.join(dir, name), content);
      return path.join(dir, name);
    };
    const garbage = file('garbage.pem', 'not a certificate\n');
    const [cert, key, otherKey] = [file('client.pem', client.cert), file('client.key', client.key), file('other.key', good.key)];
    const ca = path.join(dir, 'ca.pem');
    const url = ['--url', `https://127.0.0.1:${await freePort()}/`, '--timeout', '2000'];
    const cases: Array<[string[], string]> = [
      [['--ca', garbage], `--ca ${garbage}: no PEM certificate in it (-----BEGIN CERTIFICATE-----); give the CA certificate in PEM (a DER file converts with openssl x509 -inform der -in FILE -out FILE.pem)`],
      [['--ca', dir], `--ca ${dir}: is a directory; give a PEM file in it`],
      [['--ca', ca, '--client-cert', garbage, '--client-key', key], `--client-cert ${garbage}: no PEM certificate in it (-----BEGIN CERTIFICATE-----); give the client certificate in PEM (a DER file converts with openssl x509 -inform der -in FILE -out FILE.pem)`],
      [['--client-cert', cert, '--client-key', garbage], `--client-key ${garbage}: not a PEM private key; give the key of --client-cert in PEM (-----BEGIN PRIVATE KEY-----)`],
      [['--client-cert', cert, '--client-key', dir], `--client-key ${dir}: is a directory; give a PEM file in it`],
      [['--client-cert', cert, '--client-key', otherKey], `--client-key ${otherKey} does not match --client-cert ${cert}: give the key the certificate was issued for`],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...url, ...args);
      expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, code: 2, stdout: '', stderr: `cdk8s-tls verify: ${message} (see cdk8s-tls verify --help)\n` });
    }
    // The right files are taken: the run goes on (and finds nothing listening).
    const ok = await cli(...url, '--ca', ca, '--client-cert', cert, '--client-key', key);
    expect(ok).toMatchObject({ code: 1, stderr: '', stdout: expect.stringContaining('ECONNREFUSED') });
  });

  test.concurrent('--https-port applies to a --url target; the redirect must point at it', async () => {
    await withServer(startNodeStack(good), async (s) => {
      const r = await cli('--url', `https://${HOST}/`, '--https-port', String(s.httpsPort), '--http-port', String(s.httpPort),
        '--resolve', `${HOST}=127.0.0.1`, '--ca', path.join(dir, 'ca.pem'), '--json');
      expect(r.code).toBe(0);
      const results = byCheck(json(r.stdout));
      expect(results['tcp.connect'].detail).toBe(`127.0.0.1:${s.httpsPort} for ${HOST}`);
      expect(results['http.redirect'].detail).toBe(`308 → https://${HOST}:${s.httpsPort}/tls-stack-verify?probe=1`);
    });
  });

  (available('IPv6 loopback (::1)', hasIpv6Loopback(), 'give the machine an ::1 address') ? test.concurrent : test.concurrent.skip)('an IPv6 literal URL: no brackets in DNS, SNI or the SAN check; brackets in Host, Location and ws URLs', async () => {
    const leaf = await pki.leaf(['::1']);
    await withServer(startNodeStack(leaf, { listen: '::1' }), async (s) => {
      const r = await cli('--url', `https://[::1]:${s.httpsPort}/`, '--http-port', String(s.httpPort), '--ws', '/ws', '--ca', path.join(dir, 'ca.pem'), '--json');
      const results = json(r.stdout);
      expect(only(results, 'fail')).toEqual([]);
      expect(only(results, 'error')).toEqual([]);
      expect(r.code).toBe(0);
      const c = byCheck(results);
      expect(c['tcp.connect'].detail).toBe(`[::1]:${s.httpsPort}`);
      expect(c['tls.san'].detail).toMatch(/^covers ::1 \(IP Address:0:0:0:0:0:0:0:1\)/);
      expect(c['http.redirect'].detail).toBe(`308 → https://[::1]:${s.httpsPort}/tls-stack-verify?probe=1`);
      expect(c['ws.upgrade /ws'].detail).toBe('101, message echoed');
    });
  });

  test.concurrent('unreachable: a closed port or a name that does not resolve could not be checked — exit 1, nothing passes', async () => {
    const closed = await cli('--url', `https://127.0.0.1:${await freePort()}/`, '--timeout', '2000');
    expect(closed.code).toBe(1);
    expect(closed.stdout).toMatch(/tcp\.connect\s+ERROR\s+could not run any check: nothing listens on 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(closed.stdout).toMatch(/^0 passed, 0 failed, 1 could not run, 0 warnings, 0 skipped$/m);
    const unknown = await cli('--url', 'https://no-such-host.invalid/', '--timeout', '2000', '--json');
    expect(unknown.code).toBe(1);
    expect(json(unknown.stdout)).toEqual([{ host: 'no-such-host.invalid', check: 'tcp.connect', status: 'error', detail: expect.stringMatching(/does not resolve \((ENOTFOUND|EAI_AGAIN)\)|did not answer/) }]);
  });

  test.concurrent('a host that accepts and never answers: every probe stops at --timeout, all at once; --deadline stops the run', async () => {
    await withServer(startSilentServer(), async (s) => {
      const args = ['--url', `https://${HOST}:${s.httpsPort}/`, '--resolve', `${HOST}=127.0.0.1`, '--http-port', String(s.httpPort), '--ws', '/ws', '--json'];
      const hung = await cli(...args, '--timeout', '500');
      expect(hung.code).toBe(1);
      // Margins that hold on a loaded machine: probes one after another would take 22 × 500 ms.
      expect(hung.ms).toBeLessThan(500 + 5000);
      const results = json(hung.stdout);
      expect(only(results, 'pass')).toEqual(['tcp.connect']);
      expect(only(results, 'fail')).toEqual([]);
      expect(results.filter((r) => r.status === 'error').every((r) => /no complete answer within 500 ms/.test(r.detail))).toBe(true);
      const stopped = await cli(...args, '--timeout', '20000', '--deadline', '300');
      expect(stopped.code).toBe(1);
      expect(stopped.ms).toBeLessThan(300 + 5000); // without the deadline: 20 s
      expect(json(stopped.stdout).find((r) => r.check === 'tls.TLSv1.3')).toMatchObject({ status: 'error', detail: expect.stringContaining("whole run's --deadline (300 ms)") });
    });
  });

  test.concurrent('a host whose TCP connect takes 3 s, then never answers: done within --timeout, connect included', async () => {
    await withServer(startSlowConnectServer(3000), async (s) => {
      const r = await cli('--url', `https://${HOST}:${s.httpsPort}/`, '--resolve', `${HOST}=127.0.0.1`, '--http-port', String(s.httpPort), '--ws', '/ws', '--timeout', '4500', '--json');
      expect(r.code).toBe(1);
      // Margins that hold on a loaded machine: the connect needs 3 s of the 4.5 s, and with the connect on top of the
      // budget the run would take 7.5 s.
      expect(r.ms).toBeLessThan(4500 + 2000);
      const results = json(r.stdout);
      expect(only(results, 'pass')).toEqual(['tcp.connect']);
      expect(only(results, 'fail')).toEqual([]);
      expect(results.filter((x) => x.status === 'error').every((x) => /no complete answer within 4500 ms/.test(x.detail))).toBe(true);
    });
  });

  test.concurrent('--insecure is reported on the chain result; without --ca a private CA fails the chain', async () => {
    await withServer(startNodeStack(good), async (s) => {
      const args = ['--url', `https://${HOST}:${s.httpsPort}`, '--resolve', `${HOST}=127.0.0.1`, '--http-port', String(s.httpPort), '--json'];
      const insecure = await cli(...args, '--insecure');
      expect(JSON.parse(insecure.stdout).insecure).toBe(true);
      expect(byCheck(json(insecure.stdout))['tls.chain']).toMatchObject({ status: 'warn', detail: expect.stringContaining('--insecure') });
      const untrusted = await cli(...args);
      expect(untrusted.code).toBe(1);
      expect(only(json(untrusted.stdout), 'fail')).toEqual(['tls.chain']);
      expect(byCheck(json(untrusted.stdout))['tls.chain'].detail).toMatch(/^invalid: UNABLE_TO_GET_ISSUER_CERT_LOCALLY — .*give --ca/);
    });
  });
});

describe('npm run verify', () => {
  const root = path.join(__dirname, '..', '..');
  const tsNode = require.resolve('ts-node/dist/bin');
  /** `npm run verify -- ARGS` (charts/verify.ts, through ts-node) in a child process. */
  const npmRunVerify = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [tsNode, path.join(root, 'charts', 'verify.ts'), ...args], { cwd: root });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d; });
    p.stderr.on('data', (d: Buffer) => { err += d; });
    // 'close', not 'exit': a process can exit before its last output has reached the pipes' readers.
    p.on('close', (status: number | null) => resolve({ status, stdout: out, stderr: err }));
  });

  // Concurrent: child processes, which run side by side.
  test.concurrent('--help lists --env with the environments; an unknown one is a usage error', async () => {
    const [help, unknown] = await Promise.all([npmRunVerify('--help'), npmRunVerify('--env', 'nope')]);
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: npm run verify -- --env NAME \| --url /);
    expect(help.stdout).toMatch(/^ {2}--env NAME {14}every public host of environment NAME \(dev, staging, prod\), as its spec says$/m);
    expect(unknown).toEqual({ status: 2, stdout: '', stderr: 'npm run verify: --env nope: no such environment (dev, staging, prod) (see npm run verify -- --help)\n' });
  });

  test.concurrent('table by default, --json is JSON only, exit 1 on a failure', async () => {
    await withServer(startNodeStack(good, { faults: { noHsts: true } }), async (s) => {
      const run = (...args: string[]) => npmRunVerify('--url', `https://${HOST}:${s.httpsPort}`, '--resolve', `${HOST}=127.0.0.1`, '--http-port', String(s.httpPort), '--timeout', '3000', '--ca', path.join(dir, 'ca.pem'), ...args);
      const [table, asJson] = await Promise.all([run(), run('--json')]);
      expect(table.status).toBe(1);
      expect(table.stdout).toMatch(/http\.hsts\s+FAIL\s+missing/);
      expect(table.stdout).toMatch(/^\d+ passed, 1 failed, 0 could not run, 0 warnings, 0 skipped$/m);
      expect(asJson.status).toBe(1);
      const parsed = JSON.parse(asJson.stdout);
      expect(parsed.insecure).toBe(false);
      expect(only(parsed.results, 'fail')).toEqual(['http.hsts']);
    });
  });
  test.concurrent('a --url run loads the verifier alone: neither cdk8s nor constructs, nor the environments', async () => {
    // What charts/verify.ts and `cdk8s-tls verify` load for a --url run, printed by a hook as the process exits.
    const hook = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verify-load-')), 'hook.js');
    fs.writeFileSync(hook, "process.on('exit', () => process.stderr.write(JSON.stringify(Object.keys(require.cache))));");
    await Promise.all([path.join(root, 'charts', 'verify.ts'), path.join(root, 'lib', 'cli', 'index.ts')].map(async (entry) => {
      const p = spawn(process.execPath, ['--require', hook, tsNode, entry,
        ...(entry.endsWith('index.ts') ? ['verify'] : []), '--url', `https://127.0.0.1:${await freePort()}/`, '--timeout', '300'], { cwd: root });
      let err = '';
      p.stderr.on('data', (d: Buffer) => { err += d; });
      await new Promise((resolve) => p.on('close', resolve));
      const loaded: string[] = JSON.parse(err.slice(err.lastIndexOf('["')));
      expect(loaded.some((f) => f.endsWith(path.join('lib', 'verify', 'index.ts')))).toBe(true);
      expect(loaded.filter((f) => f !== entry && /node_modules[\\/](cdk8s|constructs|cdk8s-plus-27)[\\/]|charts[\\/]/.test(f))).toEqual([]);
    }));
  });
});
