// A script because it compares two tools on the same servers, which neither does itself: `cdk8s-tls verify` and
// testssl.sh against the fault servers of the verify tests (test/verify/faults.ts), one fault at a time, on loopback
// (nginx from Debian's packages where installed, else the Node https + ws stack). A tool "flags" a fault when it reports
// something it does not report against the correct server of the same kind (testssl.sh: findings of severity LOW or
// above, or WARN/FATAL; verify: checks that fail or could not run). Prints a Markdown table. Slow (testssl.sh takes
// ~50 s per server): for developers, not CI.
//
//   apt-get install -y testssl.sh nginx
//   npx ts-node scripts/testssl-compare.ts     # JOBS=3 servers at a time; TESTSSL=/path/to/testssl.sh to pick another;
//                                              # CASES=regex for only the matching faults (and the correct servers)
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../lib/cli';
import type { CheckResult } from '../lib/verify';
import { FAULTS, FaultCase, HOST } from '../test/verify/faults';
import { runs } from '../test/tools';
import { Leaf, RunningStack, StackOptions, freePort, hasNginx, makePki, startNginx, startNodeStack, startSilentServer, startSlowConnectServer } from '../test/verify/servers';

const TESTSSL = process.env.TESTSSL ?? (runs('testssl', '--version') ? 'testssl' : 'testssl.sh');
const JOBS = Number(process.env.JOBS ?? 3);
const FLAGGED = new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'WARN', 'FATAL']);

interface Case {
  readonly label: string;
  readonly server: 'nginx' | 'node' | 'none';
  /** Should a tool flag it (false: a correct server that trips a tool up). */
  readonly fault: boolean;
  start(): Promise<RunningStack & { host: string; address: string; verifyArgs?: string[] }>;
}

interface Finding { id: string; severity: string; finding: string }

