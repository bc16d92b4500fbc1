import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import fc from 'fast-check';
import { parse, parseAllDocuments } from 'yaml';
import { SelfSignedIssuer, TlsPolicyError, TlsStackChart, TlsStackError, writeApps } from '../../lib';
import { GENERATED_MARKER } from '../../lib/synth';

const build = (outdir: string, stacks: string[]) => {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
  const issuer = new SelfSignedIssuer(new Chart(app, 'issuers', { disableResourceNameHashes: true }), 'Self');
  for (const name of stacks) {
    new TlsStackChart(app, name, {
      namespace: name, issuer, sites: [{ name, hosts: [`${name}.example.com`] }],
      apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [{ host: `${name}.example.com`, app: 'web' }],
    });
  }
  return app;
};

describe('writeApps', () => {
  test('writes one marked YAML file per chart, a kustomization and SUMMARY.md; later runs remove only their own stale files', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'write-'));
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    fs.writeFileSync(path.join(out, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\n');
    const [first] = writeApps([{ app: build(out, ['shop', 'blog']), title: 'demo' }]);
    expect(first.files.map((f) => path.basename(f)).sort()).toEqual(['SUMMARY.md', 'blog.yaml', 'issuers.yaml', 'kustomization.yaml', 'shop.yaml']);
    for (const f of first.files) expect(fs.readFileSync(f, 'utf8').split('\n')[0]).toContain(GENERATED_MARKER);
    expect(parse(fs.readFileSync(path.join(out, 'kustomization.yaml'), 'utf8')).resources).toEqual(['blog.yaml', 'issuers.yaml', 'shop.yaml']);
    expect(fs.readFileSync(path.join(out, 'SUMMARY.md'), 'utf8')).toContain('| blog.example.com |');

    const [second] = writeApps([{ app: build(out, ['shop']), title: 'demo' }]);
    expect(second.removed.map((f) => path.basename(f))).toEqual(['blog.yaml']);
    expect(fs.readdirSync(out).sort()).toEqual(['SUMMARY.md', 'extra.yaml', 'issuers.yaml', 'kustomization.yaml', 'notes.txt', 'shop.yaml']);
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  test('a file that already holds exactly what a run produces is left alone; one that differs anywhere is rewritten', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'write-'));
    // One file of several 64 KiB chunks too, compared a chunk at a time.
    const withBig = () => {
      const app = build(out, ['shop', 'blog']);
      const big = new Chart(app, 'big', { disableResourceNameHashes: true });
      for (let i = 0; i < 60; i++) new kplus.k8s.KubeConfigMap(big, `C${i}`, { metadata: { name: `c${i}` }, data: { text: `${i}`.padEnd(4000, 'x') } });
      return app;
    };
    const [first] = writeApps([{ app: withBig() }]);
    expect(first.unchanged).toEqual([]);
    const file = (name: string) => path.join(out, name);
    const inode = (name: string) => fs.statSync(file(name)).ino;
    const before = Object.fromEntries(first.files.map((f) => [path.basename(f), fs.statSync(f).ino]));
    const shop = fs.readFileSync(file('shop.yaml'), 'utf8');
    // Same length, one byte changed at the end; the same bytes and one more; one byte fewer.
    fs.writeFileSync(file('shop.yaml'), `${shop.slice(0, -2)}x\n`);
    fs.writeFileSync(file('blog.yaml'), `${fs.readFileSync(file('blog.yaml'), 'utf8')}\n`);
    fs.writeFileSync(file('SUMMARY.md'), fs.readFileSync(file('SUMMARY.md'), 'utf8').slice(0, -1));
    // Past the first chunk, the same length.
    const big = fs.readFileSync(file('big.yaml'));
    expect(big.length).toBeGreaterThan(3 * 65_536);
    big[big.length - 100] ^= 1;
    fs.writeFileSync(file('big.yaml'), big);
    const edited = Object.fromEntries(['shop.yaml', 'blog.yaml', 'SUMMARY.md', 'big.yaml'].map((f) => [f, inode(f)]));

    const [second] = writeApps([{ app: withBig() }]);
    expect(second.files).toEqual(first.files);
    expect(second.unchanged.map((f) => path.basename(f)).sort()).toEqual(['issuers.yaml', 'kustomization.yaml']);
    // Left alone: the very same file. Rewritten: a new one renamed into place, with this run's content.
    expect(inode('issuers.yaml')).toBe(before['issuers.yaml']);
    expect(inode('kustomization.yaml')).toBe(before['kustomization.yaml']);
    for (const f of ['shop.yaml', 'blog.yaml', 'SUMMARY.md', 'big.yaml']) expect(inode(f)).not.toBe(edited[f]);
    const [third] = writeApps([{ app: withBig() }]);
    expect(third.unchanged).toEqual(third.files); // all of them now, the large one too
    expect(fs.readFileSync(file('shop.yaml'), 'utf8')).toBe(shop);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a failure while writing leaves every outdir as it was: files are staged, then renamed into place', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'write-'));
    writeApps([{ app: build(out, ['shop', 'blog']) }]);
    const before = Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose methods a spy can replace
    const nodeFs: typeof fs = require('fs');
    const real = nodeFs.writeFileSync;
    let calls = 0;
    const spy = jest.spyOn(nodeFs, 'writeFileSync').mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
      if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return real(...args);
    });
    try {
      expect(() => writeApps([{ app: build(out, ['shop']) }])).toThrow(/ENOSPC/);
    } finally {
      spy.mockRestore();
    }
    expect(calls).toBe(2); // the first file was staged, the second failed
    expect(Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]))).toEqual(before); // blog.yaml kept, no temporary file left
  });

  test('never overwrites a file it did not write, and then writes nothing at all', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'write-'));
    fs.writeFileSync(path.join(out, 'kustomization.yaml'), 'resources: [mine.yaml]\n');
    expect(() => writeApps([{ app: build(out, ['shop']) }])).toThrow(TlsStackError);
    expect(fs.readdirSync(out)).toEqual(['kustomization.yaml']);
    expect(fs.readFileSync(path.join(out, 'kustomization.yaml'), 'utf8')).toBe('resources: [mine.yaml]\n');
  });

  test('a policy error in one App writes nothing for any App, and lists the findings with their constructs', () => {
    const good = fs.mkdtempSync(path.join(os.tmpdir(), 'write-'));
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'write-'));
    const app = build(bad, ['shop']);
    new kplus.k8s.KubeSecret(app.node.findChild('shop'), 'Key', { metadata: { name: 'key' }, stringData: { 'tls.key': '-----BEGIN PRIVATE KEY-----' } });
    let error: TlsPolicyError | undefined;
    try {
      writeApps([{ app: build(good, ['blog']) }, { app }]);
    } catch (e) {
      error = e as TlsPolicyError;
    }
    expect(error).toBeInstanceOf(TlsPolicyError);
    // Each line starts with the path of the construct that made the document, then the object, the field and the fix.
    expect(error!.errors).toEqual([expect.stringMatching(/^shop\/Key: Secret key stringData: \[key-material\] a private key is written in the manifest/)]);
    expect(error!.findings.map((f) => [f.rule, f.path])).toContainEqual(['key-material', 'shop/Key']);
    expect(fs.readdirSync(good)).toEqual([]);
    expect(fs.readdirSync(bad)).toEqual([]);
  });
});

