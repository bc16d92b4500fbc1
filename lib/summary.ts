import { TlsProfile } from './policy/tls-profiles';
import { compareText, groupBy } from './policy/validation';
import type { Manifest } from './policy/manifest';
import { ClusterRequirement, RequirementKind, clusterRequirements } from './requirements';

/**
 * The review summary of a folder of manifests, read from the documents themselves (so it says what the YAML does,
 * whoever wrote it): every public host with its edge, TLS, HSTS, certificate, issuer, Secret and backends; every
 * workload's TLS (what it serves, trusts, presents, who calls it); every certificate; and a Mermaid graph.
 */

/** One public host. */
export interface HostReview {
  readonly host: string;
  readonly paths: string[];
  /** Edge and the object(s) that route it, e.g. `Gateway API analytics/analytics (eg)`. */
  readonly edge: string;
  /** Protocols and ciphers the edge enforces for it (a Mozilla profile name when it matches one), or `passthrough`. */
  readonly tls: string;
  /** Strict-Transport-Security value, or undefined when the edge sends none. */
  readonly hsts?: string;
  /** `namespace/secret` served for the host. */
  readonly secret?: string;
  /** The Certificate that writes it (`namespace/name`), or `gateway-shim`. */
  readonly certificate?: string;
  readonly issuer?: string;
  readonly key?: string;
  /** `duration / renewBefore`. */
  readonly lifetime?: string;
  /** `service:port`, with `(HTTPS, verified as <name>)` when the edge re-encrypts. */
  readonly backends: string[];
  /** Paths the edge keeps open as long-lived streams, with the timeout. */
  readonly websocket: string[];
  /** How clients are verified at the edge, if they are. */
  readonly clientAuth?: string;
}

/** One workload (Deployment or StatefulSet). */
export interface WorkloadReview {
  readonly name: string;
  readonly namespace: string;
  /** `appProtocol :port` of its Service. */
  readonly serves: string;
  /** The Certificate whose Secret it serves, with issuer and key. */
  readonly certificate?: string;
  /** Where that Secret is mounted. */
  readonly mount?: string;
  /** CA bundle ConfigMaps it mounts. */
  readonly trusts: string[];
  /** Client certificate Secret it presents. */
  readonly presents?: string;
  readonly requiresClientCertificates: boolean;
  /** Workloads whose environment holds this one's in-cluster URL. */
  readonly callers: string[];
}

/** One cert-manager Certificate. */
export interface CertificateReview {
  readonly name: string;
  readonly namespace: string;
  readonly names: string[];
  readonly issuer: string;
  readonly key: string;
  readonly lifetime: string;
  readonly usages: string[];
  readonly isCa: boolean;
  readonly secret: string;
}

/** Everything the summary shows. */
export interface ReviewModel {
  /** What the cluster needs before these manifests can work (see {@link clusterRequirements}). */
  readonly requirements: ClusterRequirement[];
  readonly hosts: HostReview[];
  readonly workloads: WorkloadReview[];
  readonly certificates: CertificateReview[];
}

const NGINX = 'nginx.ingress.kubernetes.io/';
const ns = (d: Manifest): string => d.metadata?.namespace ?? 'default';
const id = (d: Manifest): string => `${ns(d)}/${d.metadata?.name}`;
const byKind = (docs: Manifest[], ...kinds: string[]) => docs.filter((d) => d && kinds.includes(d.kind));

