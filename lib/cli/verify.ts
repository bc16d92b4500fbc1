import { TlsProfile } from '../policy/tls-profiles';
import { CheckResult, HostExpectation, MAX_TIMER_MS, VerifyOptions, expectationsFromUrl, formatResults, verifyHost } from '../verify';
import { readCa, readClientPair } from '../verify/files';
import { CliIo, UsageError, parseCommandLine } from './args';

// `cdk8s-tls verify`: the command line of the live prober (lib/verify).

interface VerifyFlags {
  readonly env?: string; readonly url?: string[]; readonly ca?: string; readonly 'client-cert'?: string; readonly 'client-key'?: string;
  readonly json?: boolean; readonly insecure?: boolean; readonly resolve?: string[]; readonly 'https-port'?: string; readonly 'http-port'?: string;
  readonly ws?: string[]; readonly mtls?: boolean; readonly modern?: boolean; readonly timeout?: string; readonly deadline?: string;
}

/**
 * Where `--env NAME` finds its hosts: an app's own environments (this repository's `npm run verify`). The packaged
 * `cdk8s-tls verify` has none and refuses `--env`.
 */
export interface VerifyEnvironments {
  /** How the command is run, for --help (e.g. `npm run verify --`). */
  readonly command: string;
  /** The environment names, for --help. */
  readonly names: string[];
  /** The hosts of one environment; throws {@link UsageError} for an unknown name. */
  expectations(name: string): HostExpectation[];
}

/** The `--help` text: of `cdk8s-tls verify`, or of an app's command with `--env`. */
export function verifyHelp(environments?: VerifyEnvironments): string {
  const command = environments?.command ?? 'cdk8s-tls verify';
  const what = `Checks TLS versions, every cipher suite outside the profile, chain, names, expiry, keys and signatures; the
HTTP→HTTPS redirect, HSTS and security headers; WebSocket upgrades; mutual TLS. Probes run concurrently.`;
  return `Usage: ${command} ${environments ? '--env NAME | ' : ''}--url https://HOST[:PORT][/] [options]

${environments
    ? `Probes live hosts: every public host of an environment against its spec (--env), or URLs against the library's
secure defaults (Mozilla 6.0 intermediate, HSTS 1 year, OWASP headers).`
    : "Probes live hosts with the library's secure defaults (Mozilla 6.0 intermediate, HSTS 1 year, OWASP headers)."}
${what}

${environments ? `  --env NAME              every public host of environment NAME (${environments.names.join(', ')}), as its spec says
` : ''}  --url URL               an https:// URL to probe (repeatable; IPv6 as https://[::1]:8443/)
  --resolve HOST=ADDR     connect to ADDR for HOST (or --resolve ADDR for every host); SNI and Host stay HOST
  --https-port N          HTTPS port (default: the URL's, else 443)
  --http-port N           plain-HTTP port of the redirect check (default 80)
  --ws PATH               a WebSocket path to upgrade (repeatable)
  --mtls                  the host requires client certificates
  --modern                expect Mozilla modern (TLS 1.3 only)
  --ca FILE               extra trusted CA (PEM)
  --client-cert FILE      client certificate (PEM) for mTLS hosts, with --client-key FILE
  --timeout MS            each host's time limit, connect included (default 5000); the cipher-suite handshakes,
                          started once the host has answered, each have MS from their own start
  --deadline MS           limit of the whole run, suite handshakes included (default none)
  --insecure              do not verify the chain (reported on every result)
  --json                  print JSON only
  -h, --help              this text

Exit code: 0 all passed, 1 a check failed or could not run (host unreachable, no answer in time), 2 usage error.`;
}

/** `cdk8s-tls verify --help`. */
export const VERIFY_HELP = verifyHelp();

/**
 * The `verify` command line. `environments` lets an app add `--env NAME` (expectations built from its own spec).
 * Resolves to the exit code; throws {@link UsageError} for a bad command line.
 */
