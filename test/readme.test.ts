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
  // Inside the repository, so that its imports of cdk8s resolve and ts-node finds its tsconfig.json (git ignores it).
  const file = path.join(root, `.readme-example-${process.pid}.ts`);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  try {
    // The README imports the package by name; here it is this repository's source.
    fs.writeFileSync(file, example.replace(/from 'cdk8s-secure-tls'/g, `from '${path.join(root, 'lib')}'`));
    // In a scratch folder (the example writes ./out), run as a user runs it: ts-node.
    execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), file], { cwd, stdio: 'pipe' });
    const docs = parseAllDocuments(fs.readFileSync(path.join(cwd, 'out', 'chat.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => d.kind).sort()).toEqual(['Certificate', 'ClusterIssuer', 'Deployment', 'Namespace', 'Service']);
    for (const d of docs) expect(schemaErrors(d)).toEqual([]);
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
