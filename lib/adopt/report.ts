import { Severity } from '../policy/check';
import { ADOPT_MARKER } from './typescript';
import { AdoptDiff, AdoptionModel, AppModel, EDGE_NAME, Note, NoteKind, Origin, StackModel, describe } from './model';

// The migration report, Markdown for a pull request: per host what stays, what the library adds, what it drops or
// refuses and what it cannot say (with the escape hatch); then apps, issuers, what was not adopted, conflicts, what
// `cdk8s-tls check` finds in the input, and the steps to migrate.

/** How the report was made. */
export interface ReportContext {
  readonly blocked: boolean;
  readonly force: boolean;
  readonly synthErrors: string[];
  readonly diff?: AdoptDiff;
}

const HEADINGS: Array<[NoteKind, string]> = [
  [NoteKind.SAME, 'Stays the same'], [NoteKind.ADDED, 'The library adds'], [NoteKind.CHANGED, 'Changes'],
  [NoteKind.REFUSED, 'Dropped or refused'], [NoteKind.CANNOT, 'Cannot be said in the spec (escape hatch)'],
];

export function renderReport(model: AdoptionModel, c: ReportContext): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  push(`<!-- ${ADOPT_MARKER}: migration report. Delete this line when you edit it: adopt then never overwrites it. -->`, '# Migration report: adopting existing YAML into cdk8s-secure-tls', '');
  push(`Input: ${model.files.map((f) => `\`${f}\``).join(', ')}: ${model.documents} document(s), ${model.documents - model.notAdopted.length} adopted, ${model.notAdopted.length} not adopted.`);
  push(`Generated: ${model.stacks.length} TlsStackChart(s) (${model.stacks.map((s) => `\`${s.namespace}\` on ${EDGE_NAME[s.edge.kind]}${s.edge.kind !== s.edge.inputKind ? ` (was ${EDGE_NAME[s.edge.inputKind]})` : ''}`).join(', ') || 'none'}), ${model.issuers.length} issuer(s).`, '');
  push(status(model, c), '');
  if (model.conflicts.length) section(out, 'Conflicts', conflictLines(model, c));

  const placed = placeNotes(model);
  for (const stack of model.stacks) renderStack(out, stack, placed);
  const issuerNotes = model.notes.filter((n) => n.issuer);
  if (model.issuers.length) {
    section(out, 'Issuers', model.issuers.map((i) => `- \`${i.key}\`: ${issuerLine(i)}${i.origin ? ` (${where(i.origin)})` : ''}`));
    notesByKind(out, issuerNotes, '###');
  }
  const global = placed.get('') ?? [];
  if (global.length) {
    section(out, 'Everywhere', []);
    notesByKind(out, global, '###');
  }
  section(out, 'Not adopted', model.notAdopted.length ? model.notAdopted.map((n) => `- ${describe(n.origin)} (${where(n.origin)}): ${n.reason}`) : ['- nothing: every document was adopted']);
  section(out, 'What `cdk8s-tls check` finds in the input', findingLines(model));
  section(out, 'Migration steps', migrationSteps(model));
  if (c.diff) section(out, 'Diff', ['```diff', ...c.diff.text.trimEnd().split('\n'), '```']);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function status(model: AdoptionModel, c: ReportContext): string {
  if (c.blocked) return `**Nothing was written**: ${model.conflicts.length} conflict(s) below. Resolve them in the input, or run again with \`--force\` to keep the first claim of each in file order.`;
  if (c.synthErrors.length) return ['**The generated spec does not synthesize yet**: the library refuses it, for these reasons (fix the spec or the input):', '', ...c.synthErrors.map((e) => `- ${e.replace(/\n/g, ' ')}`)].join('\n');
  return 'The generated spec synthesizes and passes the library\'s checks (schemas, CEL rules, TLS policy).';
}

function conflictLines(model: AdoptionModel, c: ReportContext): string[] {
  return model.conflicts.flatMap((x) => [
    `- **${x.subject}** is claimed by:`,
    ...x.claims.map((claim, i) => `  ${i + 1}. ${describe(claim.origin)} (${where(claim.origin)}) ${claim.detail}${i === 0 ? (c.force ? ': **kept** (--force keeps the first in file order)' : ': kept with --force') : c.force ? ': **dropped**' : ''}`),
  ]);
}

/**
 * Where each note goes: a host, an app, the input document it is about (`<ns>|doc|<index>`), or the stack (`<ns>`);
 * `''` is global.
 */
