import { EdgeKind } from '../edge/factory';
import { AcmeDirectory, AcmeServer, LetsEncryptProfile } from '../issuers';
import { Expr, Program, Statement, Value, call, cdk8s, construct, get, identifier, lib, obj, ref } from './code';
import { AdoptionModel, AppModel, EdgeModel, IssuerModel, RouteModel, SiteModel, SolverModel, StackModel, describe } from './model';
import { ADOPT_MARKER } from './typescript';

// The adoption model as a program: the issuers, one TlsStackChart per namespace, and the ingress-nginx controller
// settings. Only what differs from the library's defaults is written, so the spec reads like one a person wrote.

const EDGE_MEMBER: Record<EdgeKind, string> = { [EdgeKind.INGRESS_NGINX]: 'INGRESS_NGINX', [EdgeKind.GATEWAY_API]: 'GATEWAY_API', [EdgeKind.TRAEFIK]: 'TRAEFIK' };
const KNOWN_DIRECTORIES: Array<[string, string]> = [
  [AcmeDirectory.ZEROSSL.url, 'ZEROSSL'], [AcmeDirectory.GOOGLE_TRUST_SERVICES.url, 'GOOGLE_TRUST_SERVICES'], [AcmeDirectory.GOOGLE_TRUST_SERVICES_STAGING.url, 'GOOGLE_TRUST_SERVICES_STAGING'],
];

/** The program of the model (which must have no unresolved conflict). */
export function buildProgram(model: AdoptionModel): Program {
  const taken = new Set<string>();
  // Stacks are charts named after their namespace; the other charts take a name no namespace has.
  const charts = new Set(model.stacks.map((s) => s.namespace));
  const chartId = (base: string) => { let id = base; for (let i = 2; charts.has(id); i++) id = `${base}-${i}`; charts.add(id); return id; };
  const body: Statement[] = [];
  const issuersChart = identifier('issuers', taken);
  body.push({ bind: issuersChart, value: construct(cdk8s('Chart'), ref('app'), chartId('cluster-issuers'), { disableResourceNameHashes: true }) });
  const issuerVars = new Map<string, string>();
  const ids = new Set<string>();
  for (const issuer of model.issuers) {
    const v = identifier(issuer.name, taken);
    issuerVars.set(issuer.key, v);
    body.push({ bind: v, value: issuerExpr(issuer, ref(issuersChart), ids), ...(issuer.missing ? { comment: ['TODO: no issuer in the input: this one must exist in the cluster (or build one here)'] } : {}) });
  }
  const caVar = model.stacks.some((s) => s.internalCa) ? identifier('internalCa', taken) : undefined;
  if (caVar) {
    const names = new Set(model.issuers.map((i) => i.name));
    let name = 'internal-ca';
    for (let i = 2; names.has(name) || names.has(`${name}-selfsigned`); i++) name = `internal-ca-${i}`;
    body.push({ bind: caVar, value: construct(lib('InternalCa'), ref(issuersChart), 'InternalCa', { name }), comment: ['The internal CA whose client certificates the edge verifies (it replaces the CA the input verified clients against).'] });
  }
  const stackVars = new Map<StackModel, string>();
  for (const stack of model.stacks) {
    const v = identifier(stack.namespace, taken);
    stackVars.set(stack, v);
    const sources = [...new Map(stack.routes.map((r) => [r.origin.index, r.origin])).values()];
    body.push({
      bind: v,
      value: construct(lib('TlsStackChart'), ref('app'), stack.namespace, stackSpec(stack, ref(issuerVars.get(stack.issuer)!), caVar && stack.internalCa ? ref(caVar) : undefined)),
      comment: [`namespace ${stack.namespace}${sources.length ? `: from ${sources.slice(0, 4).map((o) => `${describe(o)} (${o.file})`).join(', ')}${sources.length > 4 ? `, and ${sources.length - 4} more` : ''}` : ''}`],
    });
  }
  const nginx = model.stacks.filter((s) => s.edge.kind === EdgeKind.INGRESS_NGINX && s.routes.length);
  if (model.nginxController && nginx.length) {
    const c = model.nginxController;
    body.push({
      value: construct(lib('NginxControllerSettings'), construct(cdk8s('Chart'), ref('app'), chartId('ingress-nginx-controller-settings')), 'Settings', {
        edges: nginx.map((s) => get(ref(stackVars.get(s)!), 'edge', lib('NginxIngressEdge'))),
        ...(c.name !== 'ingress-nginx-controller' ? { name: c.name } : {}),
        ...(c.namespace !== 'ingress-nginx' ? { namespace: c.namespace } : {}),
      }),
      comment: [`The ingress-nginx controller settings the edges need (HSTS, protocols, ciphers, snippets off): they replace ConfigMap ${c.namespace}/${c.name} of the input.`],
    });
  }
  return {
    header: [
      `${ADOPT_MARKER} from ${model.files.length === 1 ? model.files[0] : `${model.files.length} files`} (${model.documents} documents). Delete this line when you edit the file: adopt then never overwrites it.`,
      'Review it with the migration report (--report). Certificate Secret names are kept, so cert-manager keeps the certificates it issued.',
      'TODO comments mark what the input did not say (an app\'s image when its Deployment is not in the input, an issuer that must exist).',
    ],
    body,
  };
}

