import { verifyHost } from '../../lib/verify';
import { TlsProfile } from '../../lib/policy/tls-profiles';
import { MOZILLA_TLS13, offerableSuites } from '../../lib/verify/suites';
import { FAULTS, HEADER_CHECKS } from './faults';
import { byCheck, client, expectation, good, leafFor, only, pki, usePki, withServer } from './fixture';
import { Leaf, RunningStack, StackOptions, hasNginx, startNginx, startNodeStack } from './servers';
import { available } from '../tools';

// The fault matrix: every fault against the Node https + ws stack and nginx, named by its own check and nothing else.
// The command line, time limits and targets are in cli.test.ts (a file of their own, so the two run side by side).
jest.setTimeout(30_000);
usePki();

describe.each([
  ['node https + ws', startNodeStack, true],
  ['nginx', startNginx, available('nginx', hasNginx(), 'apt-get install nginx')],
])('verify against %s on 127.0.0.1', (name, start: (leaf: Leaf, o?: StackOptions) => Promise<RunningStack>, available) => {
  const maybe = available ? test : test.skip;

  maybe('the correct configuration passes every check', async () => {
    const results = await withServer(start(good), (s) => verifyHost(expectation(s), { ca: pki.ca }));
    expect(only(results, 'fail')).toEqual([]);
    expect(only(results, 'error')).toEqual([]);
    const r = byCheck(results);
    expect(r['tcp.connect'].detail).toMatch(/^127\.0\.0\.1:\d+ for app\.tls-stack\.test$/);
    expect(r['tls.TLSv1'].detail).toMatch(/^refused/);
    expect(r['tls.TLSv1.3'].status).toBe('pass');
    expect(r['tls.TLSv1.2'].detail).toMatch(/^accepted \(ECDHE-ECDSA-AES(128|256)-GCM/);
    const suites = offerableSuites();
    const outside = suites.tls12.filter((c) => !TlsProfile.INTERMEDIATE.ciphers.includes(c)).length + suites.tls13.filter((c) => !MOZILLA_TLS13.includes(c)).length;
    // One ClientHello per group of suites, each refused.
    expect(r['tls.ciphers'].detail).toMatch(new RegExp(`^refused all ${outside} suites outside mozilla-intermediate-6.0 and Mozilla's 3 TLS 1.3 suites \\(offered in 9 groups, 9 handshakes\\)$`));
    expect(suites.tls12).toEqual(expect.arrayContaining(['CAMELLIA256-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES256-SHA']));
    expect(r['tls.chain'].detail).toBe('valid, issued by tls-stack test intermediate');
    expect(r['tls.key'].detail).toBe('ECDSA 256 (leaf), ECDSA 256 (intermediate), ECDSA 256 (root)');
    expect(r['tls.signature'].detail).toBe('ecdsa-with-SHA256 (leaf), ecdsa-with-SHA256 (intermediate)');
    expect(r['http.redirect'].detail).toMatch(/^308 → https:\/\/app\.tls-stack\.test:\d+\/tls-stack-verify\?probe=1$/);
    expect(r['http.hsts'].detail).toBe('max-age=31536000; includeSubDomains');
    expect(r['ws.upgrade /ws'].detail).toBe('101, message echoed');
    expect(r['ws.plaintext /ws'].status).toBe('pass');
  });

  // Concurrent: each fault has its own server and ports.
  (available ? test.concurrent : test.concurrent.skip).each(FAULTS.filter((f) => name === 'node https + ws' || !f.nodeOnly).map((f) => [f.label, f] as const))('names the fault: %s', async (_label, f) => {
    const leaf = f.leaf ? await leafFor(f.leaf) : good;
    const started = Date.now();
    const results = await withServer(start(leaf, { faults: f.faults }), (s) => verifyHost(expectation(s, f.exp), { ca: pki.ca, timeoutMs: f.timeoutMs }));
    // exactly these checks, and nothing unrelated
    expect(only(results, 'fail')).toEqual([...f.fail].sort());
    expect(only(results, 'error')).toEqual([...f.error ?? []].sort());
    const named = results.find((r) => r.check === (f.fail[0] ?? f.error?.[0]));
    if (f.detail) expect(named?.detail).toMatch(f.detail);
    // A case that cannot finish stops at its --timeout (a margin that holds on a loaded machine: without the limit the
    // drip-feed goes on until the test's own time limit); one that answers slowly may take longer (the far-away host).
    if (f.timeoutMs && f.error?.length) expect(Date.now() - started).toBeLessThan(f.timeoutMs + 5000);
    if (!f.fail.length && !f.error) expect(byCheck(results)['http.hsts'].status).toBe('pass');
  });

  maybe('mTLS: enforced passes (rejected without, accepted with a client certificate); not enforced is named', async () => {
    const enforced = await withServer(start(good, { mtlsCa: pki.ca }), (s) => Promise.all([
      verifyHost(expectation(s, { clientAuth: true, websocketPaths: [] }), { ca: pki.ca, clientCert: client.cert, clientKey: client.key }),
      verifyHost(expectation(s, { clientAuth: true, websocketPaths: [] }), { ca: pki.ca }),
    ]));
    const [withCert, withoutCert] = enforced;
    expect(only(withCert, 'fail')).toEqual([]);
    expect(byCheck(withCert)['mtls.without-certificate'].status).toBe('pass');
    expect(byCheck(withCert)['mtls.with-certificate'].status).toBe('pass');
    // Without --client-cert the TLS checks still hold (a suite counts as accepted once the server chose it, before it
    // asks for the certificate); the page checks run on what the server answers (nginx: a 400 page with the headers)
    // or, where it ends the connection (Node), say that they could not run.
    expect(only(withoutCert, 'fail')).toEqual([]);
    expect(withoutCert.filter((r) => r.check.startsWith('tls.')).every((r) => r.status === 'pass')).toBe(true);
    expect(only(withoutCert, 'error')).toEqual(name === 'nginx' ? [] : HEADER_CHECKS);
    expect(byCheck(withoutCert)['mtls.with-certificate'].status).toBe('skip');
    const loose = await withServer(start(good, { mtlsCa: pki.ca, faults: { mtlsNotEnforced: true } }), (s) =>
      verifyHost(expectation(s, { clientAuth: true, websocketPaths: [] }), { ca: pki.ca, clientCert: client.cert, clientKey: client.key }));
    expect(only(loose, 'fail')).toEqual(['mtls.without-certificate']);
  });
});

