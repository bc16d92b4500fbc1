// What a user waits for with the packaged library: `cdk8s synth` (whole process: ts-node, the app, the writes) and
// `tsc --noEmit` of a small cdk8s app that uses it, against the same app written with raw cdk8s-plus-27 (ApiObjects
// for the CRDs), measured in turns, and the installed size of the package. Called by bench/run.ts; needs the npm
// registry (it installs the packed tarball into fresh apps).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PEERS, createApp, pack, readmeExample } from '../scripts/consumer-test';

const RAW_MAIN = `import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

const app = new App();
const issuers = new Chart(app, 'issuers', { disableResourceNameHashes: true });
new ApiObject(issuers, 'LetsEncrypt', {
  apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'letsencrypt-staging' },
  spec: { acme: { server: 'https://acme-staging-v02.api.letsencrypt.org/directory', email: 'ops@example.com', privateKeySecretRef: { name: 'letsencrypt-staging-account-key' },
    solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: 'shop', namespace: 'shop', sectionName: 'http' }] } } }] } },
});
const shop = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
for (const [name, port] of [['web', 8080], ['live', 8081]] as const) {
  const deployment = new kplus.Deployment(shop, name, { metadata: { name }, containers: [{ image: \`ghcr.io/example/shop-\${name}:1.0.0\`, portNumber: port }] });
  deployment.exposeViaService({ name, ports: [{ port: 80, targetPort: port }] });
}
new ApiObject(shop, 'Certificate', {
  apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'shop' },
  spec: { secretName: 'shop-tls', dnsNames: ['shop.example.com'], issuerRef: { name: 'letsencrypt-staging', kind: 'ClusterIssuer' } },
});
new ApiObject(shop, 'Gateway', {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'shop' },
  spec: { gatewayClassName: 'eg', listeners: [
    { name: 'http', port: 80, protocol: 'HTTP' },
    { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { certificateRefs: [{ name: 'shop-tls' }] } },
  ] },
});
new ApiObject(shop, 'Redirect', {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop-redirect' },
  spec: { parentRefs: [{ name: 'shop', sectionName: 'http' }], rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 308 } }] }] },
});
new ApiObject(shop, 'Route', {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop' },
  spec: { parentRefs: [{ name: 'shop', sectionName: 'https' }], hostnames: ['shop.example.com'], rules: [
    { matches: [{ path: { type: 'PathPrefix', value: '/live' } }], backendRefs: [{ name: 'live', port: 80 }] },
    { backendRefs: [{ name: 'web', port: 80 }] },
  ] },
});
app.synth();
`;

export interface ConsumerMeasures {
  /** Median wall time of `cdk8s synth` (seconds). */
  readonly synthOurs: number;
  readonly synthRaw: number;
  /** Median wall time of `tsc --noEmit -p .` (seconds). */
  readonly tscOurs: number;
  readonly tscRaw: number;
  /** The package folder in node_modules: bytes and files. */
  readonly packageBytes: number;
  readonly packageFiles: number;
  /** Its runtime dependencies (not the peers), installed: bytes and files. */
  readonly dependencyBytes: number;
  readonly dependencyFiles: number;
  readonly tarballBytes: number;
}

function sizeOf(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        bytes += fs.statSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

/** The installed folders of a package's dependency closure, without `skip` (the peers). */
function closure(appDir: string, name: string, skip: Set<string>, seen = new Set<string>()): Set<string> {
  const dir = path.join(appDir, 'node_modules', name);
  if (seen.has(dir) || !fs.existsSync(dir)) return seen;
  seen.add(dir);
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies ?? {});
  for (const d of deps) if (!skip.has(d)) closure(appDir, d, skip, seen);
  return seen;
}

export function measureConsumer(runs = 3): ConsumerMeasures {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-bench-consumer-'));
  try {
    const tarball = pack(work);
    const ours = path.join(work, 'ours');
    const raw = path.join(work, 'raw');
    // Without the validation plugin: the library's gate runs inside the synth, as cdk8s-plus's app has none.
    createApp(ours, { ...PEERS.newest, 'cdk8s-secure-tls': tarball }, readmeExample(), { validationPlugin: false });
    createApp(raw, PEERS.newest, RAW_MAIN, { validationPlugin: false });
    // Each measure takes turns between the two apps, so that the machine's drift stays out of the ratio.
    const timed = (dir: string, cmd: string, args: string[]) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${dir}: ${r.error ?? ''}${r.stdout}${r.stderr}`);
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const inTurns = (cmd: (dir: string) => [string, string[]]) => {
      const times = { ours: [] as number[], raw: [] as number[] };
      for (let i = 0; i < runs; i++) for (const [k, dir] of [['ours', ours], ['raw', raw]] as const) times[k].push(timed(dir, ...cmd(dir)));
      return { ours: median(times.ours), raw: median(times.raw) };
    };
    // cdk8s-cli (a devDependency of the template): this repository's copy, as the consumer test uses, not a second install.
    const synth = inTurns(() => [path.join(__dirname, '..', 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade']]);
    const tsc = inTurns((dir) => [path.join(dir, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', '.']]);
    const pkg = sizeOf(path.join(ours, 'node_modules', 'cdk8s-secure-tls'));
    const deps = [...closure(ours, 'cdk8s-secure-tls', new Set(Object.keys(PEERS.newest)))].slice(1).map(sizeOf);
    return {
      synthOurs: synth.ours, synthRaw: synth.raw, tscOurs: tsc.ours, tscRaw: tsc.raw,
      packageBytes: pkg.bytes, packageFiles: pkg.files,
      dependencyBytes: deps.reduce((a, d) => a + d.bytes, 0), dependencyFiles: deps.reduce((a, d) => a + d.files, 0),
      tarballBytes: fs.statSync(tarball).size,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) console.log(measureConsumer());
