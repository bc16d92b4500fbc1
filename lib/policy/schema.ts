import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/**
 * Validates Kubernetes manifests against their upstream schemas: core kinds through `kubernetes-models`
 * (the Kubernetes OpenAPI schema), custom resources through the `openAPIV3Schema` of the upstream CRDs
 * (extracted into imports/schemas by scripts/import-crds.sh). Unknown fields in custom resources are errors.
 */
const SCHEMA_DIRS = [
  path.join(__dirname, '..', '..', 'imports', 'schemas'), // generated from the upstream CRDs
  path.join(__dirname, 'schemas'), // hand-written where no upstream CRD is provided (trust-manager)
];

let crdSchemas: Record<string, object> | undefined;
const compiled = new Map<string, ValidateFunction>();
// optimize: false compiles the very large CRD schemas ~2x faster; validation speed is not the bottleneck.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { optimize: false } });

function loadCrdSchemas(): Record<string, object> {
  crdSchemas ??= Object.assign({}, ...SCHEMA_DIRS.flatMap((dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))));
  return crdSchemas!;
}

/** Object schemas with declared properties reject undeclared ones, as the API server does (it prunes them). */
function closeObjects(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'enum' || k === 'default' || k === 'example' ? v : closeObjects(v)]));
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

function crdValidator(key: string): ValidateFunction | undefined {
  if (!compiled.has(key)) {
    const schema = loadCrdSchemas()[key];
    if (!schema) return undefined;
    const closed = closeObjects(schema);
    // metadata is validated by the API server itself; the CRD schema only says "object".
    if (closed.properties?.metadata) closed.properties.metadata = { type: 'object' };
    compiled.set(key, ajv.compile(closed));
  }
  return compiled.get(key);
}

const models = new Map<string, any>();
function coreModel(apiVersion: string, kind: string): any {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    let model: any;
    if (!group.includes('.') || group.endsWith('.k8s.io')) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        model = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`)[kind];
      } catch {
        model = undefined;
      }
    }
    models.set(key, model);
  }
  return models.get(key);
}

/** Schema errors of one manifest ([] when valid). */
export function schemaErrors(doc: any): string[] {
  if (!doc || typeof doc !== 'object' || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
    return ['not a Kubernetes object: apiVersion and kind are required'];
  }
  const { apiVersion, kind } = doc;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const crd = crdValidator(`${group}/${version}/${kind}`);
  if (crd) {
    return crd(doc) ? [] : (crd.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? `: "${(e.params as any).additionalProperty}"` : ''}`);
  }
  const Model = coreModel(apiVersion, kind);
  if (!Model) return [`no schema known for ${apiVersion} ${kind}`];
  try {
    // Validate the document itself: a Model instance would first deep-copy it (our documents have no undefined values).
    Model.prototype.validate.call(doc);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

