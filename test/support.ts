import { App, Chart, Testing } from 'cdk8s';
import { schemaErrors } from '../lib/policy/schema';
import { EdgeKind, TlsStackError, synthChecked } from '../lib';
import { ENVIRONMENTS, buildEnvironment } from '../charts/environments';

/** Every manifest of the chart, each checked against its upstream schema. */
export function synthValid(chart: Chart): any[] {
  const docs = Testing.synth(chart);
  for (const d of docs) expect({ kind: d.kind, name: d.metadata?.name, errors: schemaErrors(d) }).toEqual({ kind: d.kind, name: d.metadata?.name, errors: [] });
  return docs;
}

/** The one document of this kind (and name). */
export function only(docs: any[], kind: string, name?: string): any {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

/** A fresh app and an empty chart in namespace "test". */
export function scratch(namespace = 'test'): { app: App; chart: Chart } {
  const app = Testing.app();
  return { app, chart: new Chart(app, 'test', { namespace, disableResourceNameHashes: true }) };
}

/** Asserts `fn` throws a TlsStackError on `field` whose message contains every fragment. */
export function expectStackError(fn: () => unknown, field: string, ...fragments: Array<string | RegExp>): TlsStackError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TlsStackError);
  const e = err as TlsStackError;
  expect(e.field).toBe(field);
  for (const f of fragments) expect(e.message).toMatch(f);
  return e;
}

const synthesized = new Map<string, Record<string, any[]>>();

/**
 * Every document of every chart of an environment, keyed by chart id. Each environment and edge is synthesized once
 * per test worker (its test files share this module; the gated synth, once for the App) unless `fresh`; every call
 * gets its own copy, so a test may change what it gets.
 */
export function envDocs(name: string, edge?: EdgeKind, { fresh = false } = {}): Record<string, any[]> {
  const env = ENVIRONMENTS.find((e) => e.name === name)!;
  const key = `${name} ${edge ?? env.edge}`;
  let docs = fresh ? undefined : synthesized.get(key);
  if (!docs) {
    const app = buildEnvironment({ ...env, edge: edge ?? env.edge }, '/nonexistent');
    docs = Object.fromEntries(synthChecked(app).charts.map((c) => [c.chart.node.id, c.docs]));
    synthesized.set(key, docs);
  }
  return structuredClone(docs);
}
