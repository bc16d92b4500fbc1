import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ManifestDoc, Severity, checkManifests, formatFindings } from '../lib/policy/check';
import { TlsStackError } from '../lib/policy/validation';
import { reviewSummary } from '../lib/summary';
import { EnvironmentSpec, buildEnvironment } from './environments';

/**
 * Synthesizes environments into `<outRoot>/<env>/`: one YAML file per chart, `kustomization.yaml` and `SUMMARY.md`.
 * Everything is built and checked (schemas + TLS policy) before the first file is written: a bad spec throws a
 * TlsStackError, a policy error throws a TlsStackError listing the findings, and in both cases nothing is written.
 */
export function synthEnvironments(envs: EnvironmentSpec[], outRoot = 'dist'): void {
  const builds = envs.map((env) => {
    const app = buildEnvironment(env, path.join(outRoot, env.name));
    return { env, app, files: app.charts.map((chart) => ({ file: path.join(app.outdir, `${chart.node.id}.yaml`), docs: chart.toJson() })) };
  });
  const findings = checkManifests(builds.flatMap((b) => b.files.flatMap(({ file, docs }) => docs.map((doc): ManifestDoc => ({ file, doc })))));
  if (findings.some((f) => f.severity === Severity.ERROR)) {
    throw new TlsStackError(outRoot, 'manifests', `${findings.length} finding(s)`, `fix the policy errors below; nothing was written\n${formatFindings(findings)}`);
  }
  for (const { env, app, files } of builds) {
    fs.rmSync(app.outdir, { recursive: true, force: true });
    fs.mkdirSync(app.outdir, { recursive: true });
    for (const { file, docs } of files) fs.writeFileSync(file, Yaml.stringify(...docs));
    const resources = files.map((f) => path.basename(f.file)).sort();
    fs.writeFileSync(path.join(app.outdir, 'kustomization.yaml'), Yaml.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
    fs.writeFileSync(path.join(app.outdir, 'SUMMARY.md'), reviewSummary(app, `${env.name}: TLS review summary (${env.edge} edge)`));
  }
}
