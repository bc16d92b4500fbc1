// Wall time of `verify` for one host: a full run against a correct server (nginx from Debian's packages when
// installed, else the Node https + ws stack) with a test CA, and a run against a dead host (accepts TCP, never answers)
// with a given --timeout. Everything on 127.0.0.1. `node --require ./scripts/ts-loader.js bench/verify.ts [RUNS]` prints the figures.
import { HostExpectation, verifyHost } from '../lib/verify';
import { TlsProfile } from '../lib/policy/tls-profiles';
import { HEADERS, RunningStack, hasNginx, makePki, startNginx, startNodeStack, startSilentServer } from '../test/verify/servers';

const HOST = 'app.tls-stack.test';
const DEAD_HOST_TIMEOUT_MS = 1000;

/** Figures of {@link measureVerify}. */
export interface VerifyBench {
  /** Median wall time of a full verify (every check, one WebSocket path) of a correctly configured host. */
  readonly medianSeconds: number;
  /** Wall time of a verify of a host that accepts connections and never answers, with `timeoutMs`. */
  readonly deadHostSeconds: number;
  /** The --timeout of the dead-host run. */
  readonly timeoutMs: number;
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

/** Runs a full verify `runs` times (after one warm-up) and one against a dead host; throws if a run is not clean. */
export async function measureVerify(runs: number): Promise<VerifyBench> {
  const pki = await makePki();
  const leaf = await pki.leaf([HOST]);
  const server = hasNginx() ? 'nginx' : 'node';
  const stack = await (server === 'nginx' ? startNginx : startNodeStack)(leaf);
  const times: number[] = [];
  let checks = 0;
  try {
    for (let i = 0; i <= runs; i++) {
      const [s, results] = await seconds(() => verifyHost(expectation(stack), { ca: pki.ca }));
      const bad = results.filter((r) => r.status !== 'pass');
      if (bad.length) throw new Error(`bench/verify: the correct ${server} server did not pass: ${bad.map((r) => `${r.check} ${r.status}: ${r.detail}`).join('; ')}`);
      if (i > 0) times.push(s);
      checks = results.length;
    }
  } finally {
    await stack.close();
  }
  times.sort((a, b) => a - b);
  const dead = await startSilentServer();
  try {
    const [deadHostSeconds, results] = await seconds(() => verifyHost(expectation(dead), { timeoutMs: DEAD_HOST_TIMEOUT_MS }));
    if (results.some((r) => r.status === 'pass' && r.check !== 'tcp.connect')) throw new Error('bench/verify: a check passed against a dead host');
    return { medianSeconds: times[Math.floor(times.length / 2)], deadHostSeconds, timeoutMs: DEAD_HOST_TIMEOUT_MS, server, checks };
  } finally {
    await dead.close();
  }
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 9);
  measureVerify(runs).then((r) => {
    console.log(`verify, one host on 127.0.0.1 (${r.server}), ${r.checks} checks: median ${r.medianSeconds.toFixed(3)} s over ${runs} runs`);
    console.log(`dead host (accepts TCP, never answers), --timeout ${r.timeoutMs} ms: ${r.deadHostSeconds.toFixed(3)} s (limit ${(r.timeoutMs + 1000) / 1000} s)`);
  }, (e) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  });
}