/** The issuer's construct; `ids` are the construct ids taken in the issuers' chart. */
function issuerExpr(issuer: IssuerModel, scope: Expr, ids: Set<string>): Expr {
  const base = issuer.issuerKind === 'ClusterIssuer' ? issuer.name : `Issuer-${issuer.key.split('/')[1]}-${issuer.name}`;
  let id = base;
  for (let i = 2; ids.has(id); i++) id = `${base}-${i}`;
  ids.add(id);
  switch (issuer.type) {
    case 'selfSigned':
      return issuer.name === 'selfsigned' ? construct(lib('SelfSignedIssuer'), scope, id) : construct(lib('SelfSignedIssuer'), scope, id, { name: issuer.name });
    case 'ca':
      return construct(lib('CaIssuer'), scope, id, { name: issuer.name, secretName: issuer.caSecretName! });
    case 'external':
      return construct(lib('ExternalIssuer'), scope, id, { name: issuer.name, ...(issuer.issuerKind === 'Issuer' ? { kind: 'Issuer' } : {}) });
    default: {
      const a = issuer.acme!;
      const common = {
        email: a.email,
        ...(a.accountKeySecretName !== `${issuer.name}-account-key` ? { accountKeySecretName: a.accountKeySecretName } : {}),
        ...(a.externalAccountBinding ? { externalAccountBinding: { keyId: a.externalAccountBinding.keyId, keySecret: { ...a.externalAccountBinding.keySecret } } } : {}),
        solvers: a.solvers.map(solverExpr),
      };
      if (issuer.type === 'letsencrypt') {
        const staging = a.server === AcmeServer.STAGING;
        const profile = Object.entries(LetsEncryptProfile).find(([, v]) => v === a.profile)?.[0];
        return construct(lib('LetsEncryptIssuer'), scope, id, {
          ...(issuer.name !== (staging ? 'letsencrypt-staging' : 'letsencrypt-prod') ? { name: issuer.name } : {}),
          ...(staging ? { server: lib('AcmeServer', 'STAGING') } : {}),
          ...common,
          ...(profile ? { profile: lib('LetsEncryptProfile', profile) } : {}),
        });
      }
      const known = KNOWN_DIRECTORIES.find(([url]) => url === a.server)?.[1];
      return construct(lib('AcmeIssuer'), scope, id, {
        name: issuer.name,
        directory: known ? lib('AcmeDirectory', known) : call(lib('AcmeDirectory'), 'custom', a.server),
        ...common,
        ...(a.profile ? { profile: a.profile } : {}),
      });
    }
  }
}

function solverExpr(s: SolverModel): Expr {
  const selector = s.selector ? { selector: { ...s.selector } } : {};
  switch (s.type) {
    case 'http01Ingress':
      return call(lib('AcmeSolver'), 'http01Ingress', { ingressClassName: s.ingressClassName, ...selector });
    case 'http01Gateway':
      return s.parentRefs || s.selector
        ? call(lib('AcmeSolver'), 'http01GatewayHttpRoute', { ...(s.parentRefs ? { parentRefs: s.parentRefs.map((p) => ({ ...p })) } : {}), ...selector })
        : call(lib('AcmeSolver'), 'http01GatewayHttpRoute');
    case 'cloudflare':
      return call(lib('AcmeSolver'), 'cloudflare', { apiTokenSecret: { ...s.apiTokenSecret }, ...selector });
    case 'route53':
      return call(lib('AcmeSolver'), 'route53', {
        region: s.region, hostedZoneId: s.hostedZoneId, role: s.role,
        ...(s.accessKey ? { credentials: call(lib('Route53Credentials'), 'accessKey', { ...s.accessKey.id }, { ...s.accessKey.secret }) } : {}),
        ...selector,
      });
  }
}

function stackSpec(stack: StackModel, issuer: Expr, internalCa?: Expr): Value {
  return {
    namespace: stack.namespace,
    name: stack.name,
    ...(stack.createNamespace ? {} : { createNamespace: false }),
    issuer,
    internalCa,
    sites: stack.sites.map(siteSpec),
    apps: stack.apps.map(appSpec),
    ...(stack.routes.length ? { routes: stack.routes.map(routeSpec), edge: edgeSpec(stack.edge) } : {}),
  };
}

