import * as fs from 'fs';
import * as path from 'path';
import { CelSite, celErrors } from './cel';

/**
 * Validates Kubernetes manifests against their upstream schemas: custom resources against the `openAPIV3Schema` of
 * the upstream CRDs (compiled ahead of time into imports/validators by scripts/import-crds.sh, loaded per kind on
 * first use; unknown fields are errors, as the API server prunes them) and their CEL `x-kubernetes-validations`
 * rules (evaluated after the schema defaults are applied, as the API server does); core kinds against the Kubernetes
 * OpenAPI schema through `kubernetes-models` (also precompiled, per kind).
 */
const VALIDATORS = path.join(__dirname, '..', '..', 'imports', 'validators');

interface CrdValidator {
  (doc: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }> | null;
  /** Where the CRD's CEL rules apply. */
  cel: CelSite[];
}

const validators = new Map<string, CrdValidator | undefined>();
function crdValidator(group: string, version: string, kind: string): CrdValidator | undefined {
  const key = `${group}/${version}/${kind}`;
  if (!validators.has(key)) {
    const file = path.join(VALIDATORS, group, version, `${kind}.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validators.set(key, group.includes('.') && fs.existsSync(file) ? require(file) : undefined);
  }
  return validators.get(key);
}

const models = new Map<string, any>();
function coreModel(group: string, version: string, kind: string): any {
  const key = `${group}/${version}/${kind}`;
  if (!models.has(key)) {
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

/** Problems of one manifest against its schema and CEL rules. */
export interface DocumentErrors {
  /** Schema violations, `<json pointer> <message>` ([] when valid). */
  readonly schema: string[];
  /** CEL rules that do not hold: `<field>: <message>`. */
  readonly cel: Array<{ readonly field: string; readonly message: string }>;
  /** CEL rules that could not be evaluated (an unknown function): reported, never guessed. */
  readonly celUnknown: Array<{ readonly field: string; readonly message: string }>;
  /** No schema is known for the apiVersion and kind. */
  readonly unknownKind?: boolean;
}

/** Validates one manifest (it is not modified: defaults are applied to a copy). */
export function validateDocument(doc: any): DocumentErrors {
  if (!doc || typeof doc !== 'object' || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
    return { schema: ['not a Kubernetes object: apiVersion and kind are required'], cel: [], celUnknown: [] };
  }
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
  const crd = crdValidator(group, version, doc.kind);
  if (crd) {
    const copy = JSON.parse(JSON.stringify(doc));
    const schema = crd(copy) ? [] : (crd.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? `: "${e.params.additionalProperty}"` : ''}`);
    // CEL rules assume a structurally valid object; the API server evaluates them only then.
    return { schema, ...(schema.length ? { cel: [], celUnknown: [] } : celErrors(copy, crd.cel)) };
  }
  const Model = coreModel(group, version, doc.kind);
  if (!Model) return { schema: [`no schema known for ${doc.apiVersion} ${doc.kind}`], cel: [], celUnknown: [], unknownKind: true };
  try {
    // Validate the document itself: a Model instance would first deep-copy it.
    Model.prototype.validate.call(doc);
    return { schema: [], cel: [], celUnknown: [] };
  } catch (e) {
    return { schema: [(e as Error).message], cel: [], celUnknown: [] };
  }
}

/** Schema and CEL errors of one manifest as lines ([] when valid). */
export function schemaErrors(doc: any): string[] {
  const r = validateDocument(doc);
  return [...r.schema, ...r.cel.map((c) => `${c.field}: ${c.message}`)];
}
