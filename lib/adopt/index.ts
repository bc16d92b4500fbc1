import { App } from 'cdk8s';
import { ManifestDoc, checkManifests } from '../policy/check';
import { TlsStackError } from '../policy/validation';
import { TlsPolicyError } from '../policy/gate';
import { synthChecked } from '../synth';
import { buildModel } from './build';
import { Program } from './code';
import { diffObjects, formatDiff, identityOf } from './diff';
import { evaluate } from './evaluate';
import { Facts, Input, InputDoc, Reader, groupOf, inputDoc, list, ofKnownGroup, record, text } from './facts';
import { AdoptOptions, AdoptResult, AdoptionModel, Conflict, NotAdopted } from './model';
import { buildProgram } from './program';
import { certManagerReader } from './read-certmanager';
import { gatewayReader } from './read-gateway';
import { ingressReader } from './read-ingress';
import { traefikReader } from './read-traefik';
import { renderReport } from './report';
import { printProgram } from './typescript';

// adopt: manifests → documents with origins → facts (the readers) → the adoption model (build.ts) → the program, its
// TypeScript, its in-process synthesis and diff, and the migration report. Data flows one way; nothing here writes.

/** The readers, in the order they read (cert-manager first: the others look issuers up). */
const READERS: Reader[] = [certManagerReader, ingressReader, gatewayReader, traefikReader];
/** Kinds read when something refers to them (workloads, namespaces, Secrets, ConfigMaps). */
const REFERENCED = ['Service', 'Deployment', 'Namespace', 'Secret', 'ConfigMap'];

/** Adopts the manifests: see {@link AdoptResult}. Never throws on odd documents; throws only on a bug. */
export function adopt(manifests: ManifestDoc[], options: AdoptOptions = {}): AdoptResult {
  const docs = expandLists(manifests);
  const conflicts: Conflict[] = [];
  const input = new Input(firstOfEachObject(docs, conflicts));
  const facts = new Facts();
  for (const reader of READERS) reader.read(input, facts);
  const built = buildModel(input, facts, { edge: options.edge }, conflicts);
  const model: AdoptionModel = {
    ...built,
    notes: facts.notes,
    notAdopted: notAdopted(docs, input, facts),
    conflicts,
    ...checkInput(manifests),
    files: [...new Set(manifests.map((m) => m.file))],
    documents: docs.length,
  };
  const blocked = conflicts.length > 0 && !options.force;
  if (blocked) return { report: renderReport(model, { blocked, force: false, synthErrors: [] }), notAdopted: model.notAdopted, conflicts, blocked, synthErrors: [], model };
  const program = buildProgram(model);
  const { docs: synthesized, errors } = synthesize(program);
  const diff = options.diff && synthesized ? formatDiff(diffObjects(docs, (d) => facts.used.has(d.origin.index), synthesized)) : undefined;
  return {
    typescript: printProgram(program),
    report: renderReport(model, { blocked, force: !!options.force, synthErrors: errors, diff }),
    ...(diff ? { diff } : {}),
    notAdopted: model.notAdopted, conflicts, blocked, synthErrors: errors, model, program,
  };
}

/**
 * What `cdk8s-tls check` finds in the input. The check reads documents less defensively than adopt does: when it throws
 * on one (a field of an unexpected type), the report says so instead of failing the adoption.
 */
function checkInput(manifests: ManifestDoc[]): Pick<AdoptionModel, 'findings' | 'checkError'> {
  try {
    return { findings: checkManifests(manifests) };
  } catch (e) {
    return { findings: [], checkError: (e as Error).message };
  }
}

/** The program built with the library and synthesized through its gate: the documents, or the library's refusals. */
export function synthesize(program: Program): { docs?: Array<Record<string, unknown>>; errors: string[] } {
  const app = new App();
  try {
    evaluate(program, app);
    return { docs: synthChecked(app).charts.flatMap((c) => c.docs), errors: [] };
  } catch (e) {
    if (e instanceof TlsPolicyError) return { errors: e.errors };
    if (e instanceof TlsStackError) return { errors: [e.message] };
    throw e;
  }
}

/** Every document with its origin; a `List` (kubectl get -o yaml) stands for its items. */
function expandLists(manifests: ManifestDoc[]): InputDoc[] {
  const raw = manifests.flatMap((m) => {
    const doc = record(m.doc);
    return /List$/.test(text(doc.kind) ?? '') && Array.isArray(doc.items) ? list(doc.items).map((item) => ({ file: m.file, doc: item })) : [{ file: m.file, doc: m.doc }];
  });
  return raw.map((r, index) => inputDoc(r.doc, r.file, index));
}

/** The first document of each object identity; the others are a conflict (a plain kubectl apply keeps the last). */
function firstOfEachObject(docs: InputDoc[], conflicts: Conflict[]): InputDoc[] {
  const first = new Map<string, InputDoc>();
  const kept: InputDoc[] = [];
  for (const d of docs) {
    const id = identityOf(d.doc);
    const other = first.get(id.key);
    if (!id.kind || !id.name || !other) {
      if (id.kind && id.name) first.set(id.key, d);
      kept.push(d);
      continue;
    }
    const subject = `object ${id.apiVersion} ${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
    const existing = conflicts.find((c) => c.subject === subject);
    const claim = { origin: d.origin, detail: 'defines it again (kubectl apply would keep the last definition)' };
    if (existing) (existing.claims as Array<typeof claim>).push(claim);
    else conflicts.push({ subject, claims: [{ origin: other.origin, detail: 'defines it' }, claim] });
  }
  return kept;
}

/** Documents no reader took in, and why. */
function notAdopted(docs: InputDoc[], input: Input, facts: Facts): NotAdopted[] {
  const understood = new Set([...READERS.flatMap((r) => r.kinds), ...REFERENCED]);
  const inInput = new Set(input.docs.map((d) => d.origin.index));
  return docs.filter((d) => !facts.used.has(d.origin.index)).map((d) => ({
    origin: d.origin,
    reason: !inInput.has(d.origin.index) ? 'a second definition of an object: the first one in file order is the one adopted'
      : facts.unusedBecause.get(d.origin.index)
      ?? (d.origin.kind === '(no kind)' ? 'a document without apiVersion and kind'
        : understood.has(d.origin.kind) && ofKnownGroup(d) ? `nothing the TLS stack adopts refers to this ${d.origin.kind}: keep applying it as it is`
          : understood.has(d.origin.kind) ? `${d.origin.kind} of API group "${groupOf(d.doc)}" is not one adopt understands: keep applying it as it is`
          : `${d.origin.kind} is not a kind adopt understands: keep applying it as it is`),
  }));
}
