// npm run bench: synth time and peak RSS of the full stack vs raw cdk8s-plus-27 vs plain objects + yaml.
// Each measurement runs in a fresh process (peak RSS is per process). Results: a table on stdout.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, ApiObject, Chart, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { stringify } from 'yaml';
import { TlsStackChart } from '../charts/stack';
import { writeApps } from '../charts/synth';
import { AcmeServer, AcmeSolver, AppProtocol, EdgeKind, LetsEncryptIssuer } from '../lib';

type Variant = 'ours' | 'cdk8s-plus' | 'floor';
const host = (i: number) => `app-${i}.example.com`;

/** The full stack: issuer, N certificates, N PSS-restricted workloads with reload + NetworkPolicy, an edge route with
 * HSTS + headers per app (every 10th a WebSocket route), schema + policy checks, YAML, kustomization, SUMMARY.md. */
function ours(n: number, out: string): void {
  const app = new App({ outdir: out, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
  const cluster = new Chart(app, 'cluster-issuers', { disableResourceNameHashes: true });
  const issuer = new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.PRODUCTION, email: 'ops@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] });
  const apps = Array.from({ length: n }, (_, i) => i);
  new TlsStackChart(app, 'stack', {
    namespace: 'bench', issuer,
    sites: apps.map((i) => ({ name: `app-${i}`, hosts: [host(i)] })),
    apps: apps.map((i) => ({ name: `app-${i}`, image: 'ghcr.io/example/app:1.0.0', port: 8080, protocol: i % 10 ? AppProtocol.HTTP : AppProtocol.WEBSOCKET, networkPolicy: true })),
    routes: apps.map((i) => ({ host: host(i), app: `app-${i}`, path: i % 10 ? '/' : '/ws', websocket: i % 10 === 0 })),
    edge: { kind: EdgeKind.INGRESS_NGINX },
  });
  writeApps([{ app, title: 'bench' }]);
}

/** Raw cdk8s-plus-27: the same kinds (Deployment, Service, Ingress with TLS, Certificate ApiObject), no validation. */
function rawPlus(n: number, out: string): void {
  const app = new App({ outdir: out, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
  const chart = new Chart(app, 'stack', { namespace: 'bench', disableResourceNameHashes: true });
  for (let i = 0; i < n; i++) {
    const d = new kplus.Deployment(chart, `D${i}`, { metadata: { name: `app-${i}` }, containers: [{ image: 'ghcr.io/example/app:1.0.0', portNumber: 8080 }] });
    const svc = d.exposeViaService({ name: `app-${i}`, ports: [{ port: 80, targetPort: 8080 }] });
    const ing = new kplus.Ingress(chart, `I${i}`, { metadata: { name: `app-${i}` }, className: 'nginx' });
    ing.addHostRule(host(i), '/', kplus.IngressBackend.fromService(svc));
    ing.addTls([{ hosts: [host(i)], secret: kplus.Secret.fromSecretName(chart, `S${i}`, `app-${i}-tls`) }]);
    new ApiObject(chart, `C${i}`, {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: `app-${i}` },
      spec: { secretName: `app-${i}-tls`, dnsNames: [host(i)], issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' } },
    });
  }
  app.synth();
}

/** The floor: the same objects as plain JS objects, serialized with `yaml`. */
function floor(n: number, out: string): void {
  const docs: object[] = [];
  for (let i = 0; i < n; i++) {
    const labels = { app: `app-${i}` };
    docs.push(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `app-${i}`, namespace: 'bench' }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'ghcr.io/example/app:1.0.0', ports: [{ containerPort: 8080 }], securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${i}`, namespace: 'bench' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080, appProtocol: 'http' }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `app-${i}`, namespace: 'bench', annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' } }, spec: { ingressClassName: 'nginx', tls: [{ hosts: [host(i)], secretName: `app-${i}-tls` }], rules: [{ host: host(i), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `app-${i}`, port: { number: 80 } } } }] } }] } },
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: `app-${i}`, namespace: 'bench' }, spec: { secretName: `app-${i}-tls`, dnsNames: [host(i)], issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' } } },
    );
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'stack.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

async function child(variant: Variant, n: number): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${variant}-`));
  const t0 = process.hrtime.bigint();
  await ({ ours, 'cdk8s-plus': rawPlus, floor } as Record<Variant, (n: number, out: string) => void | Promise<void>>)[variant](n, out);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.rmSync(out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

function measure(variant: Variant, n: number, runs: number): { ms: number; rssMB: number } {
  const samples = Array.from({ length: runs }, () => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', __filename, '--child', variant, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${variant} ${n}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { ms: number; rssMB: number };
  });
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ms: median(samples.map((s) => s.ms)), rssMB: Math.max(...samples.map((s) => s.rssMB)) };
}

function main(): void {
  const sizes = (process.env.BENCH_SIZES ?? '10,100,1000,2000,4000').split(',').map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const rows = sizes.map((n) => ({ n, ours: measure('ours', n, runs), plus: measure('cdk8s-plus', n, runs), floor: measure('floor', n, runs) }));
  const f = (x: number) => x.toFixed(0).padStart(7);
  const r = (x: number) => `${x.toFixed(2)}×`.padStart(7);
  console.log(`cdk8s-secure-tls bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length}× ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; median of ${runs} runs, peak RSS is the max`);
  console.log('   apps | ours ms | ours MB | plus ms | plus MB | floor ms | floor MB | ours/plus | ours/floor');
  for (const x of rows) console.log(`${String(x.n).padStart(7)} | ${f(x.ours.ms)} | ${f(x.ours.rssMB)} | ${f(x.plus.ms)} | ${f(x.plus.rssMB)} | ${f(x.floor.ms)}  | ${f(x.floor.rssMB)}  | ${r(x.ours.ms / x.plus.ms)}   | ${r(x.ours.ms / x.floor.ms)}`);
  const at = (n: number) => rows.find((x) => x.n === n);
  const targets: Array<[string, number | undefined, number]> = [];
  if (at(1000)) targets.push(['ours/cdk8s-plus at 1,000 apps', at(1000)!.ours.ms / at(1000)!.plus.ms, 1.3], ['ours/floor at 1,000 apps', at(1000)!.ours.ms / at(1000)!.floor.ms, 3]);
  if (at(2000) && at(4000)) targets.push(['t(4,000)/t(2,000)', at(4000)!.ours.ms / at(2000)!.ours.ms, 2.2]);
  if (!process.env.BENCH_SIZES) {
    const big = measure('ours', 5000, 1);
    targets.push(['peak RSS at 5,000 apps (MB)', big.rssMB, 600]);
  }
  const synth = Array.from({ length: runs }, () => {
    const t0 = process.hrtime.bigint();
    const s = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'main.ts')], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    if (s.status !== 0) throw new Error(s.stderr);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  }).sort((a, b) => a - b)[Math.floor(runs / 2)];
  targets.push(['npm run synth wall time, shipped stack (s)', synth, 3]);
  console.log('\ntarget                                        value     limit   ');
  for (const [name, value, limit] of targets) console.log(`${name.padEnd(44)} ${value!.toFixed(2).padStart(8)}  ≤ ${String(limit).padEnd(6)} ${value! <= limit ? 'met' : 'MISSED'}`);
}

if (process.argv[2] === '--child') void child(process.argv[3] as Variant, Number(process.argv[4]));
else main();
