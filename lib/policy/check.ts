import * as fs from 'fs';
import * as path from 'path';
import { DocumentOptions, ParseOptions, SchemaOptions, parseAllDocuments } from 'yaml';
import { CONTROLLER_RULES } from './controller-rules';
import { Manifest } from './manifest';
import { type DocumentErrors, validateDocument } from './schema';
import { TlsProfile } from './tls-profiles';
import { groupBy, labelProblem, literalSecretProblem, mountPathProblem, nameProblem, NameKind, redactSecret } from './validation';

/**
 * Policy checks over any folder of manifests (ours in dist/, or hand-written ones): upstream schemas and the TLS
 * policy of this project. The same checks run before `npm run synth` writes anything and in `cdk8s synth --validate`.
 */

export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
}

/** One problem found in a manifest. */
export interface Finding {
  readonly file: string;
  /** Construct path of what produced the document (when it was synthesized, not read from a file). */
  readonly path?: string;
  readonly kind?: string;
  readonly name?: string;
  /** The document field at fault, e.g. `spec.tls` or `metadata.annotations["nginx.ingress.kubernetes.io/server-snippet"]`. */
  readonly field?: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
}

/** A parsed document and where it came from. */
export interface ManifestDoc {
  readonly file: string;
  readonly doc: Manifest;
  /** Construct path of what produced it. @default read from a file */
  readonly source?: string;
}

/**
 * Reads YAML documents from files and folders (recursively); Markdown/text files contribute their ```yaml blocks. YAML
 * as Kubernetes reads it: a file that does not parse, or that repeats a key, throws (the API server would refuse it;
 * a lenient reader would have checked something else than what gets applied). A block in prose that does not parse is
 * an illustration, not a manifest, and is skipped.
 */
export function loadManifests(paths: string[]): ManifestDoc[] {
  const files = paths.flatMap((p) => walk(p)).sort();
  return files.flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const isYaml = /\.(ya?ml)$/i.test(file);
    const sources = isYaml ? [text] : [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]);
    const prose = sources.length !== 1 || !isYaml;
    return sources.flatMap((src) => {
      const parsed = parseAllDocuments(src, MANIFEST_YAML);
      const error = (Array.isArray(parsed) ? parsed : [parsed]).flatMap((d) => d.errors)[0];
      if (error) {
        if (!isYaml) return [];
        const [line, col] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
        throw new Error(`${file}:${line}:${col}: not valid YAML (${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}); kubectl apply would refuse it: fix the file`);
      }
      const docs = Array.isArray(parsed) ? parsed.map((d) => d.toJS()) : [];
      // YAML blocks in prose are often not Kubernetes objects (compose files, CI configs): keep only those that are.
      return docs.filter((doc: Manifest) => doc && typeof doc === 'object' && (!prose || (doc.apiVersion && doc.kind))).map((doc) => ({ file, doc }));
    });
  });
}

/**
 * Plain scalars as YAML 1.2 reads them (`yes` and `2024-01-01` stay strings: no dates), a repeated key an error, merge
 * keys applied and the explicit tags `!!binary`, `!!set`, `!!omap` and `!!pairs` read, as kubectl's YAML reader does.
 */
const MANIFEST_YAML: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.2', schema: 'core', merge: true, uniqueKeys: true, customTags: ['binary', 'omap', 'pairs', 'set'] };

function walk(p: string): string[] {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return [p];
  return fs.readdirSync(p).flatMap((f) => {
    const full = path.join(p, f);
    return fs.statSync(full).isDirectory() ? walk(full) : /\.(ya?ml|md|txt)$/i.test(f) ? [full] : [];
  });
}

type Rule = (ctx: Context) => Finding[];

interface Context {
  /** The unit's documents; every rule but the schema's sees only those that match their schema (as the API server runs CEL and admission only on structurally valid objects). */
  readonly docs: ManifestDoc[];
  /** Schema and CEL problems of a document (computed once per document). */
  schemaOf(m: ManifestDoc): DocumentErrors;
  of(kind: string): ManifestDoc[];
  /** The document of this kind, namespace and name (indexed: no scans). */
  named(kind: string, namespace: string, name: string): ManifestDoc | undefined;
  finding(m: ManifestDoc, rule: string, severity: Severity, message: string, fix: string, field?: string): Finding;
}

const NGINX = 'nginx.ingress.kubernetes.io/';
const STRONG_CIPHERS = new Set(TlsProfile.INTERMEDIATE.ciphers);
const STRONG_IANA = new Set(TlsProfile.INTERMEDIATE.ianaCiphers);
const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
const NOT_KUBERNETES = /^(kustomize\.config\.k8s\.io|config\.kubernetes\.io)\//;
const SCALED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
const EXPOSED = new Set(['LoadBalancer', 'NodePort']);
/** Kinds whose names are DNS labels (at most 63 characters): in-cluster DNS names. */
const LABEL_NAMED = new Set(['Service', 'Namespace']);
/** API groups whose object names are path segments rather than DNS names (RBAC: `system:controller:...`). */
const PATH_SEGMENT_NAMES = /^rbac\.authorization\.k8s\.io\//;
const PLAIN_APP_PROTOCOLS = new Set(['http', 'kubernetes.io/ws', 'kubernetes.io/h2c', 'h2c', 'ws']);
const TLS_APP_PROTOCOLS = new Set(['https', 'kubernetes.io/wss', 'wss', 'tls']);
/** A Service port that says plain HTTP: its appProtocol, or without one its name (`http`, `http-web`, `ws`) or port 80. */
const isPlainHttpPort = (p: Manifest) => (p.appProtocol ? PLAIN_APP_PROTOCOLS.has(String(p.appProtocol).toLowerCase()) : /^(http|ws|h2c)(-|$)/i.test(p.name ?? '') || p.port === 80);
const isTlsPort = (p: Manifest) => (p.appProtocol ? TLS_APP_PROTOCOLS.has(String(p.appProtocol).toLowerCase()) : /^(https|wss|tls)(-|$)/i.test(p.name ?? '') || p.port === 443);

