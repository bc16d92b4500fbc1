// A script for the reason consumer-test.ts is one (no standard tool proves a package from its user's side), and its
// part of that check: called by npm run test:consumer for each consumer app, the installed `cdk8s-tls adopt` turns
// seed 001's YAML and a fixture into TypeScript files of the app, which the app's own `tsc --noEmit -p .` (cdk8s's
// typescript-app template tsconfig, no skipLibCheck) type-checks against the installed package, and which synthesize
// (run with ts-node, `app.synth()` through the library's gate) into the hosts and Secret names of their input.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const root = path.join(__dirname, '..');

/** What each adopted input must synthesize to: a host of an Ingress rule and the Secret its TLS entry names. */
const INPUTS = [
  // Seed 001 defines api-ingress twice and a second Ingress for the same hosts: --force keeps the first of each.
  { name: 'seed', file: path.join(root, 'test', 'fixtures', 'adopt', 'seed-001.txt'), flags: ['--force'], host: 'api.analytics.example.com', secret: 'api-tls-secret' },
  { name: 'shop', file: path.join(root, 'test', 'fixtures', 'adopt', 'ingress-nginx-shim', 'shop.yaml'), flags: [], host: 'api.shop.example.com', secret: 'shop-api-tls' },
];

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env, npm_config_update_notifier: 'false' }, maxBuffer: 64 << 20 });

function must(r: ReturnType<typeof run>, what: string): ReturnType<typeof run> {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

function assert(ok: unknown, message: string): void {
  if (!ok) throw new Error(`consumer adopt check: ${message}`);
}

/**
 * In a consumer app `dir` with the packed library installed (scripts/consumer-test.ts createApp): adopts each input with
 * the installed CLI (`--out adopted-<name>.ts --report adopted-<name>.md`), type-checks the app, and synthesizes each
 * adopted file.
 */
export function checkAdopt(dir: string, label: string): void {
  const bin = (name: string) => path.join(dir, 'node_modules', '.bin', name);
  for (const input of INPUTS) {
    const out = `adopted-${input.name}.ts`;
    const adopted = must(run(bin('cdk8s-tls'), ['adopt', ...input.flags, '--out', out, '--report', `adopted-${input.name}.md`, input.file], dir), `${label}: cdk8s-tls adopt ${input.name}`);
    assert(adopted.stdout === '' && fs.readFileSync(path.join(dir, out), 'utf8').includes("from 'cdk8s-secure-tls'"), `${label}: adopt wrote no TypeScript for ${input.name}: ${adopted.stderr}`);
  }
  must(run(bin('tsc'), ['--noEmit', '-p', '.'], dir), `${label}: tsc --noEmit of the adopted files with the template's tsconfig`);
  for (const input of INPUTS) {
    const outdir = path.join(dir, `adopted-${input.name}-dist`);
    must(run(bin('ts-node'), [`adopted-${input.name}.ts`], dir, { CDK8S_OUTDIR: outdir }), `${label}: synthesizing adopted-${input.name}.ts`);
    const docs = fs.readdirSync(outdir).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS()));
    const ingress = docs.find((d) => d?.kind === 'Ingress' && d.spec.rules.some((r: { host: string }) => r.host === input.host));
    assert(ingress?.spec.tls.some((t: { hosts: string[]; secretName: string }) => t.hosts.includes(input.host) && t.secretName === input.secret),
      `${label}: adopted-${input.name}.ts does not serve ${input.host} with Secret ${input.secret}`);
    assert(docs.some((d) => d?.kind === 'Certificate' && d.spec.secretName === input.secret), `${label}: adopted-${input.name}.ts has no Certificate writing ${input.secret}`);
  }
  console.log(`${label}: adopted seed 001 and a fixture with the installed cdk8s-tls, type-checked and synthesized them`);
}
