import { EdgeKind, FrameOptions } from '../../lib';
import { ENVIRONMENTS } from '../../charts/environments';
import { schemaErrors } from '../../lib/policy/schema';
import { envDocs, only } from '../support';

const EDGES = Object.values(EdgeKind);
const STACKS = ['analytics', 'aicos', 'naaccord', 'backend-api'];

/** The security intent an edge's YAML expresses, read back from the documents alone. */
interface Intent {
  tlsSecretByHost: Record<string, string>;
  redirect: string;
  hsts?: string;
  headers: Record<string, string>;
  websocket: string[];
}

const A = 'nginx.ingress.kubernetes.io/';
function nginxIntent(docs: any[], controller: any[]): Intent {
  const settings = only(controller, 'ConfigMap', 'ingress-nginx-controller').data;
  const ingresses = docs.filter((d) => d.kind === 'Ingress');
  const tlsSecretByHost: Record<string, string> = {};
  for (const i of ingresses) for (const t of i.spec.tls ?? []) for (const h of t.hosts) tlsSecretByHost[h] = t.secretName;
  const headersRef = ingresses[0].metadata.annotations[`${A}custom-headers`].split('/')[1];
  return {
    tlsSecretByHost,
    redirect: ingresses.every((i) => i.metadata.annotations[`${A}ssl-redirect`] === 'true') && settings['http-redirect-code'] === '308' ? 'https 308' : 'none',
    hsts: settings.hsts === 'true'
      ? [`max-age=${settings['hsts-max-age']}`, ...(settings['hsts-include-subdomains'] === 'true' ? ['includeSubDomains'] : []), ...(settings['hsts-preload'] === 'true' ? ['preload'] : [])].join('; ')
      : undefined,
    headers: only(docs, 'ConfigMap', headersRef).data,
    websocket: ingresses.filter((i) => i.metadata.annotations[`${A}proxy-read-timeout`])
      .flatMap((i) => i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host}${p.path}`))).sort(),
  };
}

function gatewayIntent(docs: any[]): Intent {
  const gateway = only(docs, 'Gateway');
  const tlsSecretByHost: Record<string, string> = {};
  for (const l of gateway.spec.listeners.filter((x: any) => x.protocol === 'HTTPS')) tlsSecretByHost[l.hostname] = l.tls.certificateRefs[0].name;
  const routes = docs.filter((d) => d.kind === 'HTTPRoute');
  const redirect = routes.find((r) => r.spec.parentRefs[0].sectionName === 'http');
  const filter = redirect.spec.rules[0].filters[0].requestRedirect;
  const appRoutes = routes.filter((r) => r !== redirect);
  const set = appRoutes[0].spec.rules[0].filters[0].responseHeaderModifier.set;
  const { 'Strict-Transport-Security': hsts, ...headers } = Object.fromEntries(set.map((h: any) => [h.name, h.value]));
  for (const r of appRoutes) for (const rule of r.spec.rules) expect(rule.filters[0].responseHeaderModifier.set).toEqual(set);
  return {
    tlsSecretByHost,
    redirect: filter.scheme === 'https' && [301, 308].includes(filter.statusCode) ? `https ${filter.statusCode}` : 'none',
    hsts: hsts as string | undefined,
    headers: headers as Record<string, string>,
    websocket: appRoutes.flatMap((r) => r.spec.rules.filter((x: any) => x.timeouts).map((x: any) => `${r.spec.hostnames[0]}${x.matches[0].path.value}`)).sort(),
  };
}

function traefikIntent(docs: any[]): Intent {
  const routes = docs.filter((d) => d.kind === 'IngressRoute');
  const http = routes.find((r) => r.spec.entryPoints[0] === 'web');
  const mw = (name: string) => only(docs, 'Middleware', name).spec;
  const redirect = mw(http.spec.routes[0].middlewares[0].name).redirectScheme;
  const secure = routes.filter((r) => r !== http);
  const hostOf = (match: string) => /Host\(`([^`]+)`\)/.exec(match)![1];
  const tlsSecretByHost: Record<string, string> = {};
  for (const r of secure) for (const x of r.spec.routes) tlsSecretByHost[hostOf(x.match)] = r.spec.tls.secretName;
  const h = mw(secure[0].spec.routes[0].middlewares[0].name).headers;
  const transports = Object.fromEntries(docs.filter((d) => d.kind === 'ServersTransport').map((t) => [t.metadata.name, t.spec]));
  return {
    tlsSecretByHost,
    redirect: redirect.scheme === 'https' && redirect.permanent ? 'https 308' : 'none',
    hsts: h.stsSeconds ? [`max-age=${h.stsSeconds}`, ...(h.stsIncludeSubdomains ? ['includeSubDomains'] : []), ...(h.stsPreload ? ['preload'] : [])].join('; ') : undefined,
    headers: {
      'X-Content-Type-Options': h.contentTypeNosniff ? 'nosniff' : '',
      'X-Frame-Options': h.frameDeny ? FrameOptions.DENY : h.customFrameOptionsValue,
      'Content-Security-Policy': h.contentSecurityPolicy,
      'Referrer-Policy': h.referrerPolicy,
      'Permissions-Policy': h.permissionsPolicy,
      ...h.customResponseHeaders,
    },
    websocket: secure.flatMap((r) => r.spec.routes.filter((x: any) => transports[x.services[0].serversTransport]?.forwardingTimeouts)
      .map((x: any) => `${hostOf(x.match)}${/PathPrefix\(`([^`]+)`\)/.exec(x.match)?.[1] ?? '/'}`)).sort(),
  };
}

function intent(edge: EdgeKind, charts: Record<string, any[]>, stack: string): Intent {
  if (edge === EdgeKind.GATEWAY_API) return gatewayIntent(charts[stack]);
  if (edge === EdgeKind.TRAEFIK) return traefikIntent(charts[stack]);
  return nginxIntent(charts[stack], charts['ingress-nginx-controller-settings']);
}

describe.each(ENVIRONMENTS.map((e) => e.name))('every edge in %s', (env) => {
  const byEdge = Object.fromEntries(EDGES.map((e) => [e, envDocs(env, e)]));

  test.each(EDGES)('%s: every seed chart synthesizes and every document validates strictly against its schema', (edge) => {
    for (const [chart, docs] of Object.entries(byEdge[edge])) {
      for (const d of docs) expect([chart, d.kind, d.metadata.name, schemaErrors(d)]).toEqual([chart, d.kind, d.metadata.name, []]);
    }
    expect(JSON.stringify(byEdge[edge])).not.toMatch(/configuration-snippet|server-snippet|"statusCode":302|insecureSkipVerify":true|"1; mode=block"/);
  });

  test.each(STACKS)('%s: the three edges express the same security intent', (stack) => {
    const [nginx, gateway, traefik] = EDGES.map((e) => intent(e, byEdge[e], stack));
    for (const other of [gateway, traefik]) {
      expect(other.tlsSecretByHost).toEqual(nginx.tlsSecretByHost);
      expect(other.hsts).toEqual(nginx.hsts);
      expect(other.headers).toEqual(nginx.headers);
      expect(other.websocket).toEqual(nginx.websocket);
      expect(other.redirect).toMatch(/^https 30[18]$/);
    }
    expect(nginx.hsts).toBe('max-age=31536000; includeSubDomains');
    expect(nginx.headers['X-XSS-Protection']).toBe('0');
    // every host is served with a Secret that a Certificate of the stack writes
    const secrets = new Set(byEdge[EdgeKind.INGRESS_NGINX][stack].filter((d: any) => d.kind === 'Certificate').map((c: any) => c.spec.secretName));
    for (const s of Object.values(nginx.tlsSecretByHost)) expect(secrets).toContain(s);
  });
});

describe('Gateway API rendering (seed 001, prod)', () => {
  const docs = envDocs('prod', EdgeKind.GATEWAY_API).analytics;

  test('HTTP listener on 80, one HTTPS listener per host on 443 with Terminate and the certificate Secret', () => {
    const gw = only(docs, 'Gateway', 'analytics');
    expect(gw.spec.gatewayClassName).toBe('eg');
    expect(gw.spec.listeners.map((l: any) => [l.name, l.port, l.protocol, l.hostname, l.tls?.mode, l.tls?.certificateRefs?.[0].name])).toEqual([
      ['http', 80, 'HTTP', undefined, undefined, undefined],
      ['https-analytics-example-com', 443, 'HTTPS', 'analytics.example.com', 'Terminate', 'frontend-tls'],
      ['https-api-analytics-example-com', 443, 'HTTPS', 'api.analytics.example.com', 'Terminate', 'api-tls'],
      ['https-www-analytics-example-com', 443, 'HTTPS', 'www.analytics.example.com', 'Terminate', 'frontend-tls'],
    ]);
    expect(gw.metadata.annotations['tls-stack/tls-profile']).toMatch('TLSv1.2 TLSv1.3');
    expect(gw.metadata.annotations['tls-stack/tls-profile']).toMatch('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  test('redirect route only on the http listener (308); app routes only on https listeners; WS rule has a long timeout', () => {
    const routes = docs.filter((d: any) => d.kind === 'HTTPRoute');
    const redirect = only(docs, 'HTTPRoute', 'analytics-https-redirect');
    expect(redirect.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'analytics', sectionName: 'http' }]);
    expect(redirect.spec.rules[0].filters[0].requestRedirect).toEqual({ scheme: 'https', statusCode: 308 });
    for (const r of routes.filter((x: any) => x !== redirect)) expect(r.spec.parentRefs[0].sectionName).toMatch(/^https-/);
    const api = only(docs, 'HTTPRoute', 'analytics-api-analytics-example-com');
    const ws = api.spec.rules.find((r: any) => r.matches[0].path.value === '/ws');
    expect(ws.timeouts).toEqual({ request: '3600s' });
    expect(api.spec.rules.find((r: any) => r.matches[0].path.value === '/').timeouts).toBeUndefined();
  });

  test('ACME HTTP-01 through gatewayHTTPRoute solvers on each Gateway\'s http listener', () => {
    const solver = only(envDocs('prod', EdgeKind.GATEWAY_API)['cluster-issuers'], 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers[0];
    expect(solver.http01.gatewayHTTPRoute.parentRefs).toContainEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'analytics', namespace: 'analytics', sectionName: 'http' });
  });

  test('upstream TLS: BackendTLSPolicy with the CA bundle and the service hostname, Gateway client certificate', () => {
    const b = envDocs('prod', EdgeKind.GATEWAY_API)['backend-api'];
    expect(only(b, 'BackendTLSPolicy', 'backend-api').spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'backend-api' }],
      validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'internal-ca' }], hostname: 'backend-api.backend-api.svc' },
    });
    expect(only(b, 'Gateway').spec.tls.backend.clientCertificateRef.name).toBe('backend-api-edge-internal-ca-client-tls');
    expect(only(b, 'Namespace').metadata.labels['trust.tls-stack/internal-ca']).toBe('enabled');
  });
});

describe('Traefik rendering (seed 001, dev)', () => {
  const docs = envDocs('dev', EdgeKind.TRAEFIK).analytics;

  test('redirectScheme permanent https on the web entry point; headers middleware; TLSOption with the Mozilla profile in Go names', () => {
    expect(only(docs, 'Middleware', 'analytics-redirect-https').spec).toEqual({ redirectScheme: { scheme: 'https', permanent: true } });
    const h = only(docs, 'Middleware', 'analytics-security-headers').spec.headers;
    expect(h).toMatchObject({ stsSeconds: 31536000, stsIncludeSubdomains: true, stsPreload: false, contentTypeNosniff: true, frameDeny: true, referrerPolicy: 'strict-origin-when-cross-origin' });
    expect(h.browserXssFilter).toBeUndefined();
    expect(h.customResponseHeaders['X-XSS-Protection']).toBe('0');
    const opt = only(docs, 'TLSOption', 'analytics').spec;
    expect(opt).toEqual({
      minVersion: 'VersionTLS12', sniStrict: true,
      cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    });
    for (const r of docs.filter((d: any) => d.kind === 'IngressRoute' && d.spec.entryPoints[0] === 'websecure')) {
      expect(r.spec.tls.options).toEqual({ name: 'analytics', namespace: 'analytics' });
      for (const x of r.spec.routes) expect(x.middlewares).toEqual([{ name: 'analytics-security-headers', namespace: 'analytics' }]);
    }
  });

  test('verified HTTPS upstream through a ServersTransport (seed 000)', () => {
    const b = envDocs('dev', EdgeKind.TRAEFIK)['backend-api'];
    const st = only(b, 'ServersTransport').spec;
    expect(st).toEqual({ serverName: 'backend-api.backend-api.svc', rootCAs: [{ configMap: 'internal-ca' }], certificatesSecrets: ['backend-api-edge-internal-ca-client-tls'] });
    const svc = only(b, 'IngressRoute', 'backend-api-backend-api-public').spec.routes[0].services[0];
    expect(svc).toMatchObject({ scheme: 'https', serversTransport: only(b, 'ServersTransport').metadata.name });
  });
});
