import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Finding, ManifestDoc, Severity, checkManifests } from './check';
import { TlsStackError, fail } from './validation';
import type { Manifest } from './manifest';

/** The documents of one chart, in the order cdk8s writes them, with the ApiObjects that produced them. */
export interface SynthesizedChart {
  readonly chart: Chart;
  /** Where the chart's YAML goes: `<outdir>/<chart id><outputFileExtension>`. */
  readonly file: string;
  readonly objects: ApiObject[];
  readonly docs: Manifest[];
}

/** The checked documents of an App. */
export interface CheckedApp {
  readonly charts: SynthesizedChart[];
  /** Every finding, errors and warnings, each naming the construct that produced the document (`path`). */
  readonly findings: Finding[];
}

interface Cached extends CheckedApp {
  json?: string;
}

const gated = new WeakSet<IConstruct>();
const cache = new WeakMap<IConstruct, Cached>();

/**
 * Thrown when the policy checks (or, from the writer, any construct validation) fail: nothing was written. `app.synth()`,
 * `cdk8s synth` and `Testing.synth()` throw it too: the checks run as the App's own validation and throw it from there.
 */
export class TlsPolicyError extends TlsStackError {
  constructor(
    where: string,
    /** Every error, one line each, naming the construct path, the object, the field and the fix. */
    public readonly errors: string[],
    /** The policy findings (errors and warnings). */
    public readonly findings: Finding[],
  ) {
    super(where, 'manifests', `${errors.length} error(s)`, `fix the errors below; nothing was written\n  ${errors.join('\n  ')}`);
    this.name = 'TlsPolicyError';
  }
}

/**
 * Attaches the schema and TLS-policy checks to the App that holds `scope`, once per App, as a construct validation:
 * cdk8s runs it in `App.synth()` (and so in `cdk8s synth`), `Chart.toJson()` and `Testing.synth()` before anything is
 * written, so no synth path can write a document that violates the policy. Every construct of this library calls it
 * first (it also refuses a construct outside any Chart).
 */
export function enforcePolicy(scope: IConstruct): void {
  const root = scope.node.root;
  if (scope !== root) chartOf(scope); // the writer attaches the gate to the App itself
  if (gated.has(root)) return;
  gated.add(root);
  root.node.addValidation({
    validate: () => {
      const { findings } = checkApp(root);
      const errors = findings.filter((f) => f.severity === Severity.ERROR).map(formatGateFinding);
      if (errors.length) throw new TlsPolicyError(root.node.path || '<app>', errors, findings);
      return [];
    },
  });
}

/**
 * Synthesizes every chart's documents (without writing them) and runs the checks over all of them as one deployable
 * unit. cdk8s validates once per chart written, so the result is reused while the documents stay the same.
 */
export function checkApp(root: IConstruct): CheckedApp {
  const app = root instanceof App ? root : undefined;
  // cdk8s orders the charts of an App (App.charts), and the objects of each chart (chartToKube in cdk8s app.js), by the
  // topology of a DependencyGraph of every construct and its dependencies. With no dependency anywhere, such a graph
  // has no edge and its topology is the tree's own order (every construct a root, in the order found): taken as it is,
  // since the graphs cost ~0.5 s and ~100 MB at 5,000 apps (the App's ~0.2 s, the charts' ~0.35 s), mostly computing paths.
  const tree = root.node.findAll();
  const graphed = tree.some((c) => c.node.dependencies.length);
  const inOrder = (scope: IConstruct) => (graphed ? new DependencyGraph(scope.node).topology() : scope.node.findAll());
  const charts = (app ? inOrder(app) : tree).filter((c): c is Chart => Chart.isChart(c)).map((chart): SynthesizedChart => {
    const objects = inOrder(chart).filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
    const file = path.join(app?.outdir ?? '.', `${chart.node.id}${app?.outputFileExtension ?? '.k8s.yaml'}`);
    return { chart, file, objects, docs: objects.map((o) => o.toJson()) };
  });
  const previous = cache.get(root);
  if (previous && sameDocs(previous, charts)) return previous;
  const docs = charts.flatMap((c) => c.docs.map((doc, i): ManifestDoc => ({ file: c.file, doc, source: producer(c.objects[i]) })));
  const result: Cached = { charts, findings: checkManifests(docs) };
  cache.set(root, result);
  return result;
}

/**
 * The result of the last check of this App, without synthesizing again: for a caller that has just run the App's
 * validations and changed nothing since (the gated writer). @internal
 */
export function lastCheck(root: IConstruct): CheckedApp | undefined {
  return cache.get(root.node.root);
}

function sameDocs(previous: Cached, charts: SynthesizedChart[]): boolean {
  previous.json ??= JSON.stringify(previous.charts.map((c) => c.docs));
  return previous.json === JSON.stringify(charts.map((c) => c.docs));
}

/**
 * The chart a construct of the library is in. Each one is created inside a Chart: one created in the App itself is
 * refused (cdk8s would fail later with an error that names neither the construct nor the fix).
 */
export function chartOf(scope: IConstruct): Chart {
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) if (Chart.isChart(c)) return c;
  return fail(scope, 'scope', scope.node.path || '<app>', 'create it inside a Chart (new Chart(app, "issuers"), a NamespacedChart or a TlsStackChart), not in the App itself');
}

/** The construct a finding is about: the one that made the ApiObject (its parent), or the ApiObject itself at the top of a chart. */
function producer(obj: ApiObject): string {
  const parent = obj.node.scope;
  return parent && !Chart.isChart(parent) ? parent.node.path : obj.node.path;
}

/** One line per finding: construct path, object, field, what is wrong and the fix. */
export function formatGateFinding(f: Finding): string {
  return `${f.path ?? f.file}: ${f.kind ?? '?'} ${f.name ?? '?'}${f.field ? ` ${f.field}` : ''}: [${f.rule}] ${f.message}. Fix: ${f.fix}`;
}
