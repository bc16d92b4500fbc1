// A script because no standard tool proves a package from its user's side: it packs this one, makes fresh cdk8s apps
// in temporary folders the way `cdk8s init typescript-app` does, installs the tarball there and uses it as a user would.
//
// npm run test:consumer: the apps have the template's tsconfig, cdk8s.yaml and ts-node: one on the library's own line
// (cdk8s-plus-27) at the lowest and at the newest supported cdk8s / constructs, and one as today's template makes it
// (cdk8s-plus-33, the newest cdk8s): no cdk8s-plus type is in the library's API, so neither imports a second line.
// Each type-checks with the template's strict tsconfig (no skipLibCheck), synthesizes the README's example with plain
// `cdk8s synth` (and the validation plugin) and with `Testing.synth`, asserts the output, checks that importing the
// package loads no network code and no CLI, that `cdk8s-secure-tls/verify` is the prober, and that a plain
// `app.synth()` of a policy-violating stack fails and writes no YAML.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The apps' dependencies: the lowest peers the package claims, the newest, and today's template's line. */
export const PEERS = {
  lowest: { 'cdk8s': '2.64.2', 'constructs': '10.2.70', 'cdk8s-plus-27': '2.7.1' },
  newest: { 'cdk8s': 'latest', 'constructs': 'latest', 'cdk8s-plus-27': 'latest' },
  template: { 'cdk8s': 'latest', 'constructs': 'latest', 'cdk8s-plus-33': 'latest' },
};
/** devDependencies of cdk8s-cli's typescript-app template (templates/typescript-app/package.json). */
const TEMPLATE_DEV = { 'typescript': '5.9.x', 'ts-node': '^10', '@types/node': '^14' };

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env, npm_config_update_notifier: 'false' }, maxBuffer: 64 << 20 });
const must = (r: ReturnType<typeof run>, what: string) => {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
};

/** `npm pack` of this repository (its prepare script builds it); returns the tarball path. */
export function pack(dest = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-pack-'))): string {
  const out = must(run('npm', ['pack', '--json', '--pack-destination', dest], root), 'npm pack').stdout;
  const info = JSON.parse(out.slice(out.indexOf('[')))[0];
  return path.join(dest, info.filename);
}

/** The README's example main.ts (the `ts` block of "Use it in your own cdk8s app"). */
export function readmeExample(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  return readme.split('## Use it in your own cdk8s app')[1].match(/```ts\n([\s\S]*?)```/)![1];
}

/** A fresh app in cdk8s's typescript-app shape with these dependencies installed. */
export function createApp(dir: string, dependencies: Record<string, string>, mainTs: string, { validationPlugin = true } = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const template = path.join(root, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
  fs.copyFileSync(path.join(template, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, license: 'Apache-2.0' }, null, 2));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
    'language: typescript', 'app: npx ts-node main.ts',
    ...(validationPlugin ? ['validations:', '  - package: ./node_modules/cdk8s-secure-tls', '    class: TlsPolicyValidation', `    version: ${pkg.version}`] : []), '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'main.ts'), mainTs);
  const specs = Object.entries({ ...TEMPLATE_DEV, ...dependencies }).map(([n, v]) => (v.startsWith('/') ? v : `${n}@${v}`));
  must(run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], dir), `npm install in ${dir}`);
}

/** A stack whose workload turns certificate verification off: the gate must refuse it. */
const BAD_MAIN = `import { App, Chart } from 'cdk8s';
import { SelfSignedIssuer, TlsStackChart } from 'cdk8s-secure-tls';

const app = new App({ outdir: 'bad-out' });
const issuer = new SelfSignedIssuer(new Chart(app, 'issuers'), 'Dev');
new TlsStackChart(app, 'shop', {
  namespace: 'shop',
  issuer,
  sites: [{ name: 'shop', hosts: ['shop.example.com'] }],
  apps: [{ name: 'web', image: 'ghcr.io/example/shop-web:1.0.0', port: 8080, env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } }],
  routes: [{ host: 'shop.example.com', app: 'web' }],
});
app.synth();
`;

