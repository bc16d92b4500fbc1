// Compiles every served version of every CRD under the given folders into a validator module, ahead of time, so no
// schema is compiled at synth time: imports/validators/<group>/<version>/<Kind>.js holds ajv standalone code for the
// CRD's openAPIV3Schema (descriptions dropped, unknown fields rejected as the API server prunes them, defaults applied
// to the validated copy) and, as `.cel`, the schema's x-kubernetes-validations rules with where they apply.
// Run by scripts/import-crds.sh; the output is committed. Never edit it by hand.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from '@bufbuild/cel';
import { ExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { toBinary } from '@bufbuild/protobuf';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { buildSync, transformSync } from 'esbuild';
import { parseAllDocuments } from 'yaml';
import { re2 } from '../lib/policy/re2';

import type { CelSite } from '../lib/policy/cel';

const DROP = new Set(['description', 'x-kubernetes-validations']);

/** What ajv compiles: descriptions and CEL rules dropped, objects with declared properties closed, metadata left to the API server. */
export function forAjv(schema: any, top = true): any {
  if (Array.isArray(schema)) return schema.map((s) => forAjv(s, false));
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = Object.fromEntries(Object.entries(schema).filter(([k]) => !DROP.has(k))
    .map(([k, v]) => [k, k === 'enum' || k === 'default' || k === 'example' ? v : forAjv(v, false)]));
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  if (top && out.properties?.metadata) out.properties.metadata = { type: 'object' };
  return out;
}

/** A subschema at least this large (JSON characters) becomes a definition of its own. */
const SHARED_MIN = 4096;

/**
 * Large subschemas as definitions, referenced where they were: ajv makes each a function of its own (`inlineRefs:
 * false`), which V8 compiles only when a document has that field (a ClusterIssuer without an ACME pod template never
 * compiles the pod template's validator: loading it cost 16 ms when it was one function), and identical subschemas
 * (the same filters under an HTTPRoute's rules and its backendRefs) share one. Error paths are unchanged.
 */
export function shareLarge(root: any): any {
  const definitions: Record<string, unknown> = {};
  const visit = (schema: any): any => {
    if (Array.isArray(schema)) return schema.map(visit);
    if (!schema || typeof schema !== 'object') return schema;
    const out: any = { ...schema };
    for (const key of ['properties', 'patternProperties']) {
      if (out[key]) out[key] = Object.fromEntries(Object.entries(out[key]).map(([k, v]) => [k, share(visit(v))]));
    }
    for (const key of ['items', 'additionalProperties']) if (out[key] && typeof out[key] === 'object') out[key] = share(visit(out[key]));
    // Not the branches of not/allOf/anyOf/oneOf themselves: ajv applies no defaults there, but would behind a $ref.
    for (const key of ['not', 'allOf', 'anyOf', 'oneOf']) if (out[key]) out[key] = visit(out[key]);
    return out;
  };
  const share = (schema: any): any => {
    if (Array.isArray(schema) || !schema || typeof schema !== 'object') return schema;
    // A schema's own default is read from where it stands (its parent's properties): behind a $ref it would be lost.
    if ('default' in schema) return schema;
    const json = JSON.stringify(schema);
    if (json.length < SHARED_MIN) return schema;
    const name = `s${crypto.createHash('sha256').update(json).digest('hex').slice(0, 16)}`;
    definitions[name] = schema;
    return { $ref: `#/definitions/${name}` };
  };
  const out = visit(root);
  return Object.keys(definitions).length ? { ...out, definitions } : out;
}

/**
 * A rule parsed ahead of time: its CEL syntax tree (protobuf binary, base64), so a check plans it without loading or
 * warming up the parser. The Expr alone: the planner never reads the source positions, and without them a check decodes
 * half the bytes. A rule that does not parse keeps only its text (the check reports it).
 */
function parsed(rule: string): string | undefined {
  try {
    return Buffer.from(toBinary(ExprSchema, parse(rule).expr!)).toString('base64');
  } catch {
    return undefined;
  }
}

/** Every x-kubernetes-validations site; transition rules (oldSelf) are skipped: a manifest has no old object. */
function celSites(schema: any, at: string[] = [], out: CelSite[] = []): CelSite[] {
  if (!schema || typeof schema !== 'object') return out;
  const rules = (schema['x-kubernetes-validations'] ?? [])
    .filter((r: any) => !/\boldSelf\b/.test(r.rule))
    .map((r: any) => {
      const ast = parsed(r.rule);
      return { rule: r.rule, ...(r.message ? { message: r.message } : {}), ...(ast ? { ast } : {}) };
    });
  if (rules.length) out.push({ path: at, rules });
  for (const [k, v] of Object.entries(schema.properties ?? {})) celSites(v, [...at, k], out);
  if (schema.items) celSites(schema.items, [...at, '[]'], out);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') celSites(schema.additionalProperties, [...at, '{}'], out);
  for (const key of ['allOf', 'anyOf', 'oneOf']) for (const s of schema[key] ?? []) celSites(s, at, out);
  return out;
}

/** Minified: the validators are loaded at synth time, and parsing is most of what loading them costs. */
function minify(code: string): string {
  return transformSync(code, { minify: true, format: 'cjs', platform: 'node', target: 'node20' }).code;
}

/**
 * The core Kubernetes kinds the checks know, with their kubernetes-models schema module (the Kubernetes OpenAPI
 * schema, already compiled by ajv): bundled with their dependencies into one minified module each, so a check loads
 * one file per kind and kubernetes-models is needed only here, not by the package's users.
 */
const CORE_KINDS: Array<[apiVersion: string, kind: string, schema: string]> = [
  ...['Namespace', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Pod', 'PersistentVolumeClaim'].map((k): [string, string, string] => ['v1', k, `IoK8sApiCoreV1${k}`]),
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((k): [string, string, string] => ['apps/v1', k, `IoK8sApiAppsV1${k}`]),
  ...['Job', 'CronJob'].map((k): [string, string, string] => ['batch/v1', k, `IoK8sApiBatchV1${k}`]),
  ...['Ingress', 'IngressClass', 'NetworkPolicy'].map((k): [string, string, string] => ['networking.k8s.io/v1', k, `IoK8sApiNetworkingV1${k}`]),
  ['policy/v1', 'PodDisruptionBudget', 'IoK8sApiPolicyV1PodDisruptionBudget'],
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k): [string, string, string] => ['rbac.authorization.k8s.io/v1', k, `IoK8sApiRbacV1${k}`]),
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'IoK8sApiAutoscalingV2HorizontalPodAutoscaler'],
];