/** Reads the review model out of a deployable unit's documents. */
export function reviewModel(docs: Manifest[]): ReviewModel {
  const certificates = byKind(docs, 'Certificate').map((d): CertificateReview => {
    const s = d.spec ?? {};
    return {
      name: d.metadata.name, namespace: ns(d), names: [...s.dnsNames ?? [], ...s.ipAddresses ?? []].length ? [...s.dnsNames ?? [], ...s.ipAddresses ?? []] : [s.commonName ?? '-'],
      issuer: `${s.issuerRef?.kind ?? 'Issuer'}/${s.issuerRef?.name}`, key: keyOf(s.privateKey), lifetime: `${s.duration ?? '2160h'} / ${s.renewBefore ?? '-'}`,
      usages: s.usages ?? [], isCa: !!s.isCA, secret: `${ns(d)}/${s.secretName}`,
    };
  });
  const certBySecret = new Map(certificates.map((c) => [c.secret, c]));
  const secretInfo = (secret: string, shim = false) => {
    const c = certBySecret.get(secret);
    return c ? { secret, certificate: `${c.namespace}/${c.name}`, issuer: c.issuer.split('/')[1], key: c.key, lifetime: c.lifetime } : { secret, certificate: shim ? 'gateway-shim' : undefined };
  };
  const index = indexDocs(docs);
  const hosts: HostReview[] = [...nginxHosts(docs, secretInfo), ...gatewayHosts(docs, secretInfo, index), ...traefikHosts(docs, secretInfo, index)];
  const bundles = new Set(byKind(docs, 'Bundle').map((b) => b.metadata?.name));
  // A Service selects a workload's pods: indexed by namespace and selector (exact), with a scan of the namespace as fallback.
  const servicesByNs = groupBy(byKind(docs, 'Service'), ns);
  const bySelector = new Map(byKind(docs, 'Service').map((svc) => [`${ns(svc)}|${selectorKey(svc.spec?.selector)}`, svc]));
  const deployments = byKind(docs, 'Deployment', 'StatefulSet');
  // A caller holds the callee's in-cluster URL in its environment (one pass over every environment).
  const callers = new Map<string, string[]>();
  for (const d of deployments) {
    for (const e of (d.spec?.template?.spec?.containers ?? []).flatMap((c: Manifest) => c.env ?? [])) {
      const m = /^(?:https|wss):\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:[.:/]|$)/.exec(e.value ?? '');
      if (m) callers.set(`${m[2]}/${m[1]}`, [...new Set([...callers.get(`${m[2]}/${m[1]}`) ?? [], d.metadata.name])]);
    }
  }

  const workloads = deployments.map((d): WorkloadReview => {
    const pod = d.spec?.template?.spec ?? {};
    const container = pod.containers?.[0] ?? {};
    const labels = d.spec?.template?.metadata?.labels ?? {};
    const svc = bySelector.get(`${ns(d)}|${selectorKey(d.spec?.selector?.matchLabels)}`)
      ?? (servicesByNs.get(ns(d)) ?? []).find((x) => Object.keys(x.spec?.selector ?? {}).length && Object.entries(x.spec.selector).every(([k, v]) => labels[k] === v));
    const port = svc?.spec?.ports?.[0];
    const mountOf = (volume: string) => container.volumeMounts?.find((m: Manifest) => m.name === volume);
    const secrets = (pod.volumes ?? []).filter((v: Manifest) => v.secret).map((v: Manifest) => ({ cert: certBySecret.get(`${ns(d)}/${v.secret.secretName}`), mount: mountOf(v.name) }));
    const served = secrets.find((s: Manifest) => s.cert && !s.cert.usages.includes('client auth'));
    const presented = secrets.find((s: Manifest) => s.cert?.usages.includes('client auth'));
    const env: Manifest[] = container.env ?? [];
    return {
      name: d.metadata.name, namespace: ns(d), serves: port ? `${port.appProtocol ?? 'tcp'} :${port.port}` : '-',
      certificate: served && `${served.cert.name} → ${served.cert.secret.split('/')[1]} (${served.cert.issuer.split('/')[1]}, ${served.cert.key})`,
      mount: served?.mount && `${served.mount.mountPath}${served.mount.readOnly ? ' (read-only)' : ' (WRITABLE)'}`,
      trusts: (pod.volumes ?? []).filter((v: Manifest) => v.configMap && bundles.has(v.configMap.name)).map((v: Manifest) => v.configMap.name),
      presents: presented?.cert.secret.split('/')[1],
      requiresClientCertificates: env.some((e) => /CLIENT_AUTH/i.test(e.name) && e.value === 'required'),
      callers: callers.get(`${ns(d)}/${d.metadata.name}`) ?? [],
    };
  });
  // Each sort key made once, not per comparison (thousands of apps made hundreds of thousands of strings).
  const sorted = <T extends { namespace?: string; name?: string }>(items: T[]) => items.map((x) => [`${x.namespace}/${x.name}`, x] as const)
    .sort(([a], [b]) => compareText(a, b)).map(([, x]) => x);
  return { requirements: clusterRequirements(docs), hosts: hosts.sort((a, b) => compareText(a.host, b.host)), workloads: sorted(workloads), certificates: sorted(certificates) };
}

