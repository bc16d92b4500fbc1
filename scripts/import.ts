// A script because cdk8s import cannot do two things this one does: read its pinned URLs from local copies (offline),
// and compile the CRDs' schemas into validators (ajv standalone code; cdk8s import makes typed classes only).
//
// npm run import                   every CRD that cdk8s.yaml `imports:` pins, downloaded from its URL
// npm run import -- --crds DIR     the same files from DIR instead (offline: DIR/<project>-<version>/<file>)
//
// It regenerates everything in imports/ (never edit it by hand; the output is committed, CI regenerates it offline and
// fails on any difference):
// - imports/<prefix>-<group>.ts: the typed L1 classes, by `cdk8s import` of each entry;
// - imports/validators/<group>/<version>/<Kind>.js: every served version of every CRD as an ajv standalone validator
//   (descriptions dropped, unknown fields rejected as the API server prunes them, schema defaults applied to the
//   validated object) with its CEL x-kubernetes-validations rules (`.cel`), and index.js naming them all;
// - imports/validators/re2.js: what the validators match `pattern` with (RE2, as the API server).
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RE2JS } from '@bufbuild/re2';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { parse, parseAllDocuments } from 'yaml';

const root = path.join(__dirname, '..');
const IMPORTS = path.join(root, 'imports');
const VALIDATORS = path.join(IMPORTS, 'validators');

/** One `imports:` entry of cdk8s.yaml: `<prefix>:=<url>`. */
interface ImportEntry {
  readonly prefix: string;
  readonly url: string;
}

export function importEntries(cdk8sYaml = path.join(root, 'cdk8s.yaml')): ImportEntry[] {
  const config = parse(fs.readFileSync(cdk8sYaml, 'utf8'));
  return (config.imports as string[]).map((spec) => {
    const m = /^([a-z0-9-]+):=(https:\/\/\S+)$/.exec(spec);
    if (!m) throw new Error(`cdk8s.yaml: import "${spec}" is not "<prefix>:=<https URL>"`);
    return { prefix: m[1], url: m[2] };
  });
}

/**
 * The local copy of a pinned URL under `crdsDir`: in the folder of that release (its name ends with the URL's version
 * tag, as `cert-manager-v1.21.1`), the file of the same name, else the folder's only file (Traefik's bundle).
 */
export function localCopy(url: string, crdsDir: string): string {
  const version = /\/(v\d+\.\d+\.\d+)\//.exec(url)?.[1];
  if (!version) throw new Error(`${url}: no version tag (/vX.Y.Z/) in the URL`);
  const folders = fs.readdirSync(crdsDir).filter((d) => new RegExp(`-${version.replace(/\./g, '\\.')}(-|$)`).test(d));
  const candidates = folders.flatMap((d) => {
    const files = fs.readdirSync(path.join(crdsDir, d)).filter((f) => /\.ya?ml$/.test(f));
    const same = files.filter((f) => f === path.basename(url));
    return (same.length ? same : files.length === 1 ? files : []).map((f) => path.join(crdsDir, d, f));
  });
  if (candidates.length !== 1) throw new Error(`${url}: ${candidates.length ? `several copies (${candidates.join(', ')})` : 'no copy'} in ${crdsDir}`);
  return candidates[0];
}

/** What ajv compiles: descriptions and CEL rules dropped, objects with declared properties closed, metadata left to the API server. */
export function forAjv(schema: any, top = true): any {
  if (Array.isArray(schema)) return schema.map((s) => forAjv(s, false));
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'description' && k !== 'x-kubernetes-validations')
    .map(([k, v]) => [k, k === 'enum' || k === 'default' || k === 'example' ? v : forAjv(v, false)]));
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  if (top && out.properties?.metadata) out.properties.metadata = { type: 'object' };
  return out;
}

/** A place in a schema that carries CEL rules: the path from the root (property names, `[]` list items, `{}` map values). */
export interface CelSite {
  readonly path: string[];
  readonly rules: Array<{ readonly rule: string; readonly message?: string }>;
}

/** Every x-kubernetes-validations site; transition rules (oldSelf) are left out: a manifest has no old object. */
export function celSites(schema: any, at: string[] = [], out: CelSite[] = []): CelSite[] {
  if (!schema || typeof schema !== 'object') return out;
  const rules = (schema['x-kubernetes-validations'] ?? [])
    .filter((r: any) => !/\boldSelf\b/.test(r.rule))
    .map((r: any) => ({ rule: r.rule, ...(r.message ? { message: r.message } : {}) }));
  if (rules.length) out.push({ path: at, rules });
  for (const [k, v] of Object.entries(schema.properties ?? {})) celSites(v, [...at, k], out);
  if (schema.items) celSites(schema.items, [...at, '[]'], out);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') celSites(schema.additionalProperties, [...at, '{}'], out);
  for (const key of ['allOf', 'anyOf', 'oneOf']) for (const s of schema[key] ?? []) celSites(s, at, out);
  return out;
}