function placeNotes(model: AdoptionModel): Map<string, Note[]> {
  const placed = new Map<string, Note[]>();
  const add = (key: string, n: Note) => placed.set(key, [...placed.get(key) ?? [], n]);
  for (const n of model.notes) {
    if (n.issuer) continue;
    if (n.host) add(`${n.namespace}|host|${n.host}`, n);
    else if (n.app) add(`${n.namespace}|app|${n.app}`, n);
    else if (n.origin && n.namespace) add(`${n.namespace}|doc|${n.origin.index}`, n);
    else if (n.namespace) add(`${n.namespace}|stack`, n);
    else add('', n);
  }
  return placed;
}

function renderStack(out: string[], stack: StackModel, placed: Map<string, Note[]>): void {
  out.push(`## Namespace \`${stack.namespace}\`: ${EDGE_NAME[stack.edge.kind]} edge`, '');
  const stackNotes = placed.get(`${stack.namespace}|stack`) ?? [];
  if (stackNotes.length) notesByKind(out, stackNotes, '###');
  // The documents the stack's routes come from, and those with notes of their own (annotations, filters, middlewares...).
  const docs = new Map<number, { origin: Origin; hosts: Set<string> }>();
  for (const r of stack.routes) docs.set(r.origin.index, { origin: r.origin, hosts: (docs.get(r.origin.index)?.hosts ?? new Set()).add(r.host) });
  const docNotes = [...placed.entries()].filter(([k]) => k.startsWith(`${stack.namespace}|doc|`)).map(([k, notes]) => ({ index: Number(k.split('|')[2]), notes }));
  const hosts = [...new Set([...stack.routes.map((r) => r.host), ...stack.sites.flatMap((s) => s.hosts)])];
  for (const host of hosts) {
    out.push(`### ${host}`, '');
    const routes = stack.routes.filter((r) => r.host === host);
    const site = stack.sites.find((s) => s.hosts.includes(host) || (!host.startsWith('*.') && s.hosts.includes(`*.${host.slice(host.indexOf('.') + 1)}`)));
    const same = [
      ...routes.map((r) => {
        const app = stack.apps.find((a) => a.name === r.app);
        const flags = [r.websocket && 'WebSocket', r.passthrough && 'TLS passthrough', r.clientAuth && 'client certificates required', r.maxRequestBodyBytes && `body up to ${r.maxRequestBodyBytes / 1024} KiB`].filter(Boolean);
        return `\`${r.path}\` → Service \`${r.app}\` port ${app?.servicePort ?? 80} (container port ${app?.port})${flags.length ? `, ${flags.join(', ')}` : ''}`;
      }),
      ...(!routes.length && site ? [`on the certificate of site \`${site.name}\` without a route (as in the input)`] : []),
    ];
    notesByKind(out, placed.get(`${stack.namespace}|host|${host}`) ?? [], '####', same);
    const from = docNotes.filter((d) => docs.get(d.index)?.hosts.has(host));
    if (from.length) out.push(`Also what the input's ${from.map((d) => `${describe(docs.get(d.index)!.origin)}`).join(', ')} set for this host: see below.`, '');
  }
  for (const { index, notes } of docNotes) {
    const origin = notes[0].origin!;
    const routed = docs.get(index)?.hosts;
    out.push(`### ${describe(origin)} (${where(origin)})${routed ? `: ${[...routed].join(', ')}` : ': no route of it is adopted'}`, '');
    notesByKind(out, notes, '####');
  }
  for (const app of stack.apps) {
    out.push(`### App \`${app.name}\``, '');
    notesByKind(out, placed.get(`${stack.namespace}|app|${app.name}`) ?? [], '####', appSame(app), appAdded(app));
  }
}

function appSame(app: AppModel): string[] {
  return [
    `image \`${app.image}\`${app.placeholder ? ' (**placeholder**: the input has no Deployment for it)' : ''}, port ${app.port}${app.servicePort ? `, Service port ${app.servicePort}` : ''}${app.replicas !== undefined ? `, ${app.replicas} replica(s)` : ''}`,
    ...(Object.keys(app.env).length ? [`variables ${Object.keys(app.env).map((k) => `\`${k}\``).join(', ')}`] : []),
    ...(Object.keys(app.secretEnv).length ? [`variables from Secrets ${Object.keys(app.secretEnv).map((k) => `\`${k}\``).join(', ')}`] : []),
    app.probe === 'http' ? `HTTP probe \`${app.healthPath ?? '/healthz'}\`` : 'TCP probe of its port',
  ];
}

function appAdded(app: AppModel): string[] {
  return [
    `Pod Security Standards restricted: non-root (UID ${app.runAsUser ?? 10001}), read-only root filesystem with a writable /tmp, every capability dropped, no privilege escalation, seccomp RuntimeDefault, no service account token`,
    ...(app.tls ? [`serves the certificate of site \`${app.tls.site}\` from \`${app.tls.mountPath}\` (read-only, mode 0440), restarted when cert-manager renews it (Stakater Reloader)`] : []),
    'Service port with its appProtocol',
  ];
}