describe('the YAML it writes', () => {
  const root = path.join(__dirname, '..', '..');
  // Read as the API server (YAML 1.2 core, sigs.k8s.io/yaml's JSON) and as older YAML 1.1 readers (PyYAML, kubectl's
  // go-yaml v2: `on`, `yes`, `0440` and `2024-01-01` would change type if they were written plain).
  const readBack = (text: string, version: '1.1' | '1.2') => parseAllDocuments(text, { version }).map((d) => d.toJS());

  test('every shipped document reads back as the document it was, by YAML 1.1 and 1.2 readers alike', () => {
    const files = ['dev', 'staging', 'prod'].flatMap((env) => fs.readdirSync(path.join(root, 'dist', env)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(root, 'dist', env, f)));
    let docs = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const v12 = readBack(text, '1.2');
      expect(readBack(text, '1.1')).toEqual(v12);
      docs += v12.length;
    }
    expect(docs).toBeGreaterThan(200);
  });

  test('any string value is written so that both readers get the same string back', () => {
    const tricky = fc.constantFrom(' ', 'yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'null', '~', '-', '- a', '? x', ': x', 'a: b', 'a #b', '#x',
      '0x1F', '0o17', '017', '0440', '1e3', '1_000', '+1', '.5', '.inf', '.NaN', '2024-01-01', '12:30:45', '1:20', '<<', '=', '@x', '`x', '|', '>', '!x',
      '&a', '*a', '%x', '"q"', "'q'", 'a\tb', '\u0085', 'é', '😀', 'a\nb', 'a\n', '\n', ' a\nb', 'x'.repeat(1001), '[a]', '{a}', 'a,b', '---', '...', '\\');
    // Not empty: cdk8s leaves empty values out of what it synthesizes.
    const text = fc.oneof(tricky, fc.string(), fc.string({ unit: 'grapheme' })).filter((s) => s !== '');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'write-yaml-'));
    fc.assert(fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9.-]{0,15}$/), text, { minKeys: 1, maxKeys: 8 }), (data) => {
      const app = new App({ outdir: out, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
      const chart = new Chart(app, 'data', { namespace: 'data', disableResourceNameHashes: true });
      new kplus.ConfigMap(chart, 'Config', { metadata: { name: 'config' }, data });
      new SelfSignedIssuer(chart, 'Issuer'); // a construct of the library: the gate is on
      writeApps([{ app }]);
      const text = fs.readFileSync(path.join(out, 'data.yaml'), 'utf8');
      for (const version of ['1.1', '1.2'] as const) expect(readBack(text, version).find((d) => d.kind === 'ConfigMap').data).toEqual(data);
    }), { numRuns: 60, seed: 42 });
  });
});
