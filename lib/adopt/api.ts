/* eslint-disable @typescript-eslint/no-require-imports -- adopt loads its modules when it is called: importing the library stays light */
import type { ManifestDoc } from '../policy/check';
import type { AdoptOptions, AdoptResult } from './model';

export type { AdoptOptions, AdoptResult, AdoptDiff, DiffEntry, Conflict, NotAdopted, Origin } from './model';

/**
 * Adopts the manifests a team applies today (Ingresses, cert-manager issuers and Certificates, Gateway API, Traefik,
 * the Deployments and Services behind them): the TypeScript of a cdk8s app whose TlsStackCharts serve the same hosts
 * with the same backends, paths and certificate Secrets, the migration report, and with `diff` the input against what
 * the spec synthesizes. Read the documents with {@link loadManifests}.
 *
 * ```ts
 * const result = adoptManifests(loadManifests(['k8s/']), { edge: EdgeKind.GATEWAY_API });
 * if (!result.blocked) fs.writeFileSync('adopted.ts', result.typescript!);
 * ```
 *
 * Experimental: the generated program, the report and the result's shape may change in a minor release.
 * @experimental
 */
export function adoptManifests(manifests: ManifestDoc[], options: AdoptOptions = {}): AdoptResult {
  return (require('./index') as typeof import('./index')).adopt(manifests, options);
}