/** Where the pod spec is in a document of this kind (for finding fields). */
function podSpecPath(doc: Manifest): string {
  return doc.kind === 'Pod' ? 'spec' : doc.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
}

/** The field of an ajv error message (`/spec/tls/0 must be...` → `spec.tls[0]`). */
function schemaField(error: string): string | undefined {
  const p = error.split(' ')[0];
  return p.startsWith('/') && p.length > 1 ? p.slice(1).split('/').map((x, i) => (/^\d+$/.test(x) ? `[${x}]` : `${i ? '.' : ''}${x}`)).join('') : undefined;
}

function podSpec(doc: Manifest): Manifest {
  if (doc.kind === 'Pod') return doc.spec;
  if (doc.kind === 'CronJob') return doc.spec?.jobTemplate?.spec?.template?.spec;
  return doc.spec?.template?.spec;
}
const containersOf = (spec: Manifest): Manifest[] => [...spec?.containers ?? [], ...spec?.initContainers ?? []];
const annotations = (doc: Manifest): Record<string, string> => doc.metadata?.annotations ?? {};
const ns = (doc: Manifest) => doc.metadata?.namespace ?? 'default';
/** An object's identity in the cluster: API group, kind, namespace, name. */
const identity = (m: ManifestDoc) => `${String(m.doc.apiVersion).includes('/') ? String(m.doc.apiVersion).split('/')[0] : 'core'} ${m.doc.kind} ${ns(m.doc)}/${m.doc.metadata?.name}`;

