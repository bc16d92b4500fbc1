// npm run bench: guard rails, not targets (results in bench/README.md). Synth time and peak RSS of the full stack vs raw
// cdk8s-plus-27 vs plain objects + yaml (each in a fresh process; times exclude process start-up and module loading,
// peak RSS is the whole process), then what a user waits for: npm run synth of the shipped stack, npm test, and a
// consumer app's `cdk8s synth` with the packed library vs the same stack in raw cdk8s-plus-27.
// Results: tables on stdout; exit code 1 when a guard rail is crossed. BENCH_SIZES, BENCH_RUNS, BENCH_NO_TEST and
// BENCH_NO_CONSUMER shorten a run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, ApiObject, Chart, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { stringify } from 'yaml';
import { TlsStackChart, writeApps } from '../lib';

import { AcmeServer, AcmeSolver, AppProtocol, EdgeKind, LetsEncryptIssuer } from '../lib';
import { measureConsumer } from './consumer';

type Variant = 'ours' | 'cdk8s-plus' | 'floor';
const host = (i: number) => `app-${i}.example.com`;

/** The full stack: issuer, N certificates, N PSS-restricted workloads with reload + NetworkPolicy, an edge route with
 * HSTS + headers per app (every 10th a WebSocket route), schema + policy checks, YAML, kustomization, SUMMARY.md. */
function ours(n: number, out: string, write = true): App {
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
  if (write) writeApps([{ app, title: 'bench' }]);
  return app;
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

/**
 * The floor: the very documents the full stack emits, built as plain JS objects (per-app copies of one app's
 * documents, one Ingress holding every route) and serialized with `yaml`: no constructs, no validation.
 */
function floorTemplate(): { perApp: string; shared: any[]; ingress: any } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-template-'));
  const app = ours(1, out, false);
  const docs = app.charts.flatMap((c) => c.toJson());
  fs.rmSync(out, { recursive: true, force: true });
  const isApp = (d: any) => d.metadata?.name?.startsWith('app-0') && d.kind !== 'Ingress';
  return { perApp: JSON.stringify(docs.filter(isApp)), shared: docs.filter((d) => !isApp(d) && d.kind !== 'Ingress'), ingress: docs.find((d) => d.kind === 'Ingress') };
}

function floor(n: number, out: string, template = floorTemplate()): void {
  const docs: any[] = [...template.shared];
  const rules: any[] = [];
  const tls: any[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(...JSON.parse(template.perApp.replace(/app-0\b/g, `app-${i}`)));
    rules.push({ host: host(i), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `app-${i}`, port: { number: 80 } } } }] } });
    tls.push({ hosts: [host(i)], secretName: `app-${i}-tls` });
  }
  docs.push({ ...template.ingress, spec: { ...template.ingress.spec, rules, tls } });
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'stack.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

