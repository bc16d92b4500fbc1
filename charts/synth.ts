import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { dump } from 'js-yaml';
import { ManifestDoc, Severity, checkManifests, formatFindings } from '../lib/policy/check';
import { TlsStackError } from '../lib/policy/validation';
import { reviewSummary } from '../lib/summary';
import { EnvironmentSpec, buildEnvironment } from './environments';

/** One App to write, and the title of its review summary. */
export interface AppToWrite {
  readonly app: App;
  readonly title: string;
}

/**
 * Synthesizes environments into `<outRoot>/<env>/`: one YAML file per chart, `kustomization.yaml` and `SUMMARY.md`.
 * Everything is built and checked (schemas + TLS policy) before the first file is written: a bad spec throws a
 * TlsStackError, a policy error throws a TlsStackError listing the findings, and in both cases nothing is written.
 */
export function synthEnvironments(envs: EnvironmentSpec[], outRoot = 'dist'): void {
  writeApps(envs.map((env) => ({ app: buildEnvironment(env, path.join(outRoot, env.name)), title: `${env.name}: TLS review summary (${env.edge} edge)` })));
}

/** Checks every App's documents, then writes them (each into its own outdir), or throws and writes nothing. */
export function writeApps(apps: AppToWrite[]): void {
  const builds = apps.map(({ app, title }) => ({
    app, title, files: app.charts.map((chart) => ({ file: path.join(app.outdir, `${chart.node.id}.yaml`), docs: chart.toJson() })),
  }));
  const findings = checkManifests(builds.flatMap((b) => b.files.flatMap(({ file, docs }) => docs.map((doc): ManifestDoc => ({ file, doc })))));
  if (findings.some((f) => f.severity === Severity.ERROR)) {
    throw new TlsStackError(builds.map((b) => b.app.outdir).join(', '), 'manifests', `${findings.length} finding(s)`, `fix the policy errors below; nothing was written\n${formatFindings(findings)}`);
  }
  for (const { app, title, files } of builds) {
    fs.rmSync(app.outdir, { recursive: true, force: true });
    fs.mkdirSync(app.outdir, { recursive: true });
    for (const { file, docs } of files) fs.writeFileSync(file, toYaml(docs));
    const resources = files.map((f) => path.basename(f.file)).sort();
    fs.writeFileSync(path.join(app.outdir, 'kustomization.yaml'), toYaml([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }]));
    fs.writeFileSync(path.join(app.outdir, 'SUMMARY.md'), reviewSummary(app, title));
  }
}

/**
 * Multi-document YAML, YAML 1.1-safe like cdk8s's own output (`"on"`, `"yes"` stay quoted strings for kubectl), with
 * js-yaml: about 3x faster than the serializer cdk8s uses (measured by npm run bench).
 */
export function toYaml(docs: unknown[]): string {
  return docs.map((d) => dump(d, { noRefs: true, lineWidth: -1, quotingType: '"' })).join('---\n');
}
