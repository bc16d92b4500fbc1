#!/usr/bin/env node
// cdk8s-tls: the package's command line. `check` and `summary` read folders of manifests; `verify` probes live hosts;
// `adopt` turns the manifests a team applies today into a cdk8s app of these constructs.
// Each command loads its modules when it runs (require, not import: a command line starts with what it needs only).
/* eslint-disable @typescript-eslint/no-require-imports -- each command loads its modules when it runs */
import * as fs from 'fs';
import { CliIo, UsageError, parseCommandLine } from './args';

/** One subcommand. */
export interface CliCommand {
  /** One line, for `cdk8s-tls --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs it; returns the exit code (0 ok, 1 findings). Throws UsageError for a bad command line. */
  run(args: string[], io: CliIo): Promise<number>;
}

const CHECK_HELP = `Usage: cdk8s-tls check [--json] [PATH...]

Checks Kubernetes manifests against their upstream schemas (Kubernetes, cert-manager, Gateway API, Envoy Gateway,
Traefik, trust-manager, Prometheus Operator) and the TLS policy (no snippets, X-XSS-Protection 0, TLS on every host,
certificates from cert-manager, no key material, read-only whole-directory secret mounts, verification on, TLS 1.2+
with Mozilla 6.0 ciphers, HSTS, Pod Security Standards restricted). Each folder is checked as one deployable unit.
.md and .txt files contribute their \`\`\`yaml blocks.

  PATH        files or folders (recursively) [default: dist]
  --json      print JSON only: { documents, findings }
  -h, --help  this text

Exit code: 0 no errors (warnings allowed), 1 errors found, 2 usage error.`;

const SUMMARY_HELP = `Usage: cdk8s-tls summary [--json] [PATH...]

Prints the review summary of synthesized manifests, per folder: public hosts → edge → certificate → issuer → secret →
backend, workloads and their TLS, certificates, a Mermaid graph, and what the cluster needs before you apply
(controllers, flags, CRDs, Secrets to create, namespaces assumed to exist).

  PATH        files or folders [default: dist]
  --json      print JSON only
  -h, --help  this text

Exit code: 0, or 2 on a usage error.`;

function existingPaths(positionals: string[]): string[] {
  const paths = positionals.length ? positionals : ['dist'];
  for (const p of paths) if (!fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
  return paths;
}

export const COMMANDS: Record<string, CliCommand> = {
  check: {
    summary: 'schema + TLS policy report for folders of manifests',
    help: CHECK_HELP,
    async run(args, io) {
      const { values, positionals } = parseCommandLine<{ json?: boolean }>(args, { json: { type: 'boolean' } });
      if (values.help) return help(io, CHECK_HELP);
      const { Severity, checkManifests, formatFindings, loadManifests }: typeof import('../policy/check') = require('../policy/check');
      const docs = loadManifests(existingPaths(positionals));
      const findings = checkManifests(docs);
      io.stdout.write(values.json
        ? `${JSON.stringify({ documents: docs.length, findings }, null, 2)}\n`
        : `${docs.length} document(s) checked\n${formatFindings(findings, !!io.stdout.isTTY)}\n`);
      return findings.some((f) => f.severity === Severity.ERROR) ? 1 : 0;
    },
  },
  summary: {
    summary: 'review summary (hosts, certificates, workloads, cluster requirements) of folders of manifests',
    help: SUMMARY_HELP,
    async run(args, io) {
      const { values, positionals } = parseCommandLine<{ json?: boolean }>(args, { json: { type: 'boolean' } });
      if (values.help) return help(io, SUMMARY_HELP);
      const { loadManifests }: typeof import('../policy/check') = require('../policy/check');
      const { reviewModel, renderSummary }: typeof import('../summary') = require('../summary');
      const { groupBy }: typeof import('../policy/validation') = require('../policy/validation');
      const path: typeof import('path') = require('path');
      const units = [...groupBy(loadManifests(existingPaths(positionals)), (m) => path.dirname(m.file))];
      if (values.json) {
        io.stdout.write(`${JSON.stringify(Object.fromEntries(units.map(([dir, docs]) => [dir, reviewModel(docs.map((d) => d.doc))])), null, 2)}\n`);
      } else {
        io.stdout.write(units.map(([dir, docs]) => renderSummary(reviewModel(docs.map((d) => d.doc)), `${dir}: TLS review summary`)).join('\n'));
      }
      return 0;
    },
  },
  verify: {
    summary: 'probe live hosts: TLS versions, ciphers, chain, redirect, HSTS, headers, WebSocket, mTLS',
    get help() {
      return (require('./verify') as typeof import('./verify')).VERIFY_HELP;
    },
    async run(args, io) {
      const { verifyCommand }: typeof import('./verify') = require('./verify');
      return verifyCommand(args, io);
    },
  },
  adopt: {
    summary: 'the cdk8s app (TypeScript), migration report and diff for the manifests a team applies today',
    get help() {
      return (require('./adopt') as typeof import('./adopt')).ADOPT_HELP;
    },
    async run(args, io) {
      return (require('./adopt') as typeof import('./adopt')).adoptCommand(args, io);
    },
  },
};

function help(io: CliIo, text: string): number {
  io.stdout.write(`${text}\n`);
  return 0;
}

const MAIN_HELP = () => `Usage: cdk8s-tls <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`).join('\n')}

Run cdk8s-tls <command> --help for its options.`;

/** Runs the command line; resolves to the exit code. Never throws: usage errors are one line on stderr, exit 2. */
export async function main(argv: string[], io: CliIo = process, commands: Record<string, CliCommand> = COMMANDS): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(`${MAIN_HELP()}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})`);
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`cdk8s-tls${command ? ` ${name}` : ''}: ${e.message} (see cdk8s-tls ${command ? `${name} ` : ''}--help)\n`);
      return 2;
    }
    io.stderr.write(`cdk8s-tls ${name}: ${(e as Error).message}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