function compileCore(outDir: string): string[] {
  const pkg = path.dirname(require.resolve('kubernetes-models/package.json'));
  const version = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).version;
  // By path: the package's exports map does not list its compiled schemas. One bundle: the kinds share most of their
  // schemas. Each kind a getter: the bundle initializes a schema module on first use, so only the kinds a synth
  // validates (and what they refer to) are set up.
  const entries = CORE_KINDS.map(([apiVersion, kind, schema]) => `get ${JSON.stringify(`${apiVersion}/${kind}`)}() { return require(${JSON.stringify(path.join(pkg, '_schemas', `${schema}.js`))}).validate; }`);
  const out = buildSync({
    stdin: { contents: `module.exports = {\n${entries.join(',\n')}\n};`, resolveDir: process.cwd() },
    bundle: true, minify: true, format: 'cjs', platform: 'node', target: 'node20', write: false,
    // The schemas use only the formats of @kubernetes-models/validate; its index also loads ajv-i18n's messages.
    alias: { '@kubernetes-models/validate': path.join(path.dirname(require.resolve('@kubernetes-models/validate', { paths: [pkg] })), 'formats.js') },
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'core.js'), `// Generated by scripts/compile-schemas.ts from kubernetes-models ${version} (the Kubernetes OpenAPI schema). Do not edit.\n${out.outputFiles[0].text}`);
  return CORE_KINDS.map(([apiVersion, kind]) => `${apiVersion}/${kind}`);
}

/** The licence notice of each bundled package (its LICENSE file where it ships one), for a bundle's header. */
function notices(packages: string[]): string {
  const out = packages.map((name) => {
    const dir = path.join('node_modules', name); // where the bundle resolved it from (resolveDir)
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const licence = fs.existsSync(path.join(dir, 'LICENSE')) ? `\n${fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8').trim()}` : '';
    return `${name} ${pkg.version} (${pkg.license}, ${pkg.repository?.url ?? pkg.homepage})${licence}`;
  });
  if (packages.includes('@bufbuild/protobuf')) {
    // @bufbuild/protobuf's varint code is Google's, under BSD-3-Clause: its notice, as the file carries it.
    const varint = fs.readFileSync(require.resolve('@bufbuild/protobuf/wire').replace(/index\.js$/, 'varint.js'), 'utf8');
    out.push(`@bufbuild/protobuf wire/varint.js:\n${varint.split('\n').slice(1).join('\n').match(/^(\/\/.*\n)+/)![0].replace(/^\/\/ ?/gm, '').trim()}`);
  }
  return `/*\nGenerated by scripts/compile-schemas.ts: bundled from the packages below. Do not edit.\nApache-2.0 licence: see LICENSE of this package.\n\n${out.join('\n\n')}\n*/\n`;
}

