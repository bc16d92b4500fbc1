/**
 * A Kubernetes manifest as it is read from YAML or synthesized: untyped JSON, whose fields the checks, the summary and
 * the requirements probe with optional chaining (a hand-written manifest may hold anything, or nothing, anywhere).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML has no static type; every read tolerates absence
export type Manifest = any;
