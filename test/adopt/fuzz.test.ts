import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { ManifestDoc, loadManifests } from '../../lib';
import { adopt } from '../../lib/adopt';
import { ENTRY } from '../../lib/adopt/typescript';
import { FIXTURES } from './support';

// Readers take hand-written YAML: any field may be missing, null or of another type. Whatever the documents hold, adopt
// returns a result (a report; TypeScript unless a conflict blocks it) and never throws.

/** Bounded and reproducible in the normal suite; `FC_RUNS=2000 FC_SEED=$RANDOM npx jest adopt/fuzz` for a long run. */
const RUNS = Number(process.env.FC_RUNS ?? 150);
const SEED = Number(process.env.FC_SEED ?? 11);

const fixtures = loadManifests([FIXTURES]);

/** Every path to a value in a document (objects and lists, depth first). */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [at];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...children.flatMap(([k, v]) => paths(v, [...at, k]))];
}

/** The document with the value at `path` replaced (or deleted). */
function mutate(doc: unknown, path: Array<string | number>, value: unknown, remove: boolean): unknown {
  if (!path.length) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, copy);
  const last = path[path.length - 1];
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value;
  return copy;
}

const odd = fc.oneof(fc.constant(null), fc.constant(''), fc.constant('*'), fc.constant('-'), fc.integer({ min: -5, max: 70000 }), fc.double(), fc.boolean(),
  fc.string(), fc.constant([]), fc.constant({}), fc.constant(['a', 1, null]), fc.jsonValue({ maxDepth: 2 }));

const input = fc.record({
  picks: fc.uniqueArray(fc.nat(fixtures.length - 1), { minLength: 1, maxLength: 12 }),
  mutations: fc.array(fc.record({ doc: fc.nat(), path: fc.nat(), value: odd, remove: fc.boolean() }), { maxLength: 6 }),
});

describe('adopt on odd manifests', () => {
  test('mutated fixtures: any field missing, null or of another type; a result, never an exception', () => {
    fc.assert(fc.property(input, fc.constantFrom(undefined, 'gateway-api', 'traefik', 'ingress-nginx'), fc.boolean(), ({ picks, mutations }, edge, force) => {
      const docs: Array<{ file: string; doc: unknown }> = picks.map((i) => ({ ...fixtures[i] }));
      for (const m of mutations) {
        const target = docs[m.doc % docs.length];
        const all = paths(target.doc);
        target.doc = mutate(target.doc, all[m.path % all.length], m.value, m.remove);
      }
      const result = adopt(docs as ManifestDoc[], { edge: edge as never, force, diff: true });
      expect(typeof result.report).toBe('string');
      if (!result.blocked) expect(result.typescript).toContain(`export function ${ENTRY}(app: App): void {`);
    }), { numRuns: RUNS, seed: SEED });
  });

  test.each([
    ['an empty list of documents', []],
    ['null, a string, a number and a list as documents', [null, 'text', 42, [1, 2]]],
    ['kinds without anything else', ['Ingress', 'Gateway', 'HTTPRoute', 'IngressRoute', 'Certificate', 'ClusterIssuer', 'Deployment', 'Service', 'Middleware', 'TLSOption', 'List'].map((kind) => ({ kind }))],
    ['fields of the wrong type', [
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: 'x', spec: { rules: 'abc', tls: { hosts: 1 } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: ['a'], namespace: 7, annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': 5, 'cert-manager.io/cluster-issuer': null } }, spec: { tls: [{ hosts: [null, 3], secretName: {} }], rules: [{ host: 9, http: { paths: [{ backend: { service: { name: 'a b', port: { number: 'x' } } } }] } }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { parentRefs: [null, 'x', { name: 5 }], hostnames: 'h', rules: [{ matches: 'm', backendRefs: [{}] }] } },
      { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name: 'ir' }, spec: { routes: [{ match: 'Host(`a.example.com`) && (', services: 'svc' }, { match: 5 }], tls: 'yes' } },
      { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'i' }, spec: { acme: { solvers: [null, { http01: 'x' }, { dns01: { route53: {} } }], email: 5 } } },
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: { secretName: 's', dnsNames: ['*.*.x', 'UPPER.example.com', '10.0.0.1'], duration: 'forever' } },
      { apiVersion: 'v1', kind: 'List', items: [null, { kind: 'Service', spec: { ports: 'p' } }] },
    ]],
    ['a host no DNS allows, an app name no Service allows, a path of a regular expression', [
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'a', namespace: 'n' }, spec: { rules: [
        { host: 'Bad_Host.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
        { host: 'ok.example.com', http: { paths: [{ path: '/(.*)', backend: { service: { name: 'Web.Service', port: { number: 80 } } } }, { path: '/x', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
      ] } },
    ]],
  ])('%s: a result, never an exception', (_what, docs) => {
    const result = adopt((docs as unknown[]).map((doc) => ({ file: 'odd.yaml', doc: doc as ManifestDoc['doc'] })), { force: true, diff: true });
    expect(typeof result.report).toBe('string');
    expect(result.synthErrors).toEqual([]);
  });

  test('empty files, comment-only files and null documents from disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adopt-odd-'));
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    fs.writeFileSync(path.join(dir, 'comments.yaml'), '# nothing\n---\n# still nothing\n---\n');
    fs.writeFileSync(path.join(dir, 'nulls.yaml'), '---\nnull\n---\n~\n---\n');
    expect(loadManifests([dir])).toEqual([]);
    expect(adopt(loadManifests([dir])).model.stacks).toEqual([]);
  });
});