function siteSpec(s: SiteModel): Expr {
  return obj({
    name: s.name, secretName: s.secretName, hosts: s.hosts,
    keyAlgorithm: s.keyAlgorithm && lib('KeyAlgorithm', s.keyAlgorithm === 'Ed25519' ? 'ED25519' : s.keyAlgorithm),
    keySize: s.keySize,
    duration: s.duration !== undefined ? duration(s.duration) : undefined,
    renewBefore: s.renewBefore !== undefined ? duration(s.renewBefore) : undefined,
  }, { keyAlgorithm: s.keyAlgorithm === 'RSA' && s.source !== 'new' && s.source !== 'secret' ? 'the key type of the certificate in the Secret: ECDSA would issue it again' : undefined });
}

function appSpec(a: AppModel): Expr {
  return obj({
    name: a.name,
    image: a.image,
    port: a.port,
    servicePort: a.servicePort,
    protocol: a.websocket ? lib('AppProtocol', 'WEBSOCKET') : undefined,
    env: Object.keys(a.env).length ? { ...a.env } : undefined,
    secretEnv: Object.keys(a.secretEnv).length ? Object.fromEntries(Object.entries(a.secretEnv).map(([k, v]) => [k, { name: v.name, key: v.key }])) : undefined,
    args: a.args,
    probe: a.probe === 'tcp' ? lib('ProbeKind', 'TCP') : undefined,
    healthPath: a.probe === 'http' ? a.healthPath : undefined,
    replicas: a.replicas !== undefined && a.replicas !== 2 ? a.replicas : undefined,
    runAsUser: a.runAsUser,
    resources: a.resources && {
      cpu: a.resources.cpu && { request: a.resources.cpu.request, limit: a.resources.cpu.limit },
      memory: a.resources.memory && { request: a.resources.memory.request !== undefined ? size(a.resources.memory.request) : undefined, limit: a.resources.memory.limit !== undefined ? size(a.resources.memory.limit) : undefined },
    },
    tls: a.tls && { site: a.tls.site, ...(a.tls.mountPath !== '/etc/tls' ? { mountPath: a.tls.mountPath } : {}), env: call(lib('TlsEnv'), 'custom', {}) },
  }, { image: a.placeholder ? 'TODO: the input has no Deployment for this app: give its image (and check port and healthPath)' : undefined });
}

function routeSpec(r: RouteModel): Expr {
  return obj({
    host: r.host,
    path: r.path !== '/' ? r.path : undefined,
    app: r.app,
    websocket: r.websocket || undefined,
    passthrough: r.passthrough || undefined,
    clientAuth: r.clientAuth || undefined,
    maxRequestBodySize: r.maxRequestBodyBytes !== undefined ? size(r.maxRequestBodyBytes) : undefined,
  });
}

function edgeSpec(e: EdgeModel): Expr {
  const h = e.headers;
  const headers = {
    hsts: h.hsts && { maxAge: duration(h.hsts.maxAgeSeconds), includeSubDomains: h.hsts.includeSubDomains, preload: h.hsts.preload },
    frameOptions: h.frameOptions && lib('FrameOptions', h.frameOptions),
    contentSecurityPolicy: h.contentSecurityPolicy, referrerPolicy: h.referrerPolicy, permissionsPolicy: h.permissionsPolicy,
    crossOriginOpenerPolicy: h.crossOriginOpenerPolicy, crossOriginResourcePolicy: h.crossOriginResourcePolicy,
  };
  return obj({
    kind: lib('EdgeKind', EDGE_MEMBER[e.kind]),
    ingressClassName: e.ingressClassName,
    gatewayClassName: e.gatewayClassName,
    gatewayImplementation: e.otherImplementation ? lib('GatewayImplementation', 'OTHER') : undefined,
    websocketTimeout: e.websocketTimeoutSeconds !== undefined ? duration(e.websocketTimeoutSeconds) : undefined,
    tlsProfile: e.modern ? lib('TlsProfile', 'MODERN') : undefined,
    headers: Object.values(headers).some((v) => v !== undefined) ? headers : undefined,
  });
}

/** `Duration.days(90)` rather than `Duration.seconds(7776000)`. */
function duration(seconds: number): Expr {
  const [unit, n] = seconds % 86_400 === 0 ? ['days', seconds / 86_400] : seconds % 3600 === 0 ? ['hours', seconds / 3600] : seconds % 60 === 0 ? ['minutes', seconds / 60] : ['seconds', seconds];
  return call(cdk8s('Duration'), unit, n);
}

/** `Size.mebibytes(10)` rather than `Size.kibibytes(10240)` (sizes are whole KiB). */
function size(bytes: number): Expr {
  const [unit, n] = bytes % 2 ** 30 === 0 ? ['gibibytes', bytes / 2 ** 30] : bytes % 2 ** 20 === 0 ? ['mebibytes', bytes / 2 ** 20] : ['kibibytes', bytes / 1024];
  return call(cdk8s('Size'), unit, n);
}
