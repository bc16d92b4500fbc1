// Wall time of `verify` for one host: a full run against a correct server (nginx from Debian's packages when
// installed, else the Node https + ws stack) with a test CA, in process and through the command line (process start
// included), and a run against a dead host (accepts TCP, never answers) with a given --timeout. Everything on
// 127.0.0.1. `npx ts-node bench/verify.ts [RUNS]` prints the figures.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HostExpectation, verifyHost } from '../lib/verify';
import { TlsProfile } from '../lib/policy/tls-profiles';
import { HEADERS, RunningStack, hasNginx, makePki, startNginx, startNodeStack, startSilentServer, startSlowConnectServer } from '../test/verify/servers';

const HOST = 'app.tls-stack.test';
const DEAD_HOST_TIMEOUT_MS = 1000;
/** The --timeout of the slow-connect run: longer than its 3 s connect. */
const SLOW_CONNECT_TIMEOUT_MS = 4000;

/** Figures of {@link measureVerify}. */
export interface VerifyBench {
  /** Median wall time of a full verify (every check, one WebSocket path) of a correctly configured host. */
  readonly medianSeconds: number;
  /** The same through `cdk8s-tls verify` (the compiled command line), process start included. */
  readonly cliMedianSeconds: number;
  /** Wall time of a verify of a host that accepts connections and never answers, with `timeoutMs`. */
  readonly deadHostSeconds: number;
  /** The --timeout of the dead-host run. */
  readonly timeoutMs: number;
  /** Wall time of a verify of a host whose TCP connect takes 3 s and that then never answers, --timeout 4000 ms. */
  readonly slowConnectSeconds: number;
  /** The correct server measured. */
  readonly server: 'nginx' | 'node';
  /** Checks of one full run (to show the work done). */
  readonly checks: number;
}

const expectation = (s: RunningStack): HostExpectation => ({
  host: HOST, address: '127.0.0.1', httpsPort: s.httpsPort, httpPort: s.httpPort, profile: TlsProfile.INTERMEDIATE,
  hsts: HEADERS.hstsValue, headers: HEADERS.headers, websocketPaths: ['/ws'], key: { algorithm: 'ECDSA', size: 256 },
});

async function seconds<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, value];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs a command to its exit without blocking this process (the Node stack answers from it). */
function run(command: string, args: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => { output += d; });
    p.stderr.on('data', (d: Buffer) => { output += d; });
    p.on('exit', (status) => resolve({ status, output }));
  });
}

/** Runs `cdk8s-tls verify` against the stack `runs` times (after one warm-up); throws if a run does not exit 0. */
async function measureCli(stack: RunningStack, ca: string, runs: number): Promise<number> {
  const root = path.join(__dirname, '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verify-'));
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, ca);
  // The compiled command line, as `npx cdk8s-tls` runs it (npm ci built it).
  const args = [path.join(root, 'build', 'lib', 'cli', 'index.js'), 'verify',
    '--url', `https://${HOST}:${stack.httpsPort}/`, '--resolve', `${HOST}=127.0.0.1`, '--http-port', String(stack.httpPort), '--ws', '/ws', '--ca', caFile];
  const times: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const [s, r] = await seconds(() => run(process.execPath, args, root));
      if (r.status !== 0) throw new Error(`bench/verify: cdk8s-tls verify exited ${r.status}: ${r.output}`);
      if (i > 0) times.push(s);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return median(times);
}

/** Runs a full verify `runs` times (after one warm-up), and one against each dead host; throws if a run is not clean. */
export async function measureVerify(runs: number): Promise<VerifyBench> {
  const pki = await makePki();
  const leaf = await pki.leaf([HOST]);
  const server = hasNginx() ? 'nginx' : 'node';
  const stack = await (server === 'nginx' ? startNginx : startNodeStack)(leaf);
  const times: number[] = [];
  let checks = 0;
  let cliMedianSeconds: number;
  try {
    for (let i = 0; i <= runs; i++) {
      const [s, results] = await seconds(() => verifyHost(expectation(stack), { ca: pki.ca }));
      const bad = results.filter((r) => r.status !== 'pass');
      if (bad.length) throw new Error(`bench/verify: the correct ${server} server did not pass: ${bad.map((r) => `${r.check} ${r.status}: ${r.detail}`).join('; ')}`);
      if (i > 0) times.push(s);
      checks = results.length;
    }
    cliMedianSeconds = await measureCli(stack, pki.ca, runs);
  } finally {
    await stack.close();
  }
  const deadHostSeconds = await measureDead(startSilentServer(), DEAD_HOST_TIMEOUT_MS);
  const slowConnectSeconds = await measureDead(startSlowConnectServer(), SLOW_CONNECT_TIMEOUT_MS);
  return { medianSeconds: median(times), cliMedianSeconds, deadHostSeconds, timeoutMs: DEAD_HOST_TIMEOUT_MS, slowConnectSeconds, server, checks };
}

/** Wall time of one verify of a host that connects and never answers; throws if a check but tcp.connect passed. */
async function measureDead(start: Promise<RunningStack>, timeoutMs: number): Promise<number> {
  const dead = await start;
  try {
    const [s, results] = await seconds(() => verifyHost(expectation(dead), { timeoutMs }));
    if (results.some((r) => r.status === 'pass' && r.check !== 'tcp.connect')) throw new Error('bench/verify: a check passed against a dead host');
    return s;
  } finally {
    await dead.close();
  }
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 9);
  measureVerify(runs).then((r) => {
    console.log(`verify, one host on 127.0.0.1 (${r.server}), ${r.checks} checks: median ${r.medianSeconds.toFixed(3)} s over ${runs} runs`);
    console.log(`the same through cdk8s-tls verify (process start included): median ${r.cliMedianSeconds.toFixed(3)} s over ${runs} runs`);
    console.log(`dead host (accepts TCP, never answers), --timeout ${r.timeoutMs} ms: ${r.deadHostSeconds.toFixed(3)} s (limit ${(r.timeoutMs + 1000) / 1000} s)`);
    console.log(`dead host whose TCP connect takes 3 s, --timeout ${SLOW_CONNECT_TIMEOUT_MS} ms: ${r.slowConnectSeconds.toFixed(3)} s (limit ${(SLOW_CONNECT_TIMEOUT_MS + 1000) / 1000} s)`);
  }, (e) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  });
}