export async function verifyCommand(args: string[], io: Pick<CliIo, 'stdout'>, environments?: VerifyEnvironments): Promise<number> {
  const { values, positionals } = parseCommandLine<VerifyFlags>(args, {
    'env': { type: 'string' }, 'url': { type: 'string', multiple: true }, 'ca': { type: 'string' },
    'client-cert': { type: 'string' }, 'client-key': { type: 'string' }, 'json': { type: 'boolean' }, 'insecure': { type: 'boolean' },
    'resolve': { type: 'string', multiple: true }, 'https-port': { type: 'string' }, 'http-port': { type: 'string' },
    'ws': { type: 'string', multiple: true }, 'mtls': { type: 'boolean' }, 'modern': { type: 'boolean' }, 'timeout': { type: 'string' },
    'deadline': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(`${verifyHelp(environments)}\n`);
    return 0;
  }
  /** Runs `fn`; what it throws becomes a usage error (same message). */
  const usage = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  };
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}": give each URL with its own --url`);
  if (values.env !== undefined && !environments) {
    throw new UsageError(`--env ${values.env}: cdk8s-tls verify has no environments (--env is this repository's npm run verify); give the hosts with --url`);
  }
  /** A whole number from 1 to `max`, written in plain digits (no 1e3, no 0x10). */
  const whole = (v: string, max: number) => (/^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= max ? Number(v) : undefined);
  const port = (flag: string, v?: string) => {
    if (v === undefined) return undefined;
    const n = whole(v, 65535);
    if (n === undefined) throw new UsageError(`--${flag} ${v}: give a port between 1 and 65535`);
    return n;
  };
  const millis = (flag: string, v?: string) => {
    if (v === undefined) return undefined;
    const n = whole(v, MAX_TIMER_MS);
    if (n === undefined) throw new UsageError(`--${flag} ${v}: give whole milliseconds from 1 to ${MAX_TIMER_MS}, e.g. 5000`);
    return n;
  };
  const ports = { httpsPort: port('https-port', values['https-port']), httpPort: port('http-port', values['http-port']) };
  const timeoutMs = millis('timeout', values.timeout);
  const deadlineMs = millis('deadline', values.deadline);
  let targets: HostExpectation[];
  if (values.url?.length) {
    targets = values.url.map((u) => usage(() => expectationsFromUrl(u, {
      ...(ports.httpPort ? { httpPort: ports.httpPort } : {}), ...(ports.httpsPort ? { httpsPort: ports.httpsPort } : {}),
      websocketPaths: values.ws, clientAuth: values.mtls, ...(values.modern ? { profile: TlsProfile.MODERN } : {}),
    })));
  } else if (values.env !== undefined && environments) {
    targets = environments.expectations(values.env);
  } else {
    throw new UsageError(environments ? 'give --url or --env' : 'give at least one --url');
  }
  const resolve = new Map((values.resolve ?? []).map((r) => {
    const [host, address] = r.includes('=') ? r.split('=') : ['*', r];
    if (!address) throw new UsageError(`--resolve ${r}: give HOST=ADDRESS or ADDRESS`);
    return [host, address.replace(/^\[(.*)\]$/, '$1')];
  }));
  targets = targets.map((t) => ({ ...t, address: resolve.get(t.host) ?? resolve.get('*') ?? t.address }));
  if (!values['client-cert'] !== !values['client-key']) throw new UsageError('give --client-cert and --client-key together');
  // Checked before any probe: a bad file is a usage error naming it, not an OpenSSL error in every result.
  const ca = values.ca === undefined ? undefined : usage(() => readCa(values.ca!));
  const client = values['client-cert'] === undefined ? undefined : usage(() => readClientPair(values['client-cert']!, values['client-key']!));
  const run = new AbortController();
  const timer = deadlineMs === undefined ? undefined
    : setTimeout(() => run.abort(new Error(`stopped at the whole run's --deadline (${deadlineMs} ms)`)), deadlineMs);
  const options: VerifyOptions = {
    ca, clientCert: client?.cert, clientKey: client?.key,
    insecure: values.insecure, timeoutMs, signal: run.signal,
  };
  let results: CheckResult[];
  try {
    results = (await Promise.all(targets.map((t) => verifyHost(t, options)))).flat();
  } finally {
    clearTimeout(timer);
  }
  io.stdout.write(values.json
    ? `${JSON.stringify({ insecure: !!values.insecure, results }, null, 2)}\n`
    : `${formatResults(results, !!io.stdout.isTTY, values.insecure)}\n`);
  return results.some((r) => r.status === 'fail' || r.status === 'error') ? 1 : 0;
}