const selectorKey = (labels?: Record<string, string>) => Object.entries(labels ?? {}).sort().map(([k, v]) => `${k}=${v}`).join(',');

/** Documents by kind/namespace/name, and policies by what they target: look-ups without scans. */
interface DocIndex {
  named(kind: string, namespace: string, name: string): Manifest;
  /** Policies of this kind in the namespace targeting kind/name (any section). */
  targeting(policyKind: string, namespace: string, kind: string, name: string): Manifest[];
}

function indexDocs(docs: Manifest[]): DocIndex {
  const byName = new Map(docs.filter(Boolean).map((d) => [`${d.kind}/${ns(d)}/${d.metadata?.name}`, d]));
  const targets = new Map<string, Manifest[]>();
  for (const d of docs.filter((x) => x?.spec?.targetRefs)) {
    for (const t of d.spec.targetRefs) {
      const key = `${d.kind}/${ns(d)}/${t.kind}/${t.name}`;
      targets.set(key, [...new Set([...targets.get(key) ?? [], d])]);
    }
  }
  return {
    named: (kind, namespace, name) => byName.get(`${kind}/${namespace}/${name}`),
    targeting: (policyKind, namespace, kind, name) => targets.get(`${policyKind}/${namespace}/${kind}/${name}`) ?? [],
  };
}

type SecretInfo = (secret: string, shim?: boolean) => Pick<HostReview, 'secret' | 'certificate' | 'issuer' | 'key' | 'lifetime'>;

function keyOf(k: Manifest): string {
  const algorithm = k?.algorithm ?? 'RSA';
  return `${algorithm}${k?.size ? ` ${k.size}` : algorithm === 'RSA' ? ' 2048' : ''}`;
}

/** The headers the edge sets on responses, name → value (lower-cased names). */
function hstsOf(headers: Record<string, string>): string | undefined {
  return Object.entries(headers).find(([k]) => k.toLowerCase() === 'strict-transport-security')?.[1];
}

function nginxHosts(docs: Manifest[], secretInfo: SecretInfo): HostReview[] {
  const controller = byKind(docs, 'ConfigMap').find((c) => c.data && 'ssl-protocols' in c.data);
  const hsts = controller?.data?.hsts === 'true'
    ? [`max-age=${controller.data['hsts-max-age'] ?? 31536000}`, ...(controller.data['hsts-include-subdomains'] !== 'false' ? ['includeSubDomains'] : []), ...(controller.data['hsts-preload'] === 'true' ? ['preload'] : [])].join('; ')
    : undefined;
  const tls = controller ? describeTls(controller.data['ssl-protocols'].split(/\s+/), (controller.data['ssl-ciphers'] ?? '').split(':').filter(Boolean)) : 'controller default (no controller ConfigMap here)';
  const rows = byKind(docs, 'Ingress').flatMap((ing) => {
    const a = ing.metadata?.annotations ?? {};
    const passthrough = a[`${NGINX}ssl-passthrough`] === 'true';
    const secretFor = new Map<string, string>((ing.spec?.tls ?? []).flatMap((t: Manifest) => (t.hosts ?? []).map((h: string) => [h, t.secretName])));
    const upstream = /^HTTPS$/i.test(a[`${NGINX}backend-protocol`] ?? '') ? ` (HTTPS, ${a[`${NGINX}proxy-ssl-verify`] === 'on' ? `verified as ${a[`${NGINX}proxy-ssl-name`]}` : 'NOT verified'})` : '';
    return (ing.spec?.rules ?? []).flatMap((r: Manifest) => (r.http?.paths ?? []).map((p: Manifest) => ({
      host: r.host, path: p.path ?? '/', edge: `ingress-nginx ${id(ing)} (${ing.spec?.ingressClassName ?? 'default class'})`,
      tls: passthrough ? 'passthrough' : tls, hsts: passthrough ? undefined : hsts,
      ...(passthrough || !secretFor.has(r.host) ? {} : secretInfo(`${ns(ing)}/${secretFor.get(r.host)}`)),
      backend: `${p.backend?.service?.name}:${p.backend?.service?.port?.number ?? p.backend?.service?.port?.name}${upstream}`,
      websocket: a[`${NGINX}proxy-read-timeout`] ? `${a[`${NGINX}proxy-read-timeout`]}s` : undefined,
      clientAuth: a[`${NGINX}auth-tls-verify-client`] && `${a[`${NGINX}auth-tls-verify-client`]}, CA ${a[`${NGINX}auth-tls-secret`]}`,
    })));
  });
  return mergeRows(rows);
}

