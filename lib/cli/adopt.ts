import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EdgeKind } from '../edge/factory';
import type { ManifestDoc } from '../policy/check';
import { ADOPT_MARKER } from '../adopt/typescript';
import { CliIo, UsageError, parseCommandLine } from './args';

// cdk8s-tls adopt: reads the manifests a team applies today and writes the cdk8s app that builds the same stack with the
// library, a migration report and, with --diff, the input against what that app synthesizes.

export const ADOPT_HELP = `Usage: cdk8s-tls adopt [--out FILE.ts] [--report FILE.md] [--diff] [--edge KIND] [--force] <PATH... | ->

Reads the manifests a team applies today (multi-document YAML, helm template output, any mix; .md and .txt files
contribute their \`\`\`yaml blocks; - reads standard input): Ingresses (ingress-nginx and cert-manager annotations),
cert-manager issuers and Certificates, Gateway API, Traefik CRDs, and the Deployments and Services behind them. Writes a
cdk8s app in TypeScript whose TlsStackCharts (one per namespace) serve the same hosts with the same backends, paths and
certificate Secrets, and a migration report: per host what stays, what the library adds, what it drops or refuses and
what it cannot say (with the escape hatch).

  PATH              files or folders (recursively), or - for standard input
  --out FILE.ts     write the TypeScript to FILE.ts [default: standard output]
  --report FILE.md  write the migration report (Markdown) to FILE.md
  --diff            print the input against what the generated spec synthesizes, object by object (on standard
                    output: the TypeScript then goes to --out only)
  --edge KIND       build this edge: gateway-api, traefik or ingress-nginx [default: the input's]
  --force           when two objects claim one host and path, one Secret, one host's certificate or one object, keep
                    the first in file order (the report lists what is dropped) [default: write nothing]
  -h, --help        this text

adopt overwrites --out and --report files only while they still start with its marker line.

Exit code: 0 written; 1 conflicts (nothing written) or the generated spec does not pass the library's checks yet (written,
the report says why); 2 usage error or input that does not parse.`;


interface AdoptFlags {
  readonly out?: string;
  readonly report?: string;
  readonly diff?: boolean;
  readonly edge?: string;
  readonly force?: boolean;
}

/** Runs `cdk8s-tls adopt`; `readStdin` reads standard input (tests give their own). */
export async function adoptCommand(args: string[], io: CliIo, readStdin: () => string = () => fs.readFileSync(0, 'utf8')): Promise<number> {
  const { values, positionals } = parseCommandLine<AdoptFlags>(args, {
    out: { type: 'string' }, report: { type: 'string' }, diff: { type: 'boolean' }, edge: { type: 'string' }, force: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(`${ADOPT_HELP}\n`);
    return 0;
  }
  const edge = values.edge === undefined ? undefined : Object.values(EdgeKind).find((k) => k === values.edge);
  if (values.edge !== undefined && !edge) throw new UsageError(`--edge ${values.edge}: give one of ${Object.values(EdgeKind).join(', ')}`);
  if (!positionals.length) throw new UsageError('give the manifests to adopt: files, folders, or - for standard input');
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('give - (standard input) once');
  for (const p of positionals) if (p !== '-' && !fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
  for (const [flag, file] of [['--out', values.out], ['--report', values.report]] as const) {
    if (file !== undefined && !writable(file)) throw new UsageError(`${flag} ${file}: the file exists and does not start with adopt's marker line (written by someone else, or edited since): choose another file, or remove it`);
  }
  if (values.out !== undefined && values.out === values.report) throw new UsageError('--out and --report name the same file');

  const docs = load(positionals, readStdin);
  if (!docs.length) throw new Error('the input holds no Kubernetes objects (YAML documents with apiVersion and kind)');
  const { adopt }: typeof import('../adopt') = require('../adopt'); // eslint-disable-line @typescript-eslint/no-require-imports -- loaded when the command runs
  const result = adopt(docs, { edge, force: values.force, diff: values.diff });
  if (result.blocked) {
    io.stderr.write(`cdk8s-tls adopt: ${result.conflicts.length} conflict(s), nothing written: resolve them in the input, or give --force to keep the first claim of each in file order\n${
      result.conflicts.map((c) => `  ${c.subject}: ${c.claims.map((x) => `${x.origin.kind} ${x.origin.namespace ? `${x.origin.namespace}/` : ''}${x.origin.name} (${x.origin.file})`).join(' and ')}`).join('\n')}\n`);
    return 1;
  }
  writeAll([[values.out, result.typescript!], [values.report, result.report]]);
  if (values.diff) io.stdout.write(result.diff?.text ?? 'no diff: the generated spec does not synthesize (see the report)\n');
  else if (values.out === undefined) io.stdout.write(result.typescript!);
  const { stacks, issuers } = result.model;
  const names = stacks.map((s) => s.namespace);
  io.stderr.write(`cdk8s-tls adopt: ${docs.length} document(s) → ${stacks.length} stack(s)${names.length ? ` (${names.slice(0, 5).join(', ')}${names.length > 5 ? `, and ${names.length - 5} more` : ''})` : ''}, ${issuers.length} issuer(s); `
    + `${result.notAdopted.length} not adopted${result.conflicts.length ? `; ${result.conflicts.length} conflict(s) resolved by --force` : ''}${values.out ? `; wrote ${values.out}` : ''}${values.report ? `; report: ${values.report}` : ''}\n`);
  if (result.synthErrors.length) {
    io.stderr.write(`cdk8s-tls adopt: the generated spec does not pass the library's checks yet (fix the spec or the input):\n${result.synthErrors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

/** A file adopt may write: missing, or still starting with its marker line. */
function writable(file: string): boolean {
  if (!fs.existsSync(file)) return true;
  if (!fs.statSync(file).isFile()) return false;
  return fs.readFileSync(file, 'utf8').split('\n', 2)[0].includes(ADOPT_MARKER);
}

/** The documents of the paths (and of standard input, read through a file named `-` in the messages). */
function load(paths: string[], readStdin: () => string): ManifestDoc[] {
  const { loadManifests }: typeof import('../policy/check') = require('../policy/check'); // eslint-disable-line @typescript-eslint/no-require-imports -- loaded when the command runs
  const files = paths.filter((p) => p !== '-');
  const docs = files.length ? loadManifests(files) : [];
  if (!paths.includes('-')) return docs;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-tls-adopt-'));
  const file = path.join(dir, 'stdin.yaml');
  try {
    fs.writeFileSync(file, readStdin());
    return [...docs, ...loadManifests([file]).map((d) => ({ ...d, file: '-' }))];
  } catch (e) {
    throw new Error((e as Error).message.split(file).join('-'), { cause: e });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes every (file, text) with a file, all or none: each goes to a temporary name first. */
function writeAll(files: Array<[string | undefined, string]>): void {
  const staged: Array<[string, string]> = [];
  try {
    for (const [file, text] of files) {
      if (file === undefined) continue;
      const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, text);
      staged.push([tmp, file]);
    }
  } catch (e) {
    for (const [tmp] of staged) fs.rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, file] of staged) fs.renameSync(tmp, file);
}
