import * as path from 'path';
import * as library from '../../lib';
import { cdk8s, construct, lib, obj, Program, ref } from '../../lib/adopt/code';
import { LIBRARY } from '../../lib/adopt/evaluate';
import { printProgram } from '../../lib/adopt/typescript';
import { FIXTURES, runGenerated, typeCheck } from './support';

describe('adoptManifests from the package root', () => {
  test('is the adoption, with its result', () => {
    const result = library.adoptManifests(library.loadManifests([path.join(FIXTURES, 'helm')]), { diff: true });
    expect(result.blocked).toBe(false);
    expect(result.typescript).toContain("new TlsStackChart(app, 'default'");
    expect(result.report).toMatch(/^<!-- Adopted by cdk8s-tls adopt/);
    expect(result.diff!.entries.find((e) => e.kind === 'HorizontalPodAutoscaler')).toMatchObject({ change: 'kept', name: 'blog' });
    expect(result.notAdopted.map((n) => n.origin.kind).sort()).toEqual(['ConfigMap', 'HorizontalPodAutoscaler', 'ServiceAccount']);
  });

  test('importing the library loads adopt\'s entry point only; its modules load when it is called', () => {
    jest.isolateModules(() => {
      require('../../lib'); // eslint-disable-line @typescript-eslint/no-require-imports -- what a consumer's require loads is the point
      const loaded = Object.keys(require.cache).filter((f) => f.includes(`${path.sep}lib${path.sep}adopt${path.sep}`)).map((f) => path.basename(f));
      expect(loaded).toEqual(['api.ts']);
    });
  });

  test('every name the generated file imports from cdk8s-secure-tls is that export of the package root', () => {
    for (const [name, value] of Object.entries(LIBRARY)) expect([name, (library as Record<string, unknown>)[name] === value]).toEqual([name, true]);
  });
});

describe('generated source', () => {
  test('strings of the input reach the file as literals and comments only: whatever they hold, it compiles and carries them unchanged', () => {
    const nasty = ["it's", 'back\\slash', 'line\nbreak', '*/ /* x', "'); process.exit(1); ('", '${x}`', '\u2028\u2029', '// not a comment'];
    const program: Program = {
      header: nasty,
      body: [
        { bind: 'chart', value: construct(cdk8s('Chart'), ref('app'), 'issuers'), comment: nasty },
        { bind: 'issuer', value: construct(lib('SelfSignedIssuer'), ref('chart'), 'Dev') },
        {
          value: construct(lib('TlsStackChart'), ref('app'), 'shop', obj({
            namespace: 'shop', issuer: ref('issuer'), sites: [{ name: 'shop', hosts: ['shop.example.com'] }],
            apps: [obj({ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080, env: Object.fromEntries(nasty.map((v, i) => [`V${i}`, v])) }, { image: nasty.join(' ') })],
            routes: [{ host: 'shop.example.com', app: 'web' }],
          })),
        },
      ],
    };
    const source = printProgram(program);
    expect(typeCheck({ nasty: source })).toEqual([]);
    const docs = runGenerated(source);
    const env = docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].env;
    expect(Object.fromEntries(env.map((e: { name: string; value: string }) => [e.name, e.value]))).toEqual(Object.fromEntries(nasty.map((v, i) => [`V${i}`, v])));
  });
});