function gatewayHosts(docs: Manifest[], secretInfo: SecretInfo, index: DocIndex): HostReview[] {
  const parents = new Map<string, Manifest>(byKind(docs, 'Gateway', 'ListenerSet').map((g) => [`${g.kind}/${id(g)}`, g]));
  const gatewayOf = (p: Manifest): Manifest => (p?.kind === 'ListenerSet' ? parents.get(`Gateway/${p.spec?.parentRef?.namespace ?? ns(p)}/${p.spec?.parentRef?.name}`) : p);
  const profileOf = (parent: Manifest): string => {
    const gw = gatewayOf(parent);
    const policy = index.targeting('ClientTrafficPolicy', ns(parent), parent.kind, parent.metadata.name)[0]
      ?? (gw && index.targeting('ClientTrafficPolicy', ns(gw), 'Gateway', gw.metadata.name)[0]);
    const t = policy?.spec?.tls;
    if (t) return describeTls(versionsBetween(t.minVersion ?? '1.2', t.maxVersion ?? '1.3'), t.ciphers ?? []);
    return `implementation default (no ClientTrafficPolicy for ${gatewayOf(parent)?.spec?.gatewayClassName ?? 'this Gateway'})`;
  };
  const rows = byKind(docs, 'HTTPRoute', 'TLSRoute').flatMap((route) => {
    const refs = (route.spec?.parentRefs ?? []).map((p: Manifest) => {
      const parent = parents.get(`${p.kind ?? 'Gateway'}/${p.namespace ?? ns(route)}/${p.name}`);
      return { parent, listener: (parent?.spec?.listeners ?? []).find((l: Manifest) => l.name === p.sectionName) };
    }).filter((r: Manifest) => r.listener && r.listener.protocol !== 'HTTP');
    return refs.flatMap(({ parent, listener }: Manifest) => {
      const gw = gatewayOf(parent);
      const edge = `Gateway API ${route.kind} ${id(route)} on ${parent.kind} ${id(parent)}${gw ? ` (${gw.spec?.gatewayClassName})` : ''}`;
      const certRef = listener.tls?.certificateRefs?.[0];
      const shim = Object.keys(gw?.metadata?.annotations ?? {}).some((k) => k.startsWith('cert-manager.io/'));
      const cert = certRef ? secretInfo(`${certRef.namespace ?? ns(parent)}/${certRef.name}`, shim) : {};
      const passthrough = route.kind === 'TLSRoute';
      return (passthrough ? [{}] : route.spec?.rules ?? []).flatMap((rule: Manifest) => {
        const headers = Object.fromEntries((rule.filters ?? []).flatMap((f: Manifest) => f.responseHeaderModifier?.set ?? []).map((h: Manifest) => [h.name, h.value]));
        const stream = index.targeting('BackendTrafficPolicy', ns(route), 'HTTPRoute', route.metadata.name)
          .find((b) => b.spec?.timeout?.http?.streamIdleTimeout && b.spec.targetRefs.some((t: Manifest) => !t.sectionName || t.sectionName === rule.name));
        const idle = stream?.spec?.timeout?.http?.streamIdleTimeout ?? rule.timeouts?.request;
        return (rule.backendRefs ?? []).map((b: Manifest) => {
          const verified = index.targeting('BackendTLSPolicy', ns(route), 'Service', b.name)[0];
          return {
            host: listener.hostname ?? route.spec?.hostnames?.[0], path: rule.matches?.[0]?.path?.value ?? '/', edge,
            tls: passthrough ? 'passthrough' : profileOf(parent), hsts: passthrough ? undefined : hstsOf(headers), ...cert,
            backend: `${b.name}:${b.port}${verified ? ` (HTTPS, verified as ${verified.spec?.validation?.hostname})` : ''}`,
            websocket: idle,
            clientAuth: clientValidation(index, parent, gw),
          };
        });
      });
    });
  });
  return mergeRows(rows);
}