/** The pattern engine the validators load beside them (the generated modules depend on nothing outside imports/ but packages). */
const RE2_MODULE = `// Generated by scripts/import.ts. Do not edit.
// What the validators match \`pattern\` with: RE2 (@bufbuild/re2), the syntax of the API server (Go regexp: \`(?i)\` works,
// backreferences do not). Not JavaScript's RegExp, which backtracks: Envoy Gateway's duration pattern
// ^([0-9]+(ns|us|µs|ms|s|m|h)?)+$ takes it seconds on a few dozen digits and a letter; RE2 is linear. Each pattern is
// compiled on first use: a validator creates all of its patterns when it loads, and most never meet a value.
"use strict";
const { RE2JS } = require("@bufbuild/re2");
module.exports = (pattern) => {
  let compiled;
  return { test: (s) => (compiled ??= RE2JS.compile(pattern)).test(s), toString: () => pattern };
};
`;

/** The same engine in this process, for ajv while it compiles (it creates the patterns); `code` is how the output loads it. */
const re2 = Object.assign((pattern: string) => {
  let compiled: RE2JS | undefined;
  return { test: (s: string) => (compiled ??= RE2JS.compile(pattern)).test(s), toString: () => pattern };
}, { code: 'require("../../re2.js")' });

/** Writes imports/validators from the CRD documents of each entry; returns the `<group>/<version>/<Kind>` written. */
export function writeValidators(sources: Array<{ url: string; text: string }>, outDir = VALIDATORS): string[] {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 're2.js'), RE2_MODULE);
  const written = new Map<string, string>(); // hash of schema and rules → module written for it
  const index: string[] = [];
  for (const { url, text } of sources) {
    for (const doc of parseAllDocuments(text)) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions.filter((x: any) => x.served)) {
        const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
        const module = path.join(outDir, `${key}.js`);
        fs.mkdirSync(path.dirname(module), { recursive: true });
        const schema = forAjv(v.schema.openAPIV3Schema);
        const cel = celSites(v.schema.openAPIV3Schema);
        const hash = crypto.createHash('sha256').update(JSON.stringify([schema, cel])).digest('hex');
        const same = written.get(hash);
        if (same) {
          // Versions with identical schemas (v1 and v1beta1 of Gateway API) share one module.
          fs.writeFileSync(module, `// Generated by scripts/import.ts (${key}: the same schema). Do not edit.\n"use strict";\nmodule.exports = require(${JSON.stringify(`./${path.relative(path.dirname(module), same)}`)});\n`);
        } else {
          const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, useDefaults: true, code: { source: true, regExp: re2 } });
          const code = standaloneCode(ajv, ajv.compile(schema));
          fs.writeFileSync(module, `// Generated by scripts/import.ts from ${url} (${key}). Do not edit.\n${code}\nmodule.exports.cel = ${JSON.stringify(cel, null, 1)};\n`);
          written.set(hash, module);
        }
        index.push(key);
      }
    }
  }
  index.sort();
  fs.writeFileSync(path.join(outDir, 'index.js'), [
    '// Generated by scripts/import.ts. Do not edit.',
    '// The validator of each custom resource kind, by apiVersion/kind, each loaded on first use.',
    '"use strict";',
    'module.exports = {',
    ...index.map((key) => `  ${JSON.stringify(key)}: () => require(${JSON.stringify(`./${key}.js`)}),`),
    '};',
    '',
  ].join('\n'));
  return index;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length && (args[0] !== '--crds' || args.length !== 2)) throw new Error('usage: npm run import [-- --crds DIR]');
  const crdsDir = args.length ? path.resolve(args[1]) : undefined;
  const entries = importEntries();
  // Each file read once, from its URL or its local copy, and both outputs made from those bytes.
  const sources = await Promise.all(entries.map(async ({ prefix, url }) => {
    if (crdsDir) return { prefix, url, text: fs.readFileSync(localCopy(url, crdsDir), 'utf8') };
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return { prefix, url, text: await res.text() };
  }));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-'));
  try {
    for (const f of fs.readdirSync(IMPORTS)) if (/\.(ts|js)$/.test(f)) fs.rmSync(path.join(IMPORTS, f));
    for (const { prefix, url, text } of sources) {
      const file = path.join(tmp, `${prefix}-${path.basename(url)}`);
      fs.writeFileSync(file, text);
      const r = spawnSync('npx', ['cdk8s', 'import', `${prefix}:=${file}`, '--language', 'typescript', '--output', IMPORTS, '--save', 'false', '--no-check-upgrade'],
        { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cdk8s import ${prefix}:=${url} failed:\n${r.stdout}${r.stderr}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const kinds = writeValidators(sources);
  console.log(`imports/: ${entries.length} modules (cdk8s import), ${kinds.length} validators: ${kinds.join(', ')}`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
