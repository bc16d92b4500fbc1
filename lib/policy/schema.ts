import { CelSite, celErrors } from './cel';
import type { Manifest } from './manifest';

/**
 * Validates Kubernetes manifests against their upstream schemas: custom resources against the `openAPIV3Schema` of the
 * upstream CRDs, compiled ahead of time by `npm run import` into imports/validators (one module per kind, loaded on first
 * use; unknown fields are errors, as the API server prunes them) and their CEL `x-kubernetes-validations` rules
 * (evaluated after the schema defaults are applied, as the API server does); core kinds against the Kubernetes OpenAPI
 * schema, as kubernetes-models compiles it.
 */
interface KindValidator {
  (doc: unknown): boolean;
  errors?: SchemaError[] | null;
  /** Where the CRD's CEL rules apply (none for core kinds). */
  cel?: CelSite[];
}

interface SchemaError {
  readonly instancePath: string;
  readonly message?: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
}

/** A kubernetes-models class: `validate()` throws a ValidationError with ajv's errors. */
type CoreModel = new (data: unknown) => { validate(): void };

// Every custom resource validator by apiVersion/kind (generated with them), each module loaded on first use.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- generated JavaScript without declarations
const crds: Record<string, () => KindValidator> = require('../../imports/validators/index.js');

/** The core kinds the checks know, each with its kubernetes-models module, loaded on first use. */
/* eslint-disable @typescript-eslint/no-require-imports -- one module per kind, loaded only for a kind that is present */
const CORE: Record<string, () => CoreModel> = {
  'v1/Namespace': () => require('kubernetes-models/v1/Namespace').Namespace,
  'v1/Service': () => require('kubernetes-models/v1/Service').Service,
  'v1/ConfigMap': () => require('kubernetes-models/v1/ConfigMap').ConfigMap,
  'v1/Secret': () => require('kubernetes-models/v1/Secret').Secret,
  'v1/ServiceAccount': () => require('kubernetes-models/v1/ServiceAccount').ServiceAccount,
  'v1/Pod': () => require('kubernetes-models/v1/Pod').Pod,
  'v1/PersistentVolumeClaim': () => require('kubernetes-models/v1/PersistentVolumeClaim').PersistentVolumeClaim,
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1/Deployment').Deployment,
  'apps/v1/StatefulSet': () => require('kubernetes-models/apps/v1/StatefulSet').StatefulSet,
  'apps/v1/DaemonSet': () => require('kubernetes-models/apps/v1/DaemonSet').DaemonSet,
  'apps/v1/ReplicaSet': () => require('kubernetes-models/apps/v1/ReplicaSet').ReplicaSet,
  'batch/v1/Job': () => require('kubernetes-models/batch/v1/Job').Job,
  'batch/v1/CronJob': () => require('kubernetes-models/batch/v1/CronJob').CronJob,
  'networking.k8s.io/v1/Ingress': () => require('kubernetes-models/networking.k8s.io/v1/Ingress').Ingress,
  'networking.k8s.io/v1/IngressClass': () => require('kubernetes-models/networking.k8s.io/v1/IngressClass').IngressClass,
  'networking.k8s.io/v1/NetworkPolicy': () => require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy').NetworkPolicy,
  'policy/v1/PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget').PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/Role').Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding').RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole').ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding').ClusterRoleBinding,
  'autoscaling/v2/HorizontalPodAutoscaler': () => require('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').HorizontalPodAutoscaler,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** A core kind's model as a validator: its errors are ajv's, as a CRD validator's. */
function coreValidator(Model: CoreModel): KindValidator {
  const validate: KindValidator = (doc) => {
    try {
      new Model(doc).validate();
      validate.errors = null;
      return true;
    } catch (e) {
      const errors = (e as { errors?: SchemaError[] }).errors;
      if (!Array.isArray(errors)) throw e;
      validate.errors = errors;
      return false;
    }
  };
  return validate;
}

const validators = new Map<string, KindValidator | undefined>();

/** The validator of a kind: a CRD's generated module, or a core kind's model. */
function validatorFor(apiVersion: string, kind: string): KindValidator | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!validators.has(key)) {
    const crd = Object.prototype.hasOwnProperty.call(crds, key) ? crds[key] : undefined;
    const core = Object.prototype.hasOwnProperty.call(CORE, key) ? CORE[key] : undefined;
    validators.set(key, crd ? crd() : core && coreValidator(core()));
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
export function validateDocument(doc: Manifest): DocumentErrors {
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
export function schemaErrors(doc: Manifest): string[] {
  const r = validateDocument(doc);
  return [...r.schema, ...r.cel.map((c) => `${c.field}: ${c.message}`)];
}