async function main_(): Promise<void> {
  if (!runs(TESTSSL, '--version')) throw new Error(`${TESTSSL} is not installed: apt-get install -y testssl.sh (Debian's package), or set TESTSSL=/path/to/testssl.sh`);
  if (!hasNginx()) process.stderr.write('nginx is not installed (apt-get install -y nginx): the Node stack stands in for it\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testssl-compare-'));
  const pki = await makePki();
  const [good, client] = await Promise.all([pki.leaf([HOST]), pki.leaf(['web-server'], { clientAuth: true })]);
  const file = (name: string, content: string) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  const ca = file('ca.pem', pki.ca);
  const [clientCert, clientKey] = [file('client.pem', client.cert), file('client.key', client.key)];
  const nginx = hasNginx();
  const serve = (kind: 'nginx' | 'node', leaf: Leaf, o: StackOptions = {}) => async () => ({
    ...await (kind === 'nginx' ? startNginx : startNodeStack)(leaf, o), host: HOST, address: '127.0.0.1',
  });
  const kindOf = (f: FaultCase): 'nginx' | 'node' => (nginx && !f.nodeOnly ? 'nginx' : 'node');
  const cases: Case[] = [
    ...(nginx ? [{ label: 'correct configuration', server: 'nginx' as const, fault: false, start: serve('nginx', good) }] : []),
    { label: 'correct configuration', server: 'node', fault: false, start: serve('node', good) },
    ...FAULTS.map((f): Case => ({
      label: f.label, server: kindOf(f), fault: f.fail.length + (f.error?.length ?? 0) > 0,
      start: async () => serve(kindOf(f), f.leaf ? await pki.leaf(f.leaf.names ?? [HOST], f.leaf) : good, { faults: f.faults })(),
    })),
    {
      label: 'mTLS not enforced', server: nginx ? 'nginx' : 'node', fault: true,
      start: async () => ({ ...await serve(nginx ? 'nginx' : 'node', good, { mtlsCa: pki.ca, faults: { mtlsNotEnforced: true } })(), verifyArgs: ['--mtls', '--client-cert', clientCert, '--client-key', clientKey] }),
    },
    {
      label: 'IPv6 literal URL', server: 'node', fault: false,
      start: async () => ({ ...await startNodeStack(await pki.leaf(['::1']), { listen: '::1' }), host: '::1', address: '::1' }),
    },
    { label: 'unreachable (closed port)', server: 'none', fault: true, start: async () => ({ httpsPort: await freePort(), httpPort: 80, close: async () => undefined, host: HOST, address: '127.0.0.1' }) },
    { label: 'hung host (accepts, never answers)', server: 'none', fault: true, start: async () => ({ ...await startSilentServer(), host: HOST, address: '127.0.0.1' }) },
    { label: 'TCP connect takes 3 s, then never answers', server: 'none', fault: true, start: async () => ({ ...await startSlowConnectServer(), host: HOST, address: '127.0.0.1' }) },
  ];

  // CASES=regex runs only the matching cases (and the correct servers, the baselines).
  const only = process.env.CASES ? new RegExp(process.env.CASES) : undefined;
  const rows = await pool(cases.filter((c) => !only || !c.fault || only.test(c.label)), JOBS, async (c, i) => {
    const s = await c.start();
    try {
      const url = `https://${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.httpsPort}/`;
      const started = Date.now();
      let out = '';
      const code = await main(['verify', '--url', url, '--http-port', String(s.httpPort), '--ws', '/ws', '--ca', ca, '--timeout', '5000', '--json',
        ...(s.host === s.address ? [] : ['--resolve', `${s.host}=${s.address}`]), ...s.verifyArgs ?? []],
      { stdout: { write: (t: string) => { out += t; } }, stderr: { write: () => undefined } });
      const verifySeconds = (Date.now() - started) / 1000;
      const results: CheckResult[] = code === 2 ? [] : JSON.parse(out).results;
      const testssl = await runTestssl(url, s.address, ca, path.join(dir, `case-${i}.json`));
      return { c, code, verify: results.filter((r) => r.status === 'fail' || r.status === 'error'), verifySeconds, ...testssl };
    } finally {
      await s.close();
    }
  });

  const baseline = (kind: string) => rows.find((r) => r.c.server === kind && !r.c.fault);
  const lines = [
    '| fault | server | verify | testssl.sh |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const base = baseline(r.c.server === 'none' ? 'node' : r.c.server);
    const verify = r.verify.filter((v) => !r.c.fault || !base?.verify.some((b) => b.check === v.check && b.status === v.status)).map((v) => `${v.check}${v.status === 'error' ? ' (could not run)' : ''}`);
    const testssl = r.findings.filter((f) => r === base || !base?.findings.some((b) => b.id === f.id && b.severity === f.severity)).map((f) => `${f.id} ${f.severity}`);
    const cell = (flags: string[], seconds: number) => `${r.c.fault ? (flags.length ? '**flags**: ' : 'misses') : (flags.length ? 'false alarm: ' : 'no alarm')}${flags.join(', ')} (${seconds.toFixed(1)} s)`;
    lines.push(`| ${r.c.label} | ${r.c.server} | ${cell(verify, r.verifySeconds)} | ${cell(testssl, r.testsslSeconds)} |`);
  }
  console.log(`testssl.sh vs verify, ${new Date().toISOString().slice(0, 10)}; baseline findings of the correct servers (not counted against faults):`);
  for (const kind of ['nginx', 'node']) {
    const b = baseline(kind);
    if (b) console.log(`  ${kind}: testssl.sh ${b.findings.map((f) => `${f.id} ${f.severity}`).join(', ') || 'none'}; verify ${b.verify.map((v) => v.check).join(', ') || 'none'}`);
  }
  console.log(lines.join('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
}

/** testssl.sh's default run; its findings of severity LOW and above (and WARN/FATAL: it could not test something). */
async function runTestssl(url: string, address: string, ca: string, json: string): Promise<{ findings: Finding[]; testsslSeconds: number }> {
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const p = spawn(TESTSSL, ['--quiet', '--warnings', 'off', '--color', '0', '--add-ca', ca, '--ip', address, '--connect-timeout', '5', '--openssl-timeout', '5',
      ...(address.includes(':') ? ['-6'] : []), '--jsonfile', json, url], { stdio: 'ignore' });
    p.on('exit', () => resolve());
    p.on('error', () => resolve());
  });
  const findings: Finding[] = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8') || '[]') : [{ id: 'no-output', severity: 'FATAL', finding: '' }];
  return { findings: findings.filter((f) => FLAGGED.has(f.severity)), testsslSeconds: (Date.now() - started) / 1000 };
}

async function pool<I, O>(items: I[], n: number, fn: (item: I, i: number) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
      process.stderr.write(`  done: ${(items[i] as Case).label}\n`);
    }
  }));
  return out;
}

main_().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
