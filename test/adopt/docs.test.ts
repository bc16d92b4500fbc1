import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli';
import { FIXTURES } from './support';

// The README's "Adopting existing YAML" shows cdk8s-tls adopt on seed 001's YAML as its guide keeps it (k8s/03-ingress.yaml, in which the
// WebSocket version of api-ingress follows the first, and k8s/cert-issuer.yaml): what it shows is what the command prints.

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const shown = doc.split('## Adopting existing YAML')[1].match(/```sh\n([\s\S]*?)```/)![1];

test('the README section\'s commands print what it shows', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adopt-docs-'));
  const blocks = [...fs.readFileSync(path.join(FIXTURES, 'seed-001.txt'), 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^kind:/m.test(b));
  fs.mkdirSync(path.join(dir, 'k8s'));
  fs.writeFileSync(path.join(dir, 'k8s', '03-ingress.yaml'), `${blocks[0]}---\n${blocks[2]}`);
  fs.writeFileSync(path.join(dir, 'k8s', 'cert-issuer.yaml'), blocks[1]);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    for (const command of shown.split('\n').filter((l) => l.startsWith('npx cdk8s-tls adopt '))) {
      let out = '';
      const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) } };
      await main(command.replace('npx cdk8s-tls ', '').split(' '), io);
      const printed = shown.split(`${command}\n`)[1].split('\n\n')[0].split('\n').filter((l) => l.startsWith('# ') && l !== '# ...').map((l) => l.slice(2));
      expect(printed.length).toBeGreaterThan(0);
      for (const line of printed) expect([command, out.split('\n')]).toEqual([command, expect.arrayContaining([line])]);
    }
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
