import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { adoptCommand } from '../../lib/cli/adopt';
import { main } from '../../lib/cli';
import { FIXTURES } from './support';

async function run(argv: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  // Through main (usage errors, exit codes) unless standard input is given, which only adoptCommand can be handed.
  const code = stdin ? await adoptCommand(argv, io, () => stdin).catch((e: Error) => { stderr += e.message; return 2; }) : await main(['adopt', ...argv], io);
  return { code, stdout, stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'adopt-cli-'));
const write = (dir: string, name: string, text: string) => { fs.writeFileSync(path.join(dir, name), text); return path.join(dir, name); };

const INGRESS = (name: string, host: string, service: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${name}, namespace: shop }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [${host}], secretName: ${name}-tls }]
  rules:
    - host: ${host}
      http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: ${service}, port: { number: 80 } } } }] }
`;

describe('cdk8s-tls adopt', () => {
  test('without --out the TypeScript goes to standard output; --out and --report write the files; a summary on standard error', async () => {
    const dir = tmp();
    const out = path.join(dir, 'adopted.ts');
    const report = path.join(dir, 'MIGRATION.md');
    const toStdout = await run([path.join(FIXTURES, 'namespaces')]);
    expect(toStdout).toMatchObject({ code: 0, stdout: expect.stringContaining("new TlsStackChart(app, 'storefront'") });
    expect(toStdout.stderr).toMatch(/^cdk8s-tls adopt: \d+ document\(s\) → 2 stack\(s\) \(backoffice, storefront\), 2 issuer\(s\); 1 not adopted\n$/);
    const toFiles = await run(['--out', out, '--report', report, path.join(FIXTURES, 'namespaces')]);
    expect(toFiles).toMatchObject({ code: 0, stdout: '' });
    expect(fs.readFileSync(out, 'utf8')).toBe(toStdout.stdout);
    expect(fs.readFileSync(report, 'utf8')).toMatch(/^<!-- Adopted by cdk8s-tls adopt: migration report\. .*\n# Migration report/);
    // adopt's own files are overwritten; a file it did not write (or one edited since: its marker line gone) is not.
    expect((await run(['--out', out, path.join(FIXTURES, 'namespaces')])).code).toBe(0);
    fs.writeFileSync(out, `// my app\n${fs.readFileSync(out, 'utf8')}`);
    const refused = await run(['--out', out, path.join(FIXTURES, 'namespaces')]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(/^cdk8s-tls adopt: --out .*adopted\.ts: the file exists and does not start with adopt's marker line/);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^\/\/ my app\n/);
  });

  test('YAML that does not parse: an error naming file, line and column, exit 2, nothing written', async () => {
    const dir = tmp();
    const bad = write(dir, 'bad.yaml', `${INGRESS('a', 'a.example.com', 'web')}---\nkind: Service\nmetadata:\n  name: x\n   namespace: y\n`);
    const out = path.join(dir, 'out.ts');
    const r = await run(['--out', out, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^cdk8s-tls adopt: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:13:\\d+: not valid YAML`));
    expect(fs.existsSync(out)).toBe(false);
    // The same through standard input: the file is "-".
    const piped = await run(['-'], 'kind: [unclosed\n');
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/^-:\d+:\d+: not valid YAML/);
  });

  test('standard input (-) is read like a file, with the files given', async () => {
    const r = await run(['-'], INGRESS('web', 'web.example.com', 'web'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("{ host: 'web.example.com', app: 'web' }");
  });

  test('a kind adopt does not understand is listed under "not adopted", never silently dropped', async () => {
    const dir = tmp();
    const file = write(dir, 'in.yaml', `${INGRESS('web', 'web.example.com', 'web')}---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: web, namespace: shop }
spec: { selector: {}, endpoints: [] }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: cleanup, namespace: shop }
spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { containers: [] } } } } }
`);
    const report = path.join(dir, 'report.md');
    const r = await run(['--report', report, file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('; 2 not adopted');
    const text = fs.readFileSync(report, 'utf8');
    const notAdopted = text.split('## Not adopted')[1].split('\n## ')[0];
    expect(notAdopted).toContain('ServiceMonitor shop/web');
    expect(notAdopted).toContain('ServiceMonitor is not a kind adopt understands: keep applying it as it is');
    expect(notAdopted).toContain('CronJob shop/cleanup');
  });

  test('two Ingresses claiming one host: the conflict is reported, nothing is written, exit 1; --force keeps the first in file order', async () => {
    const dir = tmp();
    const file = write(dir, 'in.yaml', `${INGRESS('first', 'shop.example.com', 'web')}---\n${INGRESS('second', 'shop.example.com', 'legacy')}`);
    const out = path.join(dir, 'out.ts');
    const report = path.join(dir, 'report.md');
    const blocked = await run(['--out', out, '--report', report, file]);
    expect(blocked).toMatchObject({ code: 1, stdout: '' });
    expect(blocked.stderr).toContain('cdk8s-tls adopt: 2 conflict(s), nothing written: resolve them in the input, or give --force to keep the first claim of each in file order');
    expect(blocked.stderr).toContain('host and path shop.example.com/: Ingress shop/first');
    expect(blocked.stderr).toMatch(/certificate of host shop\.example\.com \(namespace shop\): Ingress shop\/first .* and Ingress shop\/second/);
    expect(fs.existsSync(out) || fs.existsSync(report)).toBe(false);

    const forced = await run(['--force', '--out', out, '--report', report, file]);
    expect(forced.code).toBe(0);
    const ts = fs.readFileSync(out, 'utf8');
    expect(ts).toContain("{ host: 'shop.example.com', app: 'web' }");
    expect(ts).toContain("secretName: 'first-tls'");
    expect(ts).not.toContain('legacy');
    expect(fs.readFileSync(report, 'utf8')).toMatch(/Ingress shop\/first .* routes it to Service shop\/web: \*\*kept\*\* \(--force keeps the first in file order\)\n {2}2\. Ingress shop\/second .* routes it to Service shop\/legacy: \*\*dropped\*\*/);
  });

  test('--diff prints the input against what the spec synthesizes (the TypeScript then goes to --out only)', async () => {
    const dir = tmp();
    const out = path.join(dir, 'out.ts');
    const r = await run(['--diff', '--out', out, path.join(FIXTURES, 'ingress-nginx-shim')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^input → generated spec: \d+ added, \d+ removed \(delete them when you migrate\), \d+ changed/);
    expect(r.stdout).toContain('- removed   networking.k8s.io/v1 Ingress shop/shop-web');
    expect(r.stdout).toContain('+ added     cert-manager.io/v1 Certificate shop/shop-web-tls');
    expect(r.stdout).toContain('~ changed   apps/v1 Deployment shop/web');
    const web = r.stdout.split('~ changed   apps/v1 Deployment shop/web\n')[1].split(/\n[~+=-] /)[0];
    expect(web).toContain('      + spec.template.spec.securityContext.runAsNonRoot: true');
    // A literal secret of the input is shown redacted: the diff goes into reviews.
    expect(web).toContain('      - spec.template.spec.containers[web].env[SESSION_SECRET].value: "*** (18 characters)"');
    expect(r.stdout).not.toContain('hunter2');
    expect(fs.readFileSync(out, 'utf8')).toContain('new TlsStackChart');
  });

  test.each([
    [['--edge', 'istio', 'x.yaml'], '--edge istio: give one of ingress-nginx, gateway-api, traefik'],
    [[], 'give the manifests to adopt: files, folders, or - for standard input'],
    [['/no/such/file.yaml'], 'no such file or directory: /no/such/file.yaml'],
    [['-', '-'], 'give - (standard input) once'],
    [['--bogus', 'x.yaml'], "Unknown option '--bogus'"],
  ])('usage error %j: one line on standard error, exit 2', async (argv, message) => {
    const r = await run(argv);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('an input without Kubernetes objects is an error, exit 2', async () => {
    const dir = tmp();
    write(dir, 'empty.yaml', '# nothing here\n---\n');
    const r = await run([dir]);
    expect(r).toMatchObject({ code: 2, stderr: 'cdk8s-tls adopt: the input holds no Kubernetes objects (YAML documents with apiVersion and kind)\n' });
  });
});
