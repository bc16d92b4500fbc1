import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import * as cdk8s from 'cdk8s';
import * as library from '../../lib';
import { synthChecked } from '../../lib';
import { ENTRY } from '../../lib/adopt/typescript';

const root = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(root, 'test', 'fixtures', 'adopt');

/**
 * Type-checks generated files with cdk8s's typescript-app template tsconfig (strict, noUnusedLocals, ES2016 lib),
 * 'cdk8s-secure-tls' mapped to this repository's lib/index.ts: the diagnostics of the generated files, formatted.
 */
export function typeCheck(sources: Record<string, string>): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adopt-tsc-'));
  try {
    const files = Object.entries(sources).map(([name, text]) => {
      const file = path.join(dir, `${name}.ts`);
      fs.writeFileSync(file, text);
      return file;
    });
    const template = path.join(root, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app', 'tsconfig.json');
    const config = ts.parseJsonConfigFileContent(ts.readConfigFile(template, ts.sys.readFile).config, ts.sys, dir);
    const options: ts.CompilerOptions = {
      ...config.options, noEmit: true, baseUrl: dir,
      paths: { 'cdk8s-secure-tls': [path.join(root, 'lib', 'index.ts')], 'cdk8s': [path.join(root, 'node_modules', 'cdk8s')], 'constructs': [path.join(root, 'node_modules', 'constructs')] },
      typeRoots: [path.join(root, 'node_modules', '@types')], types: ['node'],
    };
    const program = ts.createProgram(files, options);
    const diagnostics = [...program.getOptionsDiagnostics(), ...files.flatMap((f) => {
      const sf = program.getSourceFile(f)!;
      return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    })];
    return diagnostics.map((d) => `${d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a generated file as its user would (its exported function adds the charts to an App), with 'cdk8s-secure-tls'
 * this repository's lib, and synthesizes it through the library's gate: the documents.
 */
export function runGenerated(source: string): any[] {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2019 } }).outputText;
  const modules: Record<string, unknown> = { 'cdk8s-secure-tls': library, 'cdk8s': cdk8s };
  const fakeRequire = (id: string) => {
    if (!(id in modules)) throw new Error(`the generated file imports ${id}`);
    return modules[id];
  };
  const module = { exports: {} as Record<string, (app: App) => void> };
  new Function('require', 'module', 'exports', js)(fakeRequire, module, module.exports);
  const app = new App({ outdir: '/nonexistent' });
  module.exports[ENTRY](app);
  return synthChecked(app).charts.flatMap((c) => c.docs);
}

/** A route as the synthesized YAML serves it: host, path, the Service and its port, and whether it is a WebSocket route. */
export interface Served {
  readonly host: string;
  readonly path: string;
  readonly service: string;
  readonly port: number;
  readonly websocket: boolean;
}

const nsOf = (d: any) => d.metadata?.namespace ?? 'default';

/**
 * The routes and the Secret of each host in synthesized documents of any edge, read from the YAML itself (not through
 * adopt): Ingress rules and tls (WebSocket: the long proxy timeouts), HTTPRoute rules on HTTPS listeners and the
 * listeners' certificateRefs (WebSocket: a BackendTrafficPolicy stream idle timeout on the rule), IngressRoutes on the
 * TLS entry point (Traefik marks no WebSocket route: the backend Service's appProtocol says it).
 */
export function served(docs: any[]): { routes: Served[]; secrets: Record<string, string> } {
  const routes: Served[] = [];
  const secrets: Record<string, string> = {};
  const wsService = (ns: string, name: string) => docs.some((d) => d.kind === 'Service' && nsOf(d) === ns && d.metadata.name === name && d.spec.ports.some((p: any) => /ws/.test(p.appProtocol ?? '')));
  for (const d of docs.filter((x) => x.kind === 'Ingress')) {
    const websocket = Number(d.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout'] ?? 60) > 60;
    for (const t of d.spec.tls ?? []) for (const h of t.hosts) secrets[h] = t.secretName;
    for (const r of d.spec.rules) for (const p of r.http.paths) routes.push({ host: r.host, path: p.path, service: p.backend.service.name, port: p.backend.service.port.number, websocket });
  }
  for (const d of docs.filter((x) => x.kind === 'Gateway' || x.kind === 'ListenerSet')) {
    for (const l of d.spec.listeners) if (l.protocol === 'HTTPS') secrets[l.hostname] = l.tls.certificateRefs[0].name;
  }
  for (const d of docs.filter((x) => x.kind === 'HTTPRoute' && x.spec.rules.some((r: any) => r.backendRefs))) {
    const policies = docs.filter((p) => p.kind === 'BackendTrafficPolicy' && p.spec.timeout?.http?.streamIdleTimeout);
    for (const rule of d.spec.rules) {
      const websocket = policies.some((p) => p.spec.targetRefs.some((t: any) => t.name === d.metadata.name && (t.sectionName === undefined || t.sectionName === rule.name))) || undefined;
      for (const h of d.spec.hostnames) for (const m of rule.matches) routes.push({ host: h, path: m.path.value, service: rule.backendRefs[0].name, port: rule.backendRefs[0].port, websocket: !!websocket });
    }
  }
  for (const d of docs.filter((x) => x.kind === 'IngressRoute' && x.spec.tls)) {
    for (const r of d.spec.routes) {
      const hosts = [...r.match.matchAll(/Host\(`([^`]+)`\)/g)].map((m: RegExpMatchArray) => m[1]);
      const regexps = [...r.match.matchAll(/HostRegexp\(`\^\[a-z0-9-\]\+\\\.(.+)\$`\)/g)].map((m: RegExpMatchArray) => `*.${m[1].replace(/\\\./g, '.')}`);
      const path = /PathPrefix\(`([^`]+)`\)/.exec(r.match)?.[1] ?? '/';
      for (const host of [...hosts, ...regexps]) {
        secrets[host] = d.spec.tls.secretName;
        routes.push({ host, path, service: r.services[0].name, port: r.services[0].port, websocket: wsService(nsOf(d), r.services[0].name) });
      }
    }
  }
  return { routes: routes.sort((a, b) => `${a.host}${a.path}`.localeCompare(`${b.host}${b.path}`)), secrets };
}