/** Notes under headings by kind; `same` and `added` lines come first in their sections. */
function notesByKind(out: string[], notes: Note[], level: string, same: string[] = [], added: string[] = []): void {
  for (const [kind, heading] of HEADINGS) {
    const lines = [
      ...(kind === NoteKind.SAME ? same.map((s) => `- ${s}`) : kind === NoteKind.ADDED ? added.map((s) => `- ${s}`) : []),
      ...unique(notes.filter((n) => n.kind === kind).map(noteLine)),
    ];
    if (lines.length) out.push(`${level} ${heading}`, '', ...lines, '');
  }
}

const unique = (xs: string[]) => [...new Set(xs)];

function noteLine(n: Note): string {
  return `- **${n.subject}**: ${n.detail}${n.fix ? `. *Do:* ${n.fix}` : ''}${n.origin && (n.host || n.app || n.issuer || !n.namespace) ? ` (${describe(n.origin)}, ${where(n.origin)})` : ''}`;
}

function where(o: Origin): string {
  return `\`${o.file}\``;
}

function section(out: string[], title: string, lines: string[]): void {
  out.push(`## ${title}`, '', ...lines, '');
}

function issuerLine(i: AdoptionModel['issuers'][number]): string {
  switch (i.type) {
    case 'letsencrypt': return `LetsEncryptIssuer (${i.acme!.server}), solvers: ${i.acme!.solvers.map((s) => s.type).join(', ')}; account key Secret \`${i.acme!.accountKeySecretName}\` kept`;
    case 'acme': return `AcmeIssuer (${i.acme!.server}), solvers: ${i.acme!.solvers.map((s) => s.type).join(', ')}; account key Secret \`${i.acme!.accountKeySecretName}\` kept`;
    case 'selfSigned': return 'SelfSignedIssuer';
    case 'ca': return `CaIssuer (CA Secret \`${i.caSecretName}\`)`;
    default: return i.missing ? 'ExternalIssuer: **not in the input** (TODO in the spec)' : `ExternalIssuer: referenced by name, emitted by you as today${i.origin ? '' : ' (not in the input)'}`;
  }
}

function findingLines(model: AdoptionModel): string[] {
  if (model.checkError) return [`- the check could not read the input: ${model.checkError}`];
  if (!model.findings.length) return ['- nothing: the input passes the checks'];
  const errors = model.findings.filter((f) => f.severity === Severity.ERROR).length;
  return [
    `${errors} error(s), ${model.findings.length - errors} warning(s). The generated spec passes these checks by construction; each is fixed there, or listed above as dropped, refused or not adopted.`, '',
    ...model.findings.map((f) => `- ${f.severity} ${f.kind ?? '?'} ${f.name ?? '?'} [${f.rule}]${f.field ? ` \`${f.field}\`` : ''}: ${f.message} (\`${f.file}\`)`),
  ];
}

function migrationSteps(model: AdoptionModel): string[] {
  const shim = model.stacks.flatMap((s) => s.sites.filter((x) => x.source === 'ingress-shim' || x.source === 'gateway-shim').map((x) => `\`${s.namespace}/${x.name}\``));
  const deployments = model.stacks.flatMap((s) => s.apps.filter((a) => a.origin?.kind === 'Deployment').map((a) => ({ ns: s.namespace, name: a.origin!.name })));
  const steps = [
    'Review the TypeScript with this report; fill in every `TODO` (placeholders adopt could not know), then `cdk8s synth`.',
    ...(shim.length ? [`The shims' Certificates (${shim.join(', ')}) are owned by the Ingress or Gateway that made them and would be deleted with it: remove the \`cert-manager.io/*\` annotations from it, then release each Certificate so the stack keeps it: \`kubectl -n <ns> patch certificate <name> --type=json -p '[{"op":"remove","path":"/metadata/ownerReferences"}]'\`.`] : []),
    ...(deployments.length ? [`The stack's Deployments select their pods by a label of their own, and a Deployment's selector cannot change: before applying, let go of the old ones without stopping their pods (${deployments.map((d) => `\`kubectl -n ${d.ns} delete deployment ${d.name} --cascade=orphan\``).join(', ')}), and delete their old ReplicaSets once the new pods are ready.`] : []),
    'Apply the synthesized YAML. The Secrets keep their names, so the edges serve the certificates they have while cert-manager takes the Certificates over.',
    'Check the hosts: `npx cdk8s-tls verify --url https://<host>` (TLS versions, chain, redirect, HSTS, headers, WebSocket).',
    'Delete the objects the diff lists as removed (`--diff`): the old Ingresses, routes and Certificates the stack replaces. Keep applying what is listed as not adopted.',
  ];
  return steps.map((s, i) => `${i + 1}. ${s}`);
}