/**
 * What the checks evaluate RE2 patterns and CEL rules with, bundled into minified modules: loading ~100 small files
 * cost a synth more than the code in them, and a bundle keeps only what the checks use. Two of them, because most
 * documents meet schema patterns and no CEL rule: re2.js (@bufbuild/re2) and cel.js (@bufbuild/cel with its strings
 * extension, the protobuf runtime and CEL's syntax tree message; it uses re2.js rather than a copy). The packages are
 * build-time dependencies only; their licences are kept in each bundle's header.
 */
function bundleRuntime(outDir: string): string[] {
  const bundles: Array<[file: string, packages: string[], exports: string[]]> = [
    ['re2.js', ['@bufbuild/re2'], ["export { RE2JS } from '@bufbuild/re2';"]],
    ['cel.js', ['@bufbuild/cel', '@bufbuild/cel-spec', '@bufbuild/protobuf'], [
      "export { celEnv, celFunc, CelScalar, plan, parse, isCelError } from '@bufbuild/cel';",
      "export { strings } from '@bufbuild/cel/ext';",
      "export { fromBinary } from '@bufbuild/protobuf';",
      "export { ExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';",
    ]],
  ];
  for (const [file, packages, exports] of bundles) {
    const out = buildSync({
      stdin: { contents: exports.join('\n'), resolveDir: process.cwd() },
      bundle: true, minify: true, format: 'cjs', platform: 'node', target: 'node20', write: false, legalComments: 'none',
      // cel.js loads re2.js beside it for the RE2 @bufbuild/cel imports.
      ...(file === 're2.js' ? {} : { alias: { '@bufbuild/re2': './re2.js' }, external: ['./re2.js'] }),
    });
    fs.writeFileSync(path.join(outDir, file), notices(packages) + out.outputFiles[0].text);
  }
  return bundles.map(([file]) => file);
}

function main(): void {
  const [outDir, ...inputs] = process.argv.slice(2);
  const files = inputs.flatMap((p) => (fs.statSync(p).isDirectory() ? fs.readdirSync(p).map((f) => path.join(p, f)) : [p])).filter((f) => /\.ya?ml$/.test(f)).sort();
  fs.rmSync(outDir, { recursive: true, force: true });
  const written = new Map<string, string>(); // schema hash → module written for it
  const index: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
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
          fs.writeFileSync(module, `"use strict";\nmodule.exports = require(${JSON.stringify(`./${path.relative(path.dirname(module), same).replace(/\\/g, '/')}`)});\n`);
        } else {
          const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, useDefaults: true, inlineRefs: false, code: { source: true, regExp: re2 } });
          const code = minify(`${standaloneCode(ajv, ajv.compile(shareLarge(schema)))}\nmodule.exports.cel = ${JSON.stringify(cel)};`);
          fs.writeFileSync(module, `// Generated by scripts/compile-schemas.ts from ${path.basename(file)} (${key}). Do not edit.\n${code}`);
          written.set(hash, module);
        }
        index.push(key);
      }
    }
  }
  const core = compileCore(outDir);
  const runtime = bundleRuntime(outDir);
  // The one way in: required by name (not by a computed path), so a bundler sees every validator (scripts/bundle.js).
  fs.writeFileSync(path.join(outDir, 'index.js'), [
    '// Generated by scripts/compile-schemas.ts. Do not edit.',
    '// The validator of each kind, loaded on first use: custom resources by group/version/kind, core kinds from core.js.',
    '"use strict";',
    'module.exports = {',
    '  crds: {',
    ...index.map((key) => `    ${JSON.stringify(key)}: () => require(${JSON.stringify(`./${key}.js`)}),`),
    '  },',
    '  core: () => require("./core.js"),',
    '};',
    '',
  ].join('\n'));
  console.log(`${outDir}: ${index.length} CRD validators (${written.size} distinct): ${index.join(', ')}; ${core.length} core: ${core.join(', ')}; runtime: ${runtime.join(', ')}`);
}

if (require.main === module) main();
