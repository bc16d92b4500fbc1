import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { schemaErrors } from '../lib/policy/schema';

const root = path.join(__dirname, '..');

test('the README usage example runs as written and writes schema-valid YAML', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const example = readme.split('## Usage')[1].match(/```ts\n([\s\S]*?)```/)![1];
  // Inside the repository, so that its imports of cdk8s resolve; not in its root, where a new file would make the
  // bundle and the startup snapshot of npm run synth out of date (scripts/bundle.js watches the folders of inputs).
  const file = path.join(root, 'node_modules', '.cache', `readme-example-${process.pid}`, 'example.ts');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  try {
    // The README imports the package by name; here it is this repository's source.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, example.replace(/from 'cdk8s-secure-tls'/g, `from '${path.join(root, 'lib')}'`));
    // cwd is a scratch folder, so point node at this project's TypeScript loader explicitly.
    execFileSync(process.execPath, ['--require', path.join(root, 'scripts', 'ts-loader.js'), file], { cwd, stdio: 'pipe' });
    const docs = parseAllDocuments(fs.readFileSync(path.join(cwd, 'out', 'chat.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => d.kind).sort()).toEqual(['Certificate', 'ClusterIssuer', 'Deployment', 'Namespace', 'Service']);
    for (const d of docs) expect(schemaErrors(d)).toEqual([]);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