/** Testing.synth of a good chart and of a refused one (it must throw, naming the construct). */
const TESTING_MAIN = String.raw`import { Chart, Testing } from 'cdk8s';
import { SelfSignedIssuer, TlsStackChart } from 'cdk8s-secure-tls';

const stack = (env: Record<string, string>) => {
  const app = Testing.app();
  const issuer = new SelfSignedIssuer(new Chart(app, 'issuers'), 'Dev');
  return new TlsStackChart(app, 'shop', {
    namespace: 'shop', issuer, sites: [{ name: 'shop', hosts: ['shop.example.com'] }],
    apps: [{ name: 'web', image: 'ghcr.io/example/shop-web:1.0.0', port: 8080, env }], routes: [{ host: 'shop.example.com', app: 'web' }],
  });
};
const docs = Testing.synth(stack({}));
if (!docs.some((d) => d.kind === 'HTTPRoute')) throw new Error('no HTTPRoute');
let refused = false;
try {
  Testing.synth(stack({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }));
} catch (e) {
  refused = /shop\/App-web\/Deployment[^\n]*verify-off/.test(String(e));
}
console.log(refused ? 'Testing.synth: ok, refused' : 'Testing.synth: the bad stack was not refused');
`;

/** What `require('cdk8s-secure-tls')` loads that it must not: ws, the prober, the CLI, Node's TLS client. */
const LOAD_PROBE = String.raw`
const path = require('path');
const before = new Set(process.moduleLoadList);
require('cdk8s-secure-tls');
const modules = Object.keys(require.cache).filter((f) => {
  const p = f.split(path.sep).join('/');
  return p.includes('/node_modules/ws/') || /\/cdk8s-secure-tls\/build\/lib\/(verify|cli)\//.test(p);
});
const builtins = process.moduleLoadList.filter((m) => !before.has(m) && /^NativeModule (tls|_tls_wrap|_tls_common|https|http2)$/.test(m));
const verify = typeof require('cdk8s-secure-tls/verify').verifyHost;
console.log(JSON.stringify({ modules, builtins, verify }));
`;

function assert(ok: unknown, message: string): void {
  if (!ok) throw new Error(`consumer test: ${message}`);
}