function child(variant: Variant, n: number): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${variant}-`));
  const template = variant === 'floor' ? floorTemplate() : undefined; // prepared outside the timed part
  const t0 = process.hrtime.bigint();
  if (variant === 'ours') ours(n, out);
  else if (variant === 'cdk8s-plus') rawPlus(n, out);
  else floor(n, out, template);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.rmSync(out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

type Sample = { ms: number; rssMB: number };

function sample(variant: Variant, n: number): Sample {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--require', 'ts-node/register', __filename, '--child', variant, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${variant} ${n}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

/**
 * Median time and peak RSS of each variant at each of some sizes. The measurements take turns (ours, plus, floor at
 * each size, then again): a shared 2-vCPU machine's speed drifts by tens of percent within a minute, and turns keep
 * that drift out of the ratios — between the variants, and between the sizes (t(4,000)/t(2,000)).
 */
function measureAll(sizes: number[], runs: number): Map<number, Record<Variant, Sample>> {
  const variants: Variant[] = ['ours', 'cdk8s-plus', 'floor'];
  const samples = new Map(sizes.map((n) => [n, new Map<Variant, Sample[]>(variants.map((v) => [v, []]))]));
  for (let i = 0; i < runs; i++) for (const n of sizes) for (const v of variants) samples.get(n)!.get(v)!.push(sample(v, n));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return new Map(sizes.map((n) => [n, Object.fromEntries(variants.map((v) => {
    const s = samples.get(n)!.get(v)!;
    return [v, { ms: median(s.map((x) => x.ms)), rssMB: Math.max(...s.map((x) => x.rssMB)) }];
  })) as Record<Variant, Sample>]));
}

function main(): void {
  const sizes = (process.env.BENCH_SIZES ?? '10,100,1000,4000').split(',').map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  // Small sizes take a fraction of a second, where one noisy moment moves a median of three: more turns there. The
  // sizes with as many turns take them together.
  const turns = (n: number) => (n <= 100 ? runs * 3 : n <= 1000 ? runs * 2 : runs);
  const measured = new Map<number, Record<Variant, Sample>>();
  for (const t of new Set(sizes.map(turns))) for (const [n, m] of measureAll(sizes.filter((x) => turns(x) === t), t)) measured.set(n, m);
  const rows = sizes.map((n) => {
    const m = measured.get(n)!;
    return { n, ours: m.ours, plus: m['cdk8s-plus'], floor: m.floor };
  });
  const f = (x: number) => x.toFixed(0).padStart(7);
  const r = (x: number) => `${x.toFixed(2)}×`.padStart(7);
  console.log(`cdk8s-secure-tls bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length}× ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; median of ${runs * 3} runs up to 100 apps, ${runs * 2} at 1,000, ${runs} above, peak RSS is the max`);
  console.log('   apps | ours ms | ours MB | plus ms | plus MB | floor ms | floor MB | ours/plus | ours/floor');
  for (const x of rows) console.log(`${String(x.n).padStart(7)} | ${f(x.ours.ms)} | ${f(x.ours.rssMB)} | ${f(x.plus.ms)} | ${f(x.plus.rssMB)} | ${f(x.floor.ms)}  | ${f(x.floor.rssMB)}  | ${r(x.ours.ms / x.plus.ms)}   | ${r(x.ours.ms / x.floor.ms)}`);
  const rails: Array<[string, number, number]> = [];
  for (const x of rows) {
    if (x.n === 100 || x.n === 1000) rails.push([`ours / raw cdk8s-plus at ${x.n.toLocaleString('en')} apps`, x.ours.ms / x.plus.ms, 1]);
    rails.push([`ours / YAML floor at ${x.n.toLocaleString('en')} apps`, x.ours.ms / x.floor.ms, 1.5]);
  }
  // What a user waits for, whole processes.
  const root = path.join(__dirname, '..');
  const wall = (cmd: string, args: string[]) => Array.from({ length: runs }, () => {
    const t0 = process.hrtime.bigint();
    const s = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    if (s.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${s.stdout}${s.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  }).sort((a, b) => a - b)[Math.floor(runs / 2)];
  // The absolute limits depend on the machine's speed at the time, which drifts: a process that does nothing, timed
  // beside them, tells a reader how fast the machine was.
  const idle = Array.from({ length: 9 }, () => {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }).sort((a, b) => a - b)[4];
  console.log(`\nmachine speed now: node -e 0 takes ${idle.toFixed(0)} ms (median of 9)`);
  rails.push(['npm run synth wall time, shipped stack (s)', wall('npm', ['run', '--silent', 'synth']), 3]);
  if (!process.env.BENCH_NO_TEST) rails.push(['npm test wall time (s)', wall('npm', ['test', '--silent']), 120]);
  if (!process.env.BENCH_NO_CONSUMER) {
    const c = measureConsumer(runs);
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
    console.log(`consumer app (cdk8s typescript-app template, newest peers), cdk8s synth: ${c.synthOurs.toFixed(2)} s with the library, ${c.synthRaw.toFixed(2)} s with raw cdk8s-plus-27`);
    console.log(`consumer app, tsc --noEmit: ${c.tscOurs.toFixed(2)} s with the library, ${c.tscRaw.toFixed(2)} s with raw cdk8s-plus-27`);
    console.log(`installed package: ${mb(c.packageBytes)} in ${c.packageFiles} files (tarball ${mb(c.tarballBytes)}); its dependencies without the peers: ${mb(c.dependencyBytes)} in ${c.dependencyFiles} files`);
    rails.push(['consumer cdk8s synth, library / raw cdk8s-plus', c.synthOurs / c.synthRaw, 1.3]);
  }
  console.log('\nguard rail                                           value     limit');
  for (const [name, value, limit] of rails) console.log(`${name.padEnd(51)} ${value.toFixed(2).padStart(8)}  ≤ ${String(limit).padEnd(6)} ${value <= limit ? 'held' : 'CROSSED'}`);
  process.exitCode = rails.every(([, value, limit]) => value <= limit) ? 0 : 1;
}

if (process.argv[2] === '--child') child(process.argv[3] as Variant, Number(process.argv[4]));
else main();
