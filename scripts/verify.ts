// npm run verify -- [--env prod] [--url https://host ...] [--ca file] [--client-cert f --client-key f] [--json]
//                   [--resolve host=addr | --resolve addr] [--https-port n] [--http-port n] [--ws /path] [--mtls]
//                   [--modern] [--timeout ms] [--insecure]
// Probes every public host of an environment's spec (or the URLs given) and exits non-zero on any failure.
import * as fs from 'fs';
import { parseArgs } from 'util';
import { ENVIRONMENTS, buildEnvironment } from '../charts/environments';
import { TlsProfile } from '../lib/policy/tls-profiles';
import { CheckResult, HostExpectation, expectationsFromApp, expectationsFromUrl, formatResults, verifyHost } from '../lib/verify';

const { values } = parseArgs({
  options: {
    'env': { type: 'string' }, 'url': { type: 'string', multiple: true }, 'ca': { type: 'string' },
    'client-cert': { type: 'string' }, 'client-key': { type: 'string' }, 'json': { type: 'boolean' }, 'insecure': { type: 'boolean' },
    'resolve': { type: 'string', multiple: true }, 'https-port': { type: 'string' }, 'http-port': { type: 'string' },
    'ws': { type: 'string', multiple: true }, 'mtls': { type: 'boolean' }, 'modern': { type: 'boolean' }, 'timeout': { type: 'string' },
  },
});

async function main(): Promise<number> {
  const resolve = new Map((values.resolve ?? []).map((r) => (r.includes('=') ? r.split('=') as [string, string] : ['*', r])));
  const ports = { httpsPort: values['https-port'] ? Number(values['https-port']) : undefined, httpPort: values['http-port'] ? Number(values['http-port']) : undefined };
  let targets: HostExpectation[];
  if (values.url?.length) {
    targets = values.url.map((u) => expectationsFromUrl(u, {
      ...(ports.httpPort ? { httpPort: ports.httpPort } : {}),
      websocketPaths: values.ws, clientAuth: values.mtls, ...(values.modern ? { profile: TlsProfile.MODERN } : {}),
    }));
  } else {
    const env = ENVIRONMENTS.find((e) => e.name === (values.env ?? 'prod'));
    if (!env) throw new Error(`--env ${values.env}: no such environment (${ENVIRONMENTS.map((e) => e.name).join(', ')})`);
    targets = expectationsFromApp(buildEnvironment(env, '/dev/null'), ports);
  }
  targets = targets.map((t) => ({ ...t, address: resolve.get(t.host) ?? resolve.get('*') ?? t.address }));
  const read = (f?: string) => (f ? fs.readFileSync(f) : undefined);
  const options = {
    ca: read(values.ca), clientCert: read(values['client-cert']), clientKey: read(values['client-key']),
    insecure: values.insecure, timeoutMs: values.timeout ? Number(values.timeout) : undefined,
  };
  const results: CheckResult[] = (await Promise.all(targets.map((t) => verifyHost(t, options)))).flat();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ insecure: !!values.insecure, results }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatResults(results, process.stdout.isTTY, values.insecure)}\n`);
  }
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(`verify: ${e.message}\n`); process.exitCode = 2; });