const rules: Record<string, Rule> = {
  schema: (c) => c.docs.flatMap((m) => {
    if (NOT_KUBERNETES.test(m.doc?.apiVersion ?? '')) return [];
    const r = c.schemaOf(m);
    if (r.unknownKind) {
      return [c.finding(m, 'schema', Severity.WARNING, r.schema[0], 'check the apiVersion and kind; known: Kubernetes core, cert-manager, Gateway API, Envoy Gateway, Traefik, trust-manager, Prometheus Operator')];
    }
    return [
      ...r.schema.map((e) => c.finding(m, 'schema', Severity.ERROR, e, 'fix the field so the document matches its upstream schema', schemaField(e))),
      ...r.cel.map((e) => c.finding(m, 'cel', Severity.ERROR, `${e.message} (a CEL rule of the CRD: the API server rejects the object)`, 'change the field so the rule holds', e.field)),
      ...r.celUnknown.map((e) => c.finding(m, 'cel', Severity.WARNING, e.message, 'check this rule by hand or with a dry-run apply (kubectl apply --dry-run=server)', e.field)),
    ];
  }),

  'snippet-annotations': (c) => c.docs.flatMap((m) => Object.keys(annotations(m.doc)).filter((k) => k.startsWith(NGINX) && k.endsWith('snippet')).map((k) =>
    c.finding(m, 'snippet-annotations', Severity.ERROR, `${k} is set: snippet annotations are disabled by default since the IngressNightmare fixes (and ingress-nginx is retired)`,
      'deliver headers with the custom-headers annotation and a ConfigMap, or move to Gateway API ResponseHeaderModifier filters', `metadata.annotations["${k}"]`))),

  'deprecated-ingress-class': (c) => c.of('Ingress').filter((m) => annotations(m.doc)['kubernetes.io/ingress.class']).map((m) =>
    c.finding(m, 'deprecated-ingress-class', Severity.WARNING, 'uses the deprecated kubernetes.io/ingress.class annotation', 'set spec.ingressClassName instead', 'metadata.annotations["kubernetes.io/ingress.class"]')),

  'x-xss-protection': (c) => c.docs.flatMap((m) => {
    const bad: string[] = [];
    const look = (name: string, value: unknown) => { if (name.toLowerCase() === 'x-xss-protection' && String(value).trim() !== '0') bad.push(String(value)); };
    if (m.doc.kind === 'ConfigMap') for (const [k, v] of Object.entries(m.doc.data ?? {})) look(k, v);
    for (const v of Object.values(annotations(m.doc))) for (const x of String(v).matchAll(/X-XSS-Protection:\s*([^"\n]+)/gi)) if (x[1].trim() !== '0') bad.push(x[1].trim());
    for (const rule of m.doc.kind === 'HTTPRoute' ? m.doc.spec?.rules ?? [] : []) {
      for (const f of rule.filters ?? []) for (const h of [...f.responseHeaderModifier?.set ?? [], ...f.responseHeaderModifier?.add ?? []]) look(h.name, h.value);
    }
    const headers = m.doc.kind === 'Middleware' ? m.doc.spec?.headers : undefined;
    if (headers?.browserXssFilter) bad.push('1; mode=block (browserXssFilter)');
    for (const [k, v] of Object.entries(headers?.customResponseHeaders ?? {})) look(k, v);
    return bad.map((v) => c.finding(m, 'x-xss-protection', Severity.ERROR, `X-XSS-Protection is "${v}"`, 'send "X-XSS-Protection: 0" or nothing (OWASP): the XSS auditor it enabled is gone and was itself exploitable'));
  }),

  'hosts-without-tls': (c) => [
    ...c.of('Ingress').flatMap((m) => {
      if (annotations(m.doc)[`${NGINX}ssl-passthrough`] === 'true') return [];
      const covered = new Set((m.doc.spec?.tls ?? []).flatMap((t: Manifest) => t.hosts ?? []));
      return (m.doc.spec?.rules ?? []).filter((r: Manifest) => r.host && !covered.has(r.host)).map((r: Manifest) =>
        c.finding(m, 'hosts-without-tls', Severity.ERROR, `host ${r.host} has no TLS entry`, 'add the host to spec.tls with the Secret of a Certificate that names it', 'spec.tls'));
    }),
    ...c.of('HTTPRoute').flatMap((m) => {
      const plain = (m.doc.spec?.parentRefs ?? []).filter((p: Manifest) => listenerProtocol(c, m.doc, p) === 'HTTP');
      // On an HTTP listener a rule may only redirect to https, or serve what a TLS load balancer received over TLS.
      const redirects = (m.doc.spec?.rules ?? []).every((r: Manifest) => (r.filters ?? []).some((f: Manifest) => f.requestRedirect?.scheme === 'https') || viaTlsLoadBalancer(r));
      return plain.length && !redirects
        ? [c.finding(m, 'hosts-without-tls', Severity.ERROR, 'serves an application over a plain-HTTP listener', 'attach application routes to HTTPS listeners; on HTTP listeners only redirect to https', 'spec.parentRefs')]
        : [];
    }),
    ...c.of('IngressRoute').flatMap((m) => {
      const tls = m.doc.spec?.tls;
      const redirects = (m.doc.spec?.routes ?? []).every((r: Manifest) => (r.middlewares ?? []).some((mw: Manifest) => middleware(c, m.doc, mw.name)?.redirectScheme?.scheme === 'https'));
      return !tls && !redirects ? [c.finding(m, 'hosts-without-tls', Severity.ERROR, 'routes plain HTTP to an application', 'serve it on the TLS entry point with spec.tls, and only redirect on the HTTP entry point', 'spec.tls')] : [];
    }),
  ],

  'tls-secret-source': (c) => {
    const produced = new Set(c.of('Certificate').map((m) => `${ns(m.doc)}/${m.doc.spec?.secretName}`));
    const shim = (doc: Manifest) => Object.keys(annotations(doc)).some((k) => k === 'cert-manager.io/cluster-issuer' || k === 'cert-manager.io/issuer');
    const need = (m: ManifestDoc, namespace: string, secret: string, field: string): Finding[] => (produced.has(`${namespace}/${secret}`) || shim(m.doc) ? [] : [
      c.finding(m, 'tls-secret-source', Severity.ERROR, `TLS Secret ${namespace}/${secret} is produced by no Certificate`, 'add a cert-manager Certificate with this secretName (a hand-made Secret expires silently)', field)]);
    return [
      ...c.of('Ingress').flatMap((m) => (m.doc.spec?.tls ?? []).flatMap((t: Manifest, i: number) => (t.secretName ? need(m, ns(m.doc), t.secretName, `spec.tls[${i}].secretName`) : []))),
      ...[...c.of('Gateway'), ...c.of('ListenerSet')].flatMap((m) => (m.doc.spec?.listeners ?? []).flatMap((l: Manifest, i: number) => (l.tls?.certificateRefs ?? [])
        .flatMap((r: Manifest, j: number) => need(m, r.namespace ?? ns(m.doc), r.name, `spec.listeners[${i}].tls.certificateRefs[${j}]`)))),
      ...c.of('IngressRoute').flatMap((m) => (m.doc.spec?.tls?.secretName ? need(m, ns(m.doc), m.doc.spec.tls.secretName, 'spec.tls.secretName') : [])),
    ];
  },

  'key-material': (c) => c.of('Secret').flatMap((m) => {
    const values = [...Object.keys(m.doc.data ?? {}), ...Object.keys(m.doc.stringData ?? {})];
    const hasKey = values.some((k) => /(^|\.)key$|private/i.test(k)) || JSON.stringify(m.doc.stringData ?? {}).includes('PRIVATE KEY');
    return hasKey ? [c.finding(m, 'key-material', Severity.ERROR, 'a private key is written in the manifest', 'let cert-manager create the Secret from a Certificate; never commit key material', m.doc.stringData ? 'stringData' : 'data')] : [];
  }),

  'secret-mounts': (c) => c.docs.filter((m) => POD_KINDS.has(m.doc.kind)).flatMap((m) => {
    const spec = podSpec(m.doc);
    const secretVolumes = new Map<string, Manifest>((spec?.volumes ?? []).filter((v: Manifest) => v.secret).map((v: Manifest) => [v.name, v.secret]));
    const out: Finding[] = [];
    const at = podSpecPath(m.doc);
    for (const [name, s] of secretVolumes) {
      const modes = [s.defaultMode, ...(s.items ?? []).map((i: Manifest) => i.mode)].filter((x) => x !== undefined);
      if (modes.some((mode: number) => (mode & 0o007) !== 0)) {
        out.push(c.finding(m, 'secret-mounts', Severity.ERROR, `secret volume ${name} is world-readable (mode 0${modes.map((x: number) => x.toString(8)).join('/0')})`, 'use defaultMode 0440 (or 0400)', `${at}.volumes[${name}].secret.defaultMode`));
      }
    }
    for (const ct of containersOf(spec)) {
      for (const vm of ct.volumeMounts ?? []) {
        if (!secretVolumes.has(vm.name)) continue;
        const field = `${at}.containers[${ct.name}].volumeMounts[${vm.name}]`;
        if (vm.subPath || vm.subPathExpr) out.push(c.finding(m, 'secret-mounts', Severity.ERROR, `container ${ct.name} mounts secret volume ${vm.name} with subPath: it will never see a renewed certificate`, 'mount the whole directory and point the app at the file', `${field}.subPath`));
        if (vm.readOnly !== true) out.push(c.finding(m, 'secret-mounts', Severity.ERROR, `container ${ct.name} mounts secret volume ${vm.name} writable`, 'set readOnly: true', `${field}.readOnly`));
        const problem = mountPathProblem(vm.mountPath);
        if (problem) out.push(c.finding(m, 'secret-mounts', Severity.ERROR, `container ${ct.name} mounts secret volume ${vm.name} at ${vm.mountPath}: ${problem}`, 'mount it in a directory of its own, such as /etc/tls', `${field}.mountPath`));
      }
    }
    return out;
  }),

  'verify-off': (c) => [
    ...c.of('Ingress').flatMap((m) => {
      const a = annotations(m.doc);
      const tlsUpstream = /^(HTTPS|GRPCS)$/i.test(a[`${NGINX}backend-protocol`] ?? '');
      return tlsUpstream && a[`${NGINX}proxy-ssl-verify`] !== 'on'
        ? [c.finding(m, 'verify-off', Severity.ERROR, 're-encrypts to the backend without verifying it (proxy-ssl-verify is not "on")', 'set proxy-ssl-verify: "on", proxy-ssl-secret (with ca.crt) and proxy-ssl-name', `metadata.annotations["${NGINX}proxy-ssl-verify"]`)]
        : [];
    }),
    ...c.of('ServersTransport').filter((m) => m.doc.spec?.insecureSkipVerify).map((m) =>
      c.finding(m, 'verify-off', Severity.ERROR, 'insecureSkipVerify is true', 'give rootCAs (the CA bundle) and serverName instead', 'spec.insecureSkipVerify')),
    ...c.docs.filter((m) => POD_KINDS.has(m.doc.kind)).flatMap((m) => containersOf(podSpec(m.doc)).flatMap((ct) => (ct.env ?? [])
      .filter((e: Manifest) => (e.name === 'NODE_TLS_REJECT_UNAUTHORIZED' && e.value === '0') || (e.name === 'PYTHONHTTPSVERIFY' && e.value === '0'))
      .map((e: Manifest) => c.finding(m, 'verify-off', Severity.ERROR, `container ${ct.name} sets ${e.name}=0: certificate verification is off`, 'mount the CA bundle and point NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE at it', `${podSpecPath(m.doc)}.containers[${ct.name}].env[${e.name}]`)))),
  ],

  'literal-secrets': (c) => c.docs.filter((m) => POD_KINDS.has(m.doc.kind)).flatMap((m) => containersOf(podSpec(m.doc)).flatMap((ct) => (ct.env ?? [])
    .flatMap((e: Manifest) => { const problem = literalSecretProblem(e.name, e.value); return problem ? [{ ...e, problem }] : []; })
    .map((e: Manifest) => c.finding(m, 'literal-secrets', Severity.ERROR, `container ${ct.name} sets ${e.name} to a literal value (${redactSecret(e.value)}): ${e.problem}, a secret in the YAML`,
      'read it from a Secret (env[].valueFrom.secretKeyRef; SecureWorkload secretEnv)', `${podSpecPath(m.doc)}.containers[${ct.name}].env[${e.name}]`)))),

  'mutable-images': (c) => c.docs.filter((m) => POD_KINDS.has(m.doc.kind)).flatMap((m) => containersOf(podSpec(m.doc))
    .filter((ct) => typeof ct.image === 'string' && !ct.image.includes('@') && (!/:[^/]+$/.test(ct.image) || ct.image.endsWith(':latest')))
    .map((ct) => c.finding(m, 'mutable-images', Severity.WARNING, `container ${ct.name} runs ${ct.image}: a moving tag, so what runs is not what was reviewed`,
      'pin a version tag or a digest (image@sha256:...)', `${podSpecPath(m.doc)}.containers[${ct.name}].image`))),

  'duplicate-objects': (c) => [...groupBy(c.docs.filter((m) => m.doc.kind && !NOT_KUBERNETES.test(m.doc.apiVersion ?? '')), identity).values()].filter((g) => g.length > 1)
    .flatMap((g) => g.slice(1).map((m) => c.finding(m, 'duplicate-objects', Severity.ERROR,
      `${identity(m)} is also defined by ${g[0].source ?? g[0].file}: kubectl apply -k refuses the folder, and a plain apply keeps only the last one`,
      'give each object its own name, or define it once', 'metadata.name'))),

  'policy-targets': (c) => {
    const out: Finding[] = [];
    for (const kind of ['BackendTLSPolicy', 'ClientTrafficPolicy', 'BackendTrafficPolicy', 'SecurityPolicy']) {
      const seen = new Map<string, ManifestDoc>();
      for (const m of c.of(kind)) {
        for (const t of m.doc.spec?.targetRefs ?? []) {
          const key = `${ns(m.doc)}/${t.kind}/${t.name}/${t.sectionName ?? ''}`;
          const first = seen.get(key);
          if (first && first !== m) {
            out.push(c.finding(m, 'policy-targets', Severity.ERROR, `${kind} ${first.doc.metadata?.name} already targets ${t.kind} ${t.name}${t.sectionName ? ` (${t.sectionName})` : ''}: the controller keeps the oldest and ignores this one`,
              'let one policy carry everything for that target (one stack per backend Service, one edge per Gateway or ListenerSet)', 'spec.targetRefs'));
          }
          seen.set(key, first ?? m);
        }
      }
    }
    return out;
  },

  'weak-tls': (c) => {
    const out: Finding[] = [];
    const protocols = (m: ManifestDoc, field: string, value?: string) => {
      if (value && /(SSLv|TLSv1(\s|$)|TLSv1\.1)/.test(value)) out.push(c.finding(m, 'weak-tls', Severity.ERROR, `allows "${value}"`, 'offer TLSv1.2 TLSv1.3 (Mozilla intermediate) or TLSv1.3 only', field));
    };
    const ciphers = (m: ManifestDoc, field: string, list: string[] | undefined, strong: Set<string>) => {
      const weak = (list ?? []).filter((x) => x && !strong.has(x));
      if (weak.length) out.push(c.finding(m, 'weak-tls', Severity.ERROR, `allows ${weak.join(', ')}`, `use the Mozilla 6.0 intermediate suites: ${[...strong].join(':')}`, field));
    };
    for (const m of c.of('ConfigMap')) {
      protocols(m, 'data["ssl-protocols"]', m.doc.data?.['ssl-protocols']);
      ciphers(m, 'data["ssl-ciphers"]', m.doc.data?.['ssl-ciphers']?.split(':'), STRONG_CIPHERS);
    }
    for (const m of c.of('Ingress')) {
      protocols(m, `metadata.annotations["${NGINX}ssl-protocols"]`, annotations(m.doc)[`${NGINX}ssl-protocols`]);
      ciphers(m, `metadata.annotations["${NGINX}ssl-ciphers"]`, annotations(m.doc)[`${NGINX}ssl-ciphers`]?.split(':'), STRONG_CIPHERS);
    }
    for (const m of [...c.of('TLSOption'), ...c.of('ServersTransport')]) {
      if (/VersionTLS1[01]$/.test(m.doc.spec?.minVersion ?? '')) out.push(c.finding(m, 'weak-tls', Severity.ERROR, `minVersion is ${m.doc.spec.minVersion}`, 'use VersionTLS12 or VersionTLS13', 'spec.minVersion'));
      if (m.doc.kind === 'TLSOption' && !m.doc.spec?.minVersion) out.push(c.finding(m, 'weak-tls', Severity.WARNING, 'no minVersion: Traefik\'s default applies', 'set minVersion: VersionTLS12', 'spec.minVersion'));
      ciphers(m, 'spec.cipherSuites', m.doc.spec?.cipherSuites, STRONG_IANA);
    }
    return out;
  },

  'missing-hsts': (c) => {
    const out: Finding[] = [];
    const controller = c.of('ConfigMap').filter((m) => m.doc.data && 'hsts' in m.doc.data);
    for (const m of controller) {
      if (m.doc.data.hsts !== 'true') out.push(c.finding(m, 'missing-hsts', Severity.ERROR, 'the ingress-nginx controller has HSTS off', 'set hsts: "true" with hsts-max-age 31536000 and hsts-include-subdomains', 'data.hsts'));
    }
    const tlsIngresses = c.of('Ingress').filter((m) => m.doc.spec?.tls?.length);
    if (tlsIngresses.length && !controller.length) {
      out.push(c.finding(tlsIngresses[0], 'missing-hsts', Severity.WARNING, 'HSTS is a controller setting in ingress-nginx, and no controller ConfigMap is in this folder', 'check hsts: "true" in the controller ConfigMap (or add it to this folder)'));
    }
    for (const m of c.of('HTTPRoute')) {
      const onHttps = (m.doc.spec?.parentRefs ?? []).some((p: Manifest) => listenerProtocol(c, m.doc, p) === 'HTTPS');
      const served = (m.doc.spec?.rules ?? []).filter((r: Manifest) => onHttps || viaTlsLoadBalancer(r));
      const hsts = served.every((r: Manifest) => (r.filters ?? []).some((f: Manifest) => (f.responseHeaderModifier?.set ?? []).some((h: Manifest) => /^strict-transport-security$/i.test(h.name))));
      if (served.length && !hsts) out.push(c.finding(m, 'missing-hsts', Severity.ERROR, 'HTTPS route without Strict-Transport-Security', 'add a ResponseHeaderModifier filter that sets Strict-Transport-Security', 'spec.rules[].filters'));
    }
    for (const m of c.of('IngressRoute').filter((x) => x.doc.spec?.tls)) {
      const hsts = (m.doc.spec?.routes ?? []).every((r: Manifest) => (r.middlewares ?? []).some((mw: Manifest) => middleware(c, m.doc, mw.name)?.headers?.stsSeconds > 0));
      if (!hsts) out.push(c.finding(m, 'missing-hsts', Severity.ERROR, 'TLS routes without an HSTS headers middleware', 'attach a headers Middleware with stsSeconds: 31536000 and stsIncludeSubdomains: true', 'spec.routes[].middlewares'));
    }
    return out;
  },

  certificates: (c) => {
    const issuers = new Map<string, Manifest>([
      ...c.of('ClusterIssuer').map((m) => [`ClusterIssuer/${m.doc.metadata?.name}`, m.doc] as [string, Manifest]),
      ...c.of('Issuer').map((m) => [`Issuer/${ns(m.doc)}/${m.doc.metadata?.name}`, m.doc] as [string, Manifest]),
    ]);
    const seen = new Map<string, string>();
    return c.of('Certificate').flatMap((m) => {
      const spec = m.doc.spec ?? {};
      const out: Finding[] = [];
      const ref = spec.issuerRef ?? {};
      const key = (ref.kind ?? 'Issuer') === 'ClusterIssuer' ? `ClusterIssuer/${ref.name}` : `Issuer/${ns(m.doc)}/${ref.name}`;
      const issuer = issuers.get(key);
      if (!issuer) out.push(c.finding(m, 'certificates', Severity.WARNING, `issuerRef ${key} is not in this folder`, 'make sure it exists in the cluster, or add it here', 'spec.issuerRef'));
      if (spec.privateKey?.algorithm === 'RSA' && (spec.privateKey.size ?? 2048) < 2048) out.push(c.finding(m, 'certificates', Severity.ERROR, `RSA ${spec.privateKey.size} key`, 'use ECDSA P-256 or RSA 2048+', 'spec.privateKey.size'));
      if (issuer?.spec?.acme && (spec.usages ?? []).includes('client auth')) {
        out.push(c.finding(m, 'certificates', Severity.ERROR, 'asks a public ACME CA for a client certificate', 'issue client certificates from an internal CA', 'spec.usages'));
      }
      const secret = `${ns(m.doc)}/${spec.secretName}`;
      if (seen.has(secret)) out.push(c.finding(m, 'certificates', Severity.ERROR, `Secret ${secret} is also written by Certificate ${seen.get(secret)}`, 'give each Certificate its own secretName', 'spec.secretName'));
      seen.set(secret, m.doc.metadata?.name);
      return out;
    });
  },

  'pod-security': (c) => c.docs.filter((m) => POD_KINDS.has(m.doc.kind)).flatMap((m) => {
    const spec = podSpec(m.doc) ?? {};
    const pod = spec.securityContext ?? {};
    const out: Finding[] = [];
    const at = podSpecPath(m.doc);
    const add = (message: string, fix: string, field: string) => out.push(c.finding(m, 'pod-security', Severity.ERROR, message, fix, `${at}.${field}`));
    if (spec.hostNetwork) add('hostNetwork is on', 'remove hostNetwork (PSS baseline)', 'hostNetwork');
    for (const ct of containersOf(spec)) {
      const sc = ct.securityContext ?? {};
      const field = `containers[${ct.name}].securityContext`;
      if (!(sc.runAsNonRoot ?? pod.runAsNonRoot)) add(`container ${ct.name} may run as root`, 'set runAsNonRoot: true (PSS restricted)', `${field}.runAsNonRoot`);
      if (sc.allowPrivilegeEscalation !== false) add(`container ${ct.name} allows privilege escalation`, 'set allowPrivilegeEscalation: false', `${field}.allowPrivilegeEscalation`);
      if (sc.privileged) add(`container ${ct.name} is privileged`, 'remove privileged', `${field}.privileged`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) add(`container ${ct.name} keeps Linux capabilities`, 'set capabilities.drop: [ALL]', `${field}.capabilities.drop`);
      const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') add(`container ${ct.name} has no seccomp profile`, 'set seccompProfile.type: RuntimeDefault', `${field}.seccompProfile`);
    }
    return out;
  }),

  replicas: (c) => c.docs.filter((m) => SCALED_KINDS.has(m.doc.kind) && typeof m.doc.spec?.replicas === 'number' && m.doc.spec.replicas < 0).map((m) =>
    c.finding(m, 'replicas', Severity.ERROR, `spec.replicas is ${m.doc.spec.replicas}: the API server rejects a negative count`, 'use 0 or more (2 or more keeps the app up during a rollout)', 'spec.replicas')),

  'plain-http-exposed': (c) => c.of('Service').filter((m) => EXPOSED.has(m.doc.spec?.type)).flatMap((m) => {
    const ports: Manifest[] = m.doc.spec?.ports ?? [];
    // An HTTP port next to an HTTPS one is usually an edge controller's redirect listener: a warning, not an error.
    const severity = ports.some(isTlsPort) ? Severity.WARNING : Severity.ERROR;
    return ports.map((p, i) => [p, i] as const).filter(([p]) => isPlainHttpPort(p)).map(([p, i]) => c.finding(m, 'plain-http-exposed', severity,
      `a ${m.doc.spec.type} Service exposes port ${p.port}${p.name ? ` (${p.name})` : ''} as plain HTTP${p.appProtocol ? ` (appProtocol ${p.appProtocol})` : ''}: served unencrypted around the TLS edge`,
      'keep the Service ClusterIP and route it through the TLS edge, or serve TLS on the port', `spec.ports[${i}]`));
  }),

  'object-names': (c) => c.docs.filter((m) => typeof m.doc.metadata?.name === 'string' && m.doc.kind && !NOT_KUBERNETES.test(m.doc.apiVersion ?? '') && !PATH_SEGMENT_NAMES.test(m.doc.apiVersion ?? ''))
    .flatMap((m) => {
      const name: string = m.doc.metadata.name;
      const label = LABEL_NAMED.has(m.doc.kind);
      const problem = nameProblem(name, label ? NameKind.LABEL : NameKind.OBJECT) ?? (m.doc.kind === 'Service' && !/^[a-z]/.test(name) ? 'it starts with a digit (a Service name is a DNS-1035 label)' : undefined);
      return problem ? [c.finding(m, 'object-names', Severity.ERROR, `metadata.name ${JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name)} is not a valid ${m.doc.kind} name: ${problem}`,
        `use ${label ? 'an RFC 1123 label (at most 63 characters)' : 'an RFC 1123 subdomain (lower case, at most 253 characters)'}`, 'metadata.name')] : [];
    }),

  labels: (c) => c.docs.flatMap((m) => [
    ['metadata.labels', m.doc.metadata?.labels, false], ['metadata.annotations', m.doc.metadata?.annotations, true],
    ['spec.template.metadata.labels', m.doc.spec?.template?.metadata?.labels, false], ['spec.secretTemplate.labels', m.doc.spec?.secretTemplate?.labels, false],
  ].flatMap(([field, map, keysOnly]) => Object.entries(map ?? {}).flatMap(([k, v]) => {
    const problem = labelProblem(k, keysOnly ? undefined : v);
    return problem ? [c.finding(m, 'labels', Severity.ERROR, `${keysOnly ? 'annotation' : 'label'} ${problem}`, 'use "prefix/name: value" with a name and value of at most 63 letters, digits, "-", "_" and "."', `${field}[${JSON.stringify(k)}]`)] : [];
  }))),

  // The controllers' own rules (lib/policy/controller-rules.ts): one finding rule each.
  ...Object.fromEntries(CONTROLLER_RULES.map((r): [string, Rule] => [r.id, (c) => c.docs
    .filter((m) => r.kinds.includes(m.doc.kind) || (r.kinds.includes('*') && m.doc.kind && !NOT_KUBERNETES.test(m.doc.apiVersion ?? '')))
    .flatMap((m) => r.check(m.doc, c).map((p) => c.finding(m, r.id, Severity.ERROR, `${p.message}: ${r.effect}`, p.fix, p.field)))])),
};

/** An HTTPRoute rule that only matches requests a TLS-terminating load balancer received over TLS (X-Forwarded-Proto: https). */
function viaTlsLoadBalancer(rule: Manifest): boolean {
  const matches = rule.matches ?? [];
  return matches.length > 0 && matches.every((x: Manifest) => (x.headers ?? []).some((h: Manifest) => (h.type ?? 'Exact') === 'Exact' && /^x-forwarded-proto$/i.test(h.name) && h.value === 'https'));
}

function listenerProtocol(c: Context, route: Manifest, parent: Manifest): string | undefined {
  const gwNs = parent.namespace ?? ns(route);
  const gw = c.named('Gateway', gwNs, parent.name) ?? c.named('ListenerSet', gwNs, parent.name);
  const listener = (gw?.doc.spec?.listeners ?? []).find((l: Manifest) => !parent.sectionName || l.name === parent.sectionName);
  return listener?.protocol ?? (parent.sectionName === 'http' ? 'HTTP' : undefined);
}

function middleware(c: Context, route: Manifest, name: string): Manifest {
  return c.named('Middleware', ns(route), name)?.doc.spec;
}

/** What the constructs never write: the fix is to undo the escape hatch. */
const ESCAPE_HATCH = 'the constructs never write this: undo the escape hatch that does (ApiObject.addJsonPatch, a raw ApiObject, an Include)';

const FIELD_FIX = 'set the construct prop that writes this field to a valid value, or fix the escape hatch (ApiObject.addJsonPatch, a raw ApiObject) that wrote it';

/**
 * Where each rule's fault is changed in this library: the construct prop (SecureWorkload, TlsCertificate, the edges,
 * TlsStackSpec) a user sets, appended to every finding's fix so a gate error says what to change in the app, not only in the YAML.
 */
const LIBRARY_FIX: Record<string, string> = {
  'schema': FIELD_FIX,
  'cel': FIELD_FIX,
  'snippet-annotations': `${ESCAPE_HATCH}; response headers are the edge's \`headers\` (EdgeOptions.headers)`,
  'deprecated-ingress-class': 'NginxIngressEdge `ingressClassName` (EdgeOptions.ingressClassName) writes spec.ingressClassName',
  'x-xss-protection': `the edges send "0" from \`headers\` (EdgeOptions.headers); ${ESCAPE_HATCH}`,
  'hosts-without-tls': 'route the host through an edge (TlsStackSpec `routes[]`, TlsEdgeProps `routes`) with a certificate that names it (`sites[].hosts`, TlsEdgeProps `certificates`)',
  'tls-secret-source': 'give the edge the TlsCertificate itself (TlsEdgeProps `certificates`, TlsStackSpec `sites[]`), not a Secret name',
  'key-material': ESCAPE_HATCH,
  'secret-mounts': 'SecureWorkload `tls.mountPath` and `tls.fileMode` (TlsStackSpec `apps[].tls.mountPath`)',
  'verify-off': 'the edge verifies TLS backends itself (`apps[].tls`); let a client trust the CA with `apps[].calls` (SecureWorkload connectTo) instead of turning verification off in `env`',
  'literal-secrets': 'move the variable from SecureWorkload `env` to `secretEnv` (TlsStackSpec `apps[].env` → `apps[].secretEnv`)',
  'mutable-images': 'SecureWorkload `image` (TlsStackSpec `apps[].image`)',
  'duplicate-objects': 'two stacks in one namespace need distinct `apps[].name` (Deployment, Service, NetworkPolicy, certificates) and distinct stack `name` or chart ids (edge objects), or different `namespace`s',
  'policy-targets': 'route each backend Service through one stack\'s `routes` (one edge); one edge per Gateway or ListenerSet',
  'weak-tls': 'the edge\'s `tlsProfile` (EdgeOptions.tlsProfile: TlsProfile.INTERMEDIATE or MODERN)',
  'missing-hsts': 'the edge\'s `headers.hsts` (EdgeOptions.headers); NginxControllerSettings for the ingress-nginx controller ConfigMap',
  'certificates': 'TlsCertificate `privateKey`, `usages`, `secretName` and `issuer` (TlsStackSpec `sites[].keyAlgorithm`, `sites[].keySize`, `issuer`)',
  'pod-security': `SecureWorkload sets runAsNonRoot, seccomp RuntimeDefault, no privilege escalation and drops every capability; ${ESCAPE_HATCH}`,
  'replicas': 'SecureWorkload `replicas` (TlsStackSpec `apps[].replicas`: 0 or more), or the escape hatch that patches spec.replicas',
  'plain-http-exposed': 'SecureWorkload `serviceType` ClusterIP behind an edge, or `tls` on the workload (TlsStackSpec `apps[].serviceType`, `apps[].tls`)',
  'object-names': 'a shorter stack `name`, `apps[].name`, `sites[].name` or host (the edges shorten the names they derive), or fix the escape hatch that set it',
  'labels': 'TlsCertificate `secretLabels` / `secretAnnotations`, CertificateExpiryAlerts `labels`, or the escape hatch that added it',
  ...Object.fromEntries(CONTROLLER_RULES.map((r) => [r.id, r.prop])),
};

/** The names of the rules, for reports and docs. */
export const RULES = Object.keys(rules);

/**
 * Runs every rule over the documents. Cross references (secrets, issuers, listeners) are resolved within one
 * folder: each folder is one deployable unit (dist/prod, dist/staging...).
 */
export function checkManifests(docs: ManifestDoc[]): Finding[] {
  return [...groupBy(docs, (m) => path.dirname(m.file)).values()].flatMap(checkUnit);
}

function checkUnit(all: ManifestDoc[]): Finding[] {
  const schemas = new Map(all.map((m) => [m, validateDocument(m.doc)]));
  const schemaOf = (m: ManifestDoc) => schemas.get(m) ?? validateDocument(m.doc);
  // The rules read fields as their schemas type them: they see the documents that match (or have no known schema).
  const structural = all.filter((m) => m.doc && typeof m.doc === 'object' && !Array.isArray(m.doc) && (schemaOf(m).unknownKind || schemaOf(m).schema.length === 0));
  const context = (docs: ManifestDoc[]): Context => {
    const byKind = groupBy(docs, (m) => m.doc.kind as string);
    const byName = new Map(docs.map((m) => [`${m.doc.kind}/${ns(m.doc)}/${m.doc.metadata?.name}`, m]));
    return {
      docs, schemaOf,
      of: (kind) => byKind.get(kind) ?? [],
      named: (kind, namespace, name) => byName.get(`${kind}/${namespace}/${name}`),
      finding: (m, rule, severity, message, fix, field) => ({
        file: m.file, ...(m.source ? { path: m.source } : {}), kind: m.doc?.kind, name: m.doc?.metadata?.name, ...(field ? { field } : {}), rule, severity, message,
        fix: `${fix.replace(/\.$/, '')}. In cdk8s-secure-tls: ${LIBRARY_FIX[rule]}`,
      }),
    };
  };
  const ctx = context(structural);
  return Object.entries(rules).flatMap(([name, rule]) => (name === 'schema' ? rule({ ...context([]), docs: all }) : rule(ctx)));
}

/** Human-readable report, grouped by file, errors first. */
export function formatFindings(findings: Finding[], color = false): string {
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const files = [...new Set(findings.map((f) => f.file))].sort();
  const lines: string[] = [];
  for (const file of files) {
    lines.push(paint(1, file));
    for (const sev of [Severity.ERROR, Severity.WARNING]) {
      for (const f of findings.filter((x) => x.file === file && x.severity === sev)) {
        lines.push(`  ${sev === Severity.ERROR ? paint(31, 'error  ') : paint(33, 'warning')} ${f.kind ?? '?'}/${f.name ?? '?'} [${f.rule}]${f.field ? ` ${f.field}:` : ''} ${f.message}`);
        if (f.path) lines.push(`          made by: ${f.path}`);
        lines.push(`          fix: ${f.fix}`);
      }
    }
  }
  const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
  lines.push(`${errors} error(s), ${findings.length - errors} warning(s)`);
  return lines.join('\n');
}
