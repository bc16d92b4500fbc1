import { CelSite, celErrors } from './cel';

/**
 * Validates Kubernetes manifests against their upstream schemas, compiled ahead of time into imports/validators by
 * scripts/import-crds.sh and loaded on first use: custom resources against the `openAPIV3Schema` of the upstream CRDs
 * (one module per kind; unknown fields are errors, as the API server prunes them) and their CEL
 * `x-kubernetes-validations` rules (evaluated after the schema defaults are applied, as the API server does); core
 * kinds against the Kubernetes OpenAPI schema (kubernetes-models' compiled schemas, bundled into one module).
 */
interface KindValidator {
  (doc: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }> | null;
  /** Where the CRD's CEL rules apply (none for core kinds). */
  cel?: CelSite[];
}

// Every validator by name (imports/validators/index.js, generated with them), each module loaded on first use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const available: { crds: Record<string, () => KindValidator>; core: () => Record<string, KindValidator> } = require('../../imports/validators/index.js');
const validators = new Map<string, KindValidator | undefined>();
let core: Record<string, KindValidator> | undefined;

/** The validator of a kind: a CRD's own module, or the core kinds' bundle. */
function validatorFor(apiVersion: string, kind: string): KindValidator | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!validators.has(key)) {
    const crd = Object.prototype.hasOwnProperty.call(available.crds, key) ? available.crds[key] : undefined;
    validators.set(key, crd ? crd() : (core ??= available.core())[key]);
  }
  return validators.get(key);
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
  const validate = validatorFor(doc.apiVersion, doc.kind);
  if (!validate) return { schema: [`no schema known for ${doc.apiVersion} ${doc.kind}`], cel: [], celUnknown: [], unknownKind: true };
  // CRD validators apply the schema defaults (which the CEL rules then see, as in the API server): on a copy.
  const cel = validate.cel ?? [];
  const subject = validate.cel ? JSON.parse(JSON.stringify(doc)) : doc;
  const schema = validate(subject) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? `: "${e.params.additionalProperty}"` : ''}`);
  // CEL rules assume a structurally valid object; the API server evaluates them only then.
  return { schema, ...(schema.length || !cel.length ? { cel: [], celUnknown: [] } : celErrors(subject, cel)) };
}

/** Schema and CEL errors of one manifest as lines ([] when valid). */
export function schemaErrors(doc: any): string[] {
  const r = validateDocument(doc);
  return [...r.schema, ...r.cel.map((c) => `${c.field}: ${c.message}`)];
}
