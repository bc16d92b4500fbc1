// Shared by the verify test files: a test PKI made once per file (root, intermediate, a correct leaf and a client
// certificate; other leaves on demand), a scratch folder with the root's PEM, and helpers to read results.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli';
import { CheckResult, CheckStatus, HostExpectation } from '../../lib/verify';
import { TlsProfile } from '../../lib/policy/tls-profiles';
import { HOST } from './faults';
import { HEADERS, Leaf, LeafOptions, RunningStack, TestPki, makePki } from './servers';

export let pki: TestPki;
export let good: Leaf;
export let client: Leaf;
/** A scratch folder holding `ca.pem`, the test root. */
export let dir: string;

/** Registers the hooks that make the PKI and the folder for the calling test file. */
export function usePki(): void {
  beforeAll(async () => {
    pki = await makePki();
    leaves.clear(); // the test files of a worker share this module: a leaf of another file's PKI is not trusted here
    [good, client] = await Promise.all([pki.leaf([HOST]), pki.leaf(['web-server'], { clientAuth: true })]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), pki.ca);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
}

/** Leaves by how they are made, each made once (RSA keys are slow to generate). */
const leaves = new Map<string, Promise<Leaf>>();
export const leafFor = (o: LeafOptions & { names?: string[] }) => {
  const key = JSON.stringify(o);
  if (!leaves.has(key)) leaves.set(key, pki.leaf(o.names ?? [HOST], o));
  return leaves.get(key)!;
};

export const expectation = (s: RunningStack, extra: Partial<HostExpectation> = {}): HostExpectation => ({
  host: HOST, address: '127.0.0.1', httpsPort: s.httpsPort, httpPort: s.httpPort, profile: TlsProfile.INTERMEDIATE,
  hsts: HEADERS.hstsValue, headers: HEADERS.headers, websocketPaths: ['/ws'], key: { algorithm: 'ECDSA', size: 256 }, ...extra,
});
/** The checks with this status, sorted. */
export const only = (results: Array<Pick<CheckResult, 'check' | 'status'>>, status: CheckStatus) => results.filter((r) => r.status === status).map((r) => r.check).sort();
export const byCheck = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.check, r]));

export async function withServer<T>(start: Promise<RunningStack>, fn: (s: RunningStack) => Promise<T>): Promise<T> {
  const s = await start;
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** `cdk8s-tls verify ARGS` in this process: exit code, stdout, stderr. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  let stdout = '';
  let stderr = '';
  const started = Date.now();
  const code = await main(['verify', ...args], { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } } });
  return { code, stdout, stderr, ms: Date.now() - started };
}
export const json = (stdout: string): CheckResult[] => JSON.parse(stdout).results;

