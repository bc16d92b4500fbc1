// npm run check [--json] [DIR|FILE ...]: schema + TLS policy report for any folder of manifests (default: dist).
// Markdown/text files are read for their ```yaml blocks. Exit code 1 when there are errors.
import { Severity, checkManifests, formatFindings, loadManifests } from '../lib/policy/check';

const args = process.argv.slice(2);
const json = args.includes('--json');
const paths = args.filter((a) => a !== '--json');
const docs = loadManifests(paths.length ? paths : ['dist']);
const findings = checkManifests(docs);
if (json) {
  process.stdout.write(`${JSON.stringify({ documents: docs.length, findings }, null, 2)}\n`);
} else {
  process.stdout.write(`${docs.length} document(s) checked\n${formatFindings(findings, process.stdout.isTTY)}\n`);
}
process.exitCode = findings.some((f) => f.severity === Severity.ERROR) ? 1 : 0;