function checkConsumer(dir: string, label: string): void {
  const bin = (name: string) => path.join(dir, 'node_modules', '.bin', name);
  // One copy of each peer: the library must resolve the app's cdk8s, not a second one.
  for (const peer of ['cdk8s', 'constructs']) {
    const copies = run('find', ['node_modules', '-path', `*node_modules/${peer}/package.json`], dir).stdout.trim().split('\n').filter(Boolean);
    assert(copies.length === 1, `${label}: ${copies.length} copies of ${peer}: ${copies.join(', ')}`);
  }
  must(run(bin('tsc'), ['--noEmit', '-p', '.'], dir), `${label}: tsc --noEmit with the template's tsconfig`);

  const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
  const synth = must(run(cli, ['synth', '--no-check-upgrade'], dir), `${label}: cdk8s synth`);
  assert(/Validations ended succesfully/.test(synth.stdout), `${label}: the validation plugin did not run: ${synth.stdout}`);
  const read = (f: string) => parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', f), 'utf8')).map((d) => d.toJS());
  const issuers = read('issuers.k8s.yaml');
  const shop = read('shop.k8s.yaml');
  const kind = (docs: any[], k: string) => docs.filter((d) => d.kind === k);
  assert(kind(issuers, 'ClusterIssuer')[0]?.spec?.acme?.solvers?.[0]?.http01?.gatewayHTTPRoute?.parentRefs?.[0]?.name === 'shop', `${label}: the ClusterIssuer's HTTP-01 solver does not answer on the shop Gateway`);
  const gateway = kind(shop, 'Gateway')[0];
  assert(gateway?.spec?.listeners?.some((l: any) => l.protocol === 'HTTPS' && l.hostname === 'shop.example.com' && l.tls?.certificateRefs?.[0]?.name === 'shop-tls'), `${label}: no HTTPS listener for shop.example.com with the shop-tls Secret`);
  const redirect = kind(shop, 'HTTPRoute').find((r) => r.spec.rules[0].filters?.[0]?.requestRedirect);
  assert(redirect?.spec.rules[0].filters[0].requestRedirect.statusCode === 308, `${label}: no 308 redirect route`);
  const route = kind(shop, 'HTTPRoute').find((r) => r.spec.hostnames?.[0] === 'shop.example.com' && !r.spec.rules[0].filters?.[0]?.requestRedirect);
  const hsts = route?.spec.rules.flatMap((r: any) => r.filters ?? []).flatMap((f: any) => f.responseHeaderModifier?.set ?? []).find((h: any) => h.name === 'Strict-Transport-Security');
  assert(hsts?.value === 'max-age=31536000; includeSubDomains', `${label}: HSTS missing on the app route`);
  assert(kind(shop, 'Certificate')[0]?.spec?.secretName === 'shop-tls', `${label}: no Certificate writing shop-tls`);
  const check = must(run(bin('cdk8s-tls'), ['check', '--json', 'dist'], dir), `${label}: cdk8s-tls check`);
  assert(JSON.parse(check.stdout).findings.length === 0, `${label}: cdk8s-tls check found problems: ${check.stdout}`);

  // Testing.synth, as the template's main.test.ts does: the gate runs there too.
  fs.writeFileSync(path.join(dir, 'testing.ts'), TESTING_MAIN);
  const testing = must(run(bin('ts-node'), ['testing.ts'], dir), `${label}: Testing.synth`);
  assert(testing.stdout.trim() === 'Testing.synth: ok, refused', `${label}: Testing.synth: ${testing.stdout}${testing.stderr}`);

  // Importing the library loads no network code and no command line: the prober is cdk8s-secure-tls/verify.
  const loads = must(run('node', ['-e', LOAD_PROBE], dir), `${label}: require('cdk8s-secure-tls')`);
  const loaded = JSON.parse(loads.stdout);
  assert(loaded.modules.length === 0 && loaded.builtins.length === 0, `${label}: importing the library loads ${[...loaded.modules, ...loaded.builtins].join(', ')}`);
  assert(loaded.verify === 'function', `${label}: cdk8s-secure-tls/verify does not export verifyHost`);

  fs.writeFileSync(path.join(dir, 'bad.ts'), BAD_MAIN);
  const bad = run(bin('ts-node'), ['bad.ts'], dir);
  assert(bad.status !== 0, `${label}: app.synth() of a policy-violating stack succeeded`);
  assert(/shop\/App-web\/Deployment: Deployment web .*NODE_TLS_REJECT_UNAUTHORIZED.*\[verify-off\]/.test(bad.stderr), `${label}: the refusal does not name the construct and field:\n${bad.stderr}`);
  const written = fs.existsSync(path.join(dir, 'bad-out')) ? fs.readdirSync(path.join(dir, 'bad-out')) : [];
  assert(written.length === 0, `${label}: a refused synth wrote ${written.join(', ')}`);
  (require('./consumer-adopt') as typeof import('./consumer-adopt')).checkAdopt(dir, label); // eslint-disable-line @typescript-eslint/no-require-imports -- one line here: the adopt check is scripts/consumer-adopt.ts
  console.log(`${label}: type-checked, synthesized and refused bad input as expected`);
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-consumer-'));
  const tarball = pack(work);
  const files = must(run('tar', ['-tzf', tarball], work), 'tar').stdout.trim().split('\n');
  const shipped = files.filter((f) => /^package\/(test|bench|dist|charts|scripts|imports)\//.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)));
  assert(shipped.length === 0, `the tarball ships what users do not need: ${shipped.slice(0, 5).join(', ')}`);
  for (const [label, peers] of Object.entries(PEERS)) {
    const dir = path.join(work, label);
    createApp(dir, { ...peers, 'cdk8s-secure-tls': tarball }, readmeExample());
    checkConsumer(dir, `${label} peers (${Object.entries(peers).map(([n, v]) => `${n}@${v}`).join(', ')})`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

if (require.main === module) main();