/** Client validation of a listener: its ListenerSet's or Gateway's ClientTrafficPolicy, or the Gateway's own frontend validation. */
function clientValidation(index: DocIndex, parent: Manifest, gw: Manifest): string | undefined {
  const policy = (x: Manifest) => x && index.targeting('ClientTrafficPolicy', ns(x), x.kind, x.metadata.name)[0]?.spec?.tls?.clientValidation?.caCertificateRefs;
  const refs = policy(parent) ?? policy(gw) ?? gw?.spec?.tls?.frontend?.default?.validation?.caCertificateRefs;
  return refs?.length ? `required, CA ${refs.map((r: Manifest) => `${r.kind} ${r.name}`).join(', ')}` : undefined;
}

function traefikHosts(docs: Manifest[], secretInfo: SecretInfo, index: DocIndex): HostReview[] {
  const named = index.named;
  const rows = byKind(docs, 'IngressRoute', 'IngressRouteTCP').filter((r) => r.spec?.tls).flatMap((ir) => {
    const passthrough = ir.kind === 'IngressRouteTCP' && ir.spec.tls.passthrough;
    const option = ir.spec.tls.options && named('TLSOption', ir.spec.tls.options.namespace ?? ns(ir), ir.spec.tls.options.name);
    const tls = passthrough ? 'passthrough' : option
      ? describeTls(versionsBetween((option.spec?.minVersion ?? 'VersionTLS12').replace('VersionTLS1', '1.'), (option.spec?.maxVersion ?? 'VersionTLS13').replace('VersionTLS1', '1.')), (option.spec?.cipherSuites ?? []).map(opensslName))
      : 'Traefik default TLSOption';
    const cert = ir.spec.tls.secretName ? secretInfo(`${ns(ir)}/${ir.spec.tls.secretName}`) : {};
    return (ir.spec.routes ?? []).flatMap((r: Manifest) => {
      // Host(`a`), HostSNI(`a`), and HostRegexp(`^[a-z0-9-]+\.zone$`) for a wildcard host (see hostMatcher).
      const hostsOf = [...String(r.match).matchAll(/Host(?:SNI)?\(`([^`]+)`\)|HostRegexp\(`\^\[a-z0-9-\]\+\\\.(.+)\$`\)/g)].map((m) => m[1] ?? `*.${m[2].replace(/\\\./g, '.')}`);
      const path = /PathPrefix\(`([^`]+)`\)/.exec(r.match)?.[1] ?? '/';
      const mw = (r.middlewares ?? []).map((m: Manifest) => named('Middleware', m.namespace ?? ns(ir), m.name)?.spec?.headers).find(Boolean);
      const hsts = mw?.stsSeconds ? [`max-age=${mw.stsSeconds}`, ...(mw.stsIncludeSubdomains ? ['includeSubDomains'] : []), ...(mw.stsPreload ? ['preload'] : [])].join('; ') : undefined;
      return hostsOf.flatMap((host) => (r.services ?? []).map((s: Manifest) => {
        const transport = s.serversTransport && named('ServersTransport', ns(ir), s.serversTransport);
        const port = named('Service', ns(ir), s.name)?.spec?.ports?.find((p: Manifest) => p.port === s.port);
        return {
          host, path, edge: `Traefik ${ir.kind} ${id(ir)}`, tls, hsts, ...cert,
          backend: `${s.name}:${s.port}${transport?.spec?.serverName ? ` (HTTPS, verified as ${transport.spec.serverName})` : ''}`,
          // Traefik puts no idle limit on an upgraded connection: every route to a WebSocket Service can stay open.
          websocket: /^kubernetes\.io\/wss?$/.test(port?.appProtocol ?? '') ? 'no idle limit in Traefik' : undefined,
          clientAuth: option?.spec?.clientAuth && `${option.spec.clientAuth.clientAuthType}, CA ${option.spec.clientAuth.secretNames?.join(', ')}`,
        };
      }));
    });
  });
  return mergeRows(rows);
}

interface Row extends Omit<HostReview, 'paths' | 'backends' | 'websocket'> { path: string; backend: string; websocket?: string }

/** One review row per host, edge objects, paths and backends merged in first-seen order. */
function mergeRows(rows: Row[]): HostReview[] {
  return [...groupBy(rows, (r) => r.host).values()].map((g) => {
    const { path: _p, backend: _b, websocket: _w, ...first } = g[0];
    return {
      ...first,
      edge: [...new Set(g.map((r) => r.edge))].join(', '),
      paths: [...new Set(g.map((r) => r.path))],
      backends: [...new Set(g.map((r) => r.backend))],
      websocket: [...new Set(g.filter((r) => r.websocket).map((r) => `${r.path} (${r.websocket})`))],
    };
  });
}

function versionsBetween(min: string, max: string): string[] {
  return ['1.0', '1.1', '1.2', '1.3'].filter((v) => v >= min.replace(/^v/, '') && v <= max.replace(/^v/, '')).map((v) => (v === '1.0' ? 'TLSv1' : `TLSv${v}`));
}

function opensslName(iana: string): string {
  return TlsProfile.INTERMEDIATE.ciphers[TlsProfile.INTERMEDIATE.ianaCiphers.indexOf(iana)] ?? iana;
}

/** `mozilla-intermediate-6.0 (TLSv1.2 TLSv1.3)` when the settings match a Mozilla profile, else the settings themselves. */
export function describeTls(protocols: string[], ciphers: string[]): string {
  for (const p of [TlsProfile.INTERMEDIATE, TlsProfile.MODERN]) {
    if (p.protocols.join(' ') === protocols.join(' ') && [...p.ciphers].sort().join(':') === [...ciphers].sort().join(':')) return `${p.name} (${protocols.join(' ')})`;
  }
  return `custom: ${protocols.join(' ')}${ciphers.length ? `; ${ciphers.join(':')}` : ''}`;
}

/** Mermaid's default limits (mermaid `maxTextSize`, `maxEdges`), which GitHub's renderer keeps. */
const MERMAID_MAX_TEXT = 50_000;
const MERMAID_MAX_EDGES = 500;

/** The summary as Markdown. */
export function renderSummary(model: ReviewModel, title: string): string {
  return summaryLines(model, title).join('\n');
}

/** The lines of {@link renderSummary}: the writer streams them (at thousands of apps the text is megabytes). */
export function summaryLines(model: ReviewModel, title: string): string[] {
  const cell = (v: string | string[] | boolean | undefined) => (Array.isArray(v) ? v.join(', ') || '-' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : v || '-');
  const table = (head: string[], rows: Array<Array<string | string[] | boolean | undefined>>) =>
    [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
  const lines = [`# ${title}`, '', 'Read from the YAML in this folder (`cdk8s-tls summary` prints the same for any folder). Do not edit.', ''];
  lines.push('## Before you apply', '', 'What the cluster must have, read from these manifests (`cdk8s-tls summary --json` lists the same):', '');
  for (const kind of Object.values(RequirementKind)) {
    const rs = model.requirements.filter((r) => r.kind === kind);
    if (!rs.length) continue;
    lines.push(`**${kind}**`, '');
    for (const r of rs) lines.push(`- ${r.what}: ${r.why}.${r.how ? ` \`${r.how}\`` : ''}`);
    lines.push('');
  }
  lines.push('## Public hosts', '', ...table(
    ['host', 'paths', 'edge', 'TLS', 'HSTS', 'certificate', 'issuer', 'secret', 'key', 'duration / renew before', 'backend', 'long-lived streams', 'client certificates'],
    model.hosts.map((h) => [h.host, h.paths, h.edge, h.tls, h.hsts ?? (h.tls === 'passthrough' ? 'backend' : 'off'), h.certificate, h.issuer, h.secret, h.key, h.lifetime, h.backends, h.websocket, h.clientAuth]),
  ));
  lines.push('', '## Workloads', '', ...table(
    ['workload', 'namespace', 'serves', 'certificate → secret (issuer, key)', 'mount', 'trusts', 'presents', 'requires client certificates', 'callers'],
    model.workloads.map((w) => [w.name, w.namespace, w.serves, w.certificate, w.mount, w.trusts, w.presents, w.requiresClientCertificates, w.callers]),
  ));
  lines.push('', '## Certificates', '', ...table(
    ['certificate', 'namespace', 'names', 'issuer', 'key', 'duration / renew before', 'usages', 'secret'],
    model.certificates.map((c) => [`${c.name}${c.isCa ? ' (CA)' : ''}`, c.namespace, c.names, c.issuer, c.key, c.lifetime, c.usages.length ? c.usages : c.isCa ? 'CA' : '-', c.secret]),
  ));
  lines.push('', '## Graph', '');
  // Mermaid (GitHub's too) refuses a diagram over 50,000 characters or 500 edges: past that the graph is left out, and
  // it stops being built (at thousands of apps it was megabytes of text nobody could see).
  const graph = ['```mermaid', 'graph LR'];
  let chars = 'graph LR\n'.length; // the diagram's text: what Mermaid counts
  let edges = 0;
  const add = (line: string, arrows: number) => {
    edges += arrows;
    chars += line.length + 1;
    if (edges <= MERMAID_MAX_EDGES && chars <= MERMAID_MAX_TEXT) graph.push(line);
  };
  const node = (x: string) => x.replace(/[^A-Za-z0-9]/g, '_');
  const certByName = new Map(model.certificates.map((c) => [`${c.namespace}/${c.name}`, c]));
  const secrets = new Set(model.certificates.map((c) => c.secret));
  const workloadByName = groupBy(model.workloads, (w) => w.name);
  for (const issuer of new Set(model.certificates.map((c) => c.issuer))) add(`  ${node(`issuer ${issuer}`)}{{"${issuer}"}}`, 0);
  for (const c of model.certificates) add(`  ${node(`cert ${c.secret}`)}["cert ${c.namespace}/${c.name}"] --> ${node(`issuer ${c.issuer}`)}`, 1);
  for (const w of model.workloads) {
    add(`  ${node(`w ${w.namespace}/${w.name}`)}("${w.namespace}/${w.name}")`, 0);
    const served = w.certificate && certByName.get(`${w.namespace}/${w.certificate.split(' → ')[0]}`);
    if (served) add(`  ${node(`w ${w.namespace}/${w.name}`)} -. serves .-> ${node(`cert ${served.secret}`)}`, 1);
    for (const caller of w.callers) add(`  ${node(`w ${w.namespace}/${caller}`)} -- "${w.requiresClientCertificates ? 'mTLS' : 'HTTPS'}" --> ${node(`w ${w.namespace}/${w.name}`)}`, 1);
  }
  for (const h of model.hosts) {
    const toCert = h.secret && secrets.has(h.secret);
    add(`  ${node(`host ${h.host}`)}(["${h.host}"])${toCert ? ` --> ${node(`cert ${h.secret}`)}` : ''}`, toCert ? 1 : 0);
    const hostNs = h.secret?.split('/')[0];
    for (const b of h.backends) {
      const w = (workloadByName.get(b.split(':')[0]) ?? []).find((x) => !hostNs || x.namespace === hostNs);
      if (w) add(`  ${node(`host ${h.host}`)} --> ${node(`w ${w.namespace}/${w.name}`)}`, 1);
    }
  }
  if (edges > MERMAID_MAX_EDGES || chars > MERMAID_MAX_TEXT) {
    lines.push(`Left out: ${model.hosts.length} hosts, ${model.workloads.length} workloads and ${model.certificates.length} certificates make a graph larger than Mermaid renders (50,000 characters or 500 edges, its defaults and GitHub's). The tables above hold the same links.`, '');
  } else {
    lines.push(...graph, '```', '');
  }
  return lines;
}

/** The summary of documents as Markdown (the writer's SUMMARY.md). */
export function reviewSummary(docs: Manifest[], title: string): string {
  return renderSummary(reviewModel(docs), title);
}
