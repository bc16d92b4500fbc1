import type { Manifest } from '../policy/manifest';
import { literalSecretProblem, redactSecret } from '../policy/validation';
import { CLUSTER_SCOPED, InputDoc, namespaceOf, record, text } from './facts';
import { AdoptDiff, DiffEntry } from './model';

// The input against what the generated spec synthesizes, object by object: matched by API group, kind, namespace and
// name (the identity the API server keeps; the version may differ), and field by field where both have the object.

/** Fields the cluster writes, not the author: left out of the comparison. */
const SERVER_FIELDS = ['status', 'metadata.creationTimestamp', 'metadata.resourceVersion', 'metadata.uid', 'metadata.generation', 'metadata.managedFields', 'metadata.selfLink'];
const SERVER_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** The identity of an object in the cluster. */
export function identityOf(doc: Manifest): { key: string; apiVersion: string; kind: string; namespace?: string; name: string } {
  const d = record(doc);
  const apiVersion = text(d.apiVersion) ?? '';
  const kind = text(d.kind) ?? '';
  const name = text(record(d.metadata).name) ?? '';
  const namespace = CLUSTER_SCOPED.has(kind) ? undefined : namespaceOf(d);
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return { key: `${group}|${kind}|${namespace ?? ''}|${name}`, apiVersion, kind, ...(namespace ? { namespace } : {}), name };
}

/**
 * Every object of the input and of the synthesized spec: added, removed (adopted, no longer made: delete it when you
 * migrate), kept (not adopted: keep applying it), changed (with its fields) or unchanged.
 */
export function diffObjects(input: InputDoc[], adopted: (d: InputDoc) => boolean, synthesized: Manifest[]): DiffEntry[] {
  const made = new Map(synthesized.map((doc) => [identityOf(doc).key, doc]));
  const seen = new Set<string>();
  const entries: DiffEntry[] = [];
  for (const d of input) {
    const id = identityOf(d.doc);
    if (seen.has(id.key)) continue;
    seen.add(id.key);
    const { key: _key, ...where } = id;
    const after = made.get(id.key);
    if (!after) {
      entries.push({ change: adopted(d) ? 'removed' : 'kept', ...where, fields: [] });
      continue;
    }
    const fields = diffFields(d.doc, after);
    const { key: _made, ...now } = identityOf(after);
    entries.push({ change: fields.length ? 'changed' : 'unchanged', ...now, fields });
  }
  for (const [key, doc] of made) {
    if (seen.has(key)) continue;
    const { key: _key, ...where } = identityOf(doc);
    entries.push({ change: 'added', ...where, fields: [] });
  }
  return entries;
}

/** The fields of two versions of one object that differ; secret values shown redacted (the diff goes into reviews). */
export function diffFields(before: Manifest, after: Manifest): DiffEntry['fields'] {
  const a = redact(flatten(clean(before)));
  const b = redact(flatten(clean(after)));
  const out: Array<{ path: string; before?: unknown; after?: unknown }> = [];
  for (const [path, value] of a) {
    if (!b.has(path)) out.push({ path, before: value });
    else if (JSON.stringify(b.get(path)) !== JSON.stringify(value)) out.push({ path, before: value, after: b.get(path) });
  }
  for (const [path, value] of b) if (!a.has(path)) out.push({ path, after: value });
  return out;
}

/** A Secret's values, and variables whose literal value is a secret (the library's own rule), as `***`. */
function redact(fields: Map<string, unknown>): Map<string, unknown> {
  for (const [path, value] of fields) {
    const env = /\.env\[([^\]]+)\]\.value$/.exec(path);
    if (/^(data|stringData)[.[]/.test(path) || (env && literalSecretProblem(env[1], value))) fields.set(path, typeof value === 'string' ? redactSecret(value) : '***');
  }
  return fields;
}

function clean(doc: Manifest): Manifest {
  const copy = JSON.parse(JSON.stringify(record(doc))) as Record<string, Manifest>;
  for (const path of SERVER_FIELDS) {
    const parts = path.split('.');
    const parent = parts.slice(0, -1).reduce((o, p) => record(o)[p], copy as Manifest);
    if (parent && typeof parent === 'object') delete parent[parts[parts.length - 1]];
  }
  const annotations = record(record(copy.metadata).annotations);
  for (const a of SERVER_ANNOTATIONS) delete annotations[a];
  return copy;
}

/** Leaf paths and values: `spec.rules[0].host`, list items by name (`containers[web].image`) where every item has a distinct one. */
function flatten(value: Manifest, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (!value.length) out.set(path, []);
    const names = value.map((v) => text(record(v).name));
    const byName = names.every((n) => n !== undefined) && new Set(names).size === names.length;
    value.forEach((v, i) => flatten(v, `${path}[${byName ? names[i] : i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) out.set(path, {});
    for (const [k, v] of entries) flatten(v, path ? (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`) : k, out);
  } else {
    out.set(path, value);
  }
  return out;
}

const SIGN: Record<DiffEntry['change'], string> = { added: '+ added    ', removed: '- removed  ', changed: '~ changed  ', unchanged: '= unchanged', kept: '= kept     ' };

/** The diff as text, one object a line, changed fields below it. */
export function formatDiff(entries: DiffEntry[]): AdoptDiff {
  const count = (c: DiffEntry['change']) => entries.filter((e) => e.change === c).length;
  const lines = [`input → generated spec: ${count('added')} added, ${count('removed')} removed (delete them when you migrate), ${count('changed')} changed, ${count('unchanged')} unchanged, ${count('kept')} kept (not adopted: keep applying them)`];
  const show = (v: unknown) => { const s = JSON.stringify(v) ?? 'undefined'; return s.length > 100 ? `${s.slice(0, 97)}...` : s; };
  for (const e of entries) {
    lines.push(`${SIGN[e.change]} ${e.apiVersion} ${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}`);
    for (const f of e.fields) {
      lines.push(f.before === undefined ? `      + ${f.path}: ${show(f.after)}` : f.after === undefined ? `      - ${f.path}: ${show(f.before)}` : `      ~ ${f.path}: ${show(f.before)} → ${show(f.after)}`);
    }
  }
  return { entries, text: `${lines.join('\n')}\n` };
}
