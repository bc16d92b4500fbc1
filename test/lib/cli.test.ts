import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMMANDS, main } from '../../lib/cli';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const folder = (docs: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  fs.writeFileSync(path.join(dir, 'app.yaml'), docs);
  return dir;
};
const SNIPPET = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: legacy, namespace: web, annotations: {nginx.ingress.kubernetes.io/configuration-snippet: "more_set_headers X: 1;"}}
spec: {ingressClassName: nginx, rules: [{host: a.example.com}]}
`;

describe('cdk8s-tls', () => {
  test.each(Object.keys(COMMANDS))('%s --help prints its usage and exits 0', async (name) => {
    const r = await run(name, '--help');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^Usage: cdk8s-tls ${name} `));
  });

  test('no command: the command list on stderr, exit 2; --help: on stdout, exit 0', async () => {
    expect(await run()).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('Commands:') });
    expect(await run('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('  check ') });
  });

  test.each([
    [['lint'], 'cdk8s-tls: unknown command "lint" (commands: check, summary, verify, adopt) (see cdk8s-tls --help)\n'],
    [['check', '--bogus'], /^cdk8s-tls check: Unknown option '--bogus'.*\(see cdk8s-tls check --help\)\n$/],
    [['check', '/no/such/dir'], 'cdk8s-tls check: no such file or directory: /no/such/dir (see cdk8s-tls check --help)\n'],
    [['summary', '--json', '/no/such/dir'], 'cdk8s-tls summary: no such file or directory: /no/such/dir (see cdk8s-tls summary --help)\n'],
    [['verify'], 'cdk8s-tls verify: give at least one --url (see cdk8s-tls verify --help)\n'],
    [['verify', '--url', 'http://a.example.com'], 'cdk8s-tls verify: --url http://a.example.com: give an https:// URL (see cdk8s-tls verify --help)\n'],
    [['verify', '--url', 'https://a.example.com', '--https-port', '70000'], 'cdk8s-tls verify: --https-port 70000: give a port between 1 and 65535 (see cdk8s-tls verify --help)\n'],
    [['verify', '--url', 'https://a.example.com', '--https-port', '1e3'], 'cdk8s-tls verify: --https-port 1e3: give a port between 1 and 65535 (see cdk8s-tls verify --help)\n'],
    // setTimeout fires at once past 2^31 - 1 ms: such a limit would stop every probe before it starts
    [['verify', '--url', 'https://a.example.com', '--timeout', '3000000000'], 'cdk8s-tls verify: --timeout 3000000000: give whole milliseconds from 1 to 2147483647, e.g. 5000 (see cdk8s-tls verify --help)\n'],
    [['verify', '--url', 'https://a.example.com', '--deadline', '2147483648'], 'cdk8s-tls verify: --deadline 2147483648: give whole milliseconds from 1 to 2147483647, e.g. 5000 (see cdk8s-tls verify --help)\n'],
    [['verify', '--url', 'https://a.example.com', '--timeout', '1.5'], 'cdk8s-tls verify: --timeout 1.5: give whole milliseconds from 1 to 2147483647, e.g. 5000 (see cdk8s-tls verify --help)\n'],
    // --env means this repository's environments: only npm run verify has them
    [['verify', '--env', 'prod'], "cdk8s-tls verify: --env prod: cdk8s-tls verify has no environments (--env is this repository's npm run verify); give the hosts with --url (see cdk8s-tls verify --help)\n"],
    [['verify', '--env', 'prod', '--url', 'https://a.example.com'], /^cdk8s-tls verify: --env prod: cdk8s-tls verify has no environments/],
    // a second URL without its own --url would be silently left unchecked
    [['verify', '--url', 'https://a.example.com/', 'https://b.example.com/'], 'cdk8s-tls verify: unexpected argument "https://b.example.com/": give each URL with its own --url (see cdk8s-tls verify --help)\n'],
  ])('usage error %j: one line on stderr, nothing on stdout, exit 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('check: findings exit 1; --json prints only JSON', async () => {
    const dir = folder(SNIPPET);
    const text = await run('check', dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('[snippet-annotations] metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]:');
    const json = await run('check', '--json', dir);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.documents).toBe(1);
    expect(parsed.findings.map((f: any) => f.rule)).toEqual(expect.arrayContaining(['snippet-annotations', 'hosts-without-tls']));
  });

  test('check: a clean folder exits 0', async () => {
    const r = await run('check', path.join(__dirname, '..', '..', 'dist', 'prod'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 error\(s\)/);
  });

  test('summary: Markdown per folder, or JSON only', async () => {
    const dist = path.join(__dirname, '..', '..', 'dist', 'staging');
    const md = await run('summary', dist);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('## Public hosts');
    const json = await run('summary', '--json', dist);
    const model = JSON.parse(json.stdout)[dist];
    expect(model.hosts.find((h: any) => h.host === 'api.analytics.staging.example.com')).toMatchObject({ paths: ['/', '/ws'], secret: 'analytics/api-tls' });
  });
});
