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
  /** Routes the edge keeps open as long-lived streams (undefined: the edge has no per-route stream limit to raise). */
  websocket?: string[];
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
  // The stack's listeners: on a Gateway of its own, or in a ListenerSet attached to the platform Gateway.
  const listeners = docs.filter((d) => d.kind === 'Gateway' || d.kind === 'ListenerSet').flatMap((g) => g.spec.listeners);
  const tlsSecretByHost: Record<string, string> = {};
  for (const l of listeners.filter((x: any) => x.protocol === 'HTTPS')) tlsSecretByHost[l.hostname] = l.tls.certificateRefs[0].name;
  const routes = docs.filter((d) => d.kind === 'HTTPRoute');
  const redirect = routes.find((r) => r.spec.rules[0].filters?.[0]?.type === 'RequestRedirect');
  const filter = redirect.spec.rules[0].filters[0].requestRedirect;
  const appRoutes = routes.filter((r) => r !== redirect);
  const set = appRoutes[0].spec.rules[0].filters[0].responseHeaderModifier.set;
  const { 'Strict-Transport-Security': hsts, ...headers } = Object.fromEntries(set.map((h: any) => [h.name, h.value]));
  for (const r of appRoutes) for (const rule of r.spec.rules) expect(rule.filters[0].responseHeaderModifier.set).toEqual(set);
  // WebSocket rules: those whose stream idle timeout a BackendTrafficPolicy raises (by rule name).
  const idle = new Set(docs.filter((d) => d.kind === 'BackendTrafficPolicy' && d.spec.timeout?.http?.streamIdleTimeout === '3600s')
    .flatMap((p) => p.spec.targetRefs.map((t: any) => `${t.name}/${t.sectionName}`)));
  return {
    tlsSecretByHost,
    redirect: filter.scheme === 'https' && [301, 308].includes(filter.statusCode) ? `https ${filter.statusCode}` : 'none',
    hsts: hsts as string | undefined,
    headers: headers as Record<string, string>,
    websocket: appRoutes.flatMap((r) => r.spec.rules.filter((x: any) => idle.has(`${r.metadata.name}/${x.name}`)).map((x: any) => `${r.spec.hostnames[0]}${x.matches[0].path.value}`)).sort(),
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
  // No Traefik timeout cuts an upgraded WebSocket, so Traefik says nothing per WebSocket route; its only
  // ServersTransports are the verified HTTPS upstreams.
  for (const t of docs.filter((d) => d.kind === 'ServersTransport')) expect(t.spec.forwardingTimeouts).toBeUndefined();
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
      if (other.websocket) expect(other.websocket).toEqual(nginx.websocket);
      expect(other.redirect).toMatch(/^https 30[18]$/);
    }
    expect(nginx.hsts).toBe('max-age=31536000; includeSubDomains');
    expect(nginx.headers['X-XSS-Protection']).toBe('0');
    // every host is served with a Secret that a Certificate of the stack writes
    const secrets = new Set(byEdge[EdgeKind.INGRESS_NGINX][stack].filter((d: any) => d.kind === 'Certificate').map((c: any) => c.spec.secretName));
    for (const s of Object.values(nginx.tlsSecretByHost)) expect(secrets).toContain(s);
  });
});

describe('Gateway API rendering: prod, one platform Gateway shared by every stack', () => {
  const prod = envDocs('prod');
  const docs = prod.analytics;
  const CIPHERS = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305'];

  test('one Gateway for the environment: the platform\'s, with only the HTTP listener, admitting labelled namespaces', () => {
    const gateways = Object.values(prod).flat().filter((d: any) => d.kind === 'Gateway');
    expect(gateways.map((g: any) => `${g.metadata.namespace}/${g.metadata.name}`)).toEqual(['edge/platform']);
    const gw = gateways[0];
    const selector = { matchLabels: { 'gateway.tls-stack/platform': 'attach' } };
    expect(gw.spec.listeners).toEqual([{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector } } }]);
    expect(gw.spec.allowedListeners).toEqual({ namespaces: { from: 'Selector', selector } });
    for (const stack of STACKS) expect(only(prod[stack], 'Namespace').metadata.labels['gateway.tls-stack/platform']).toBe('attach');
    expect(Object.values(prod).flat().filter((d: any) => d.kind === 'ReferenceGrant')).toEqual([]);
  });

  test('each stack attaches a ListenerSet with one HTTPS listener per host, its Secrets in its own namespace', () => {
    const ls = only(docs, 'ListenerSet', 'analytics');
    expect(ls.spec.parentRef).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'edge' });
    expect(ls.spec.listeners.map((l: any) => [l.name, l.port, l.protocol, l.hostname, l.tls.mode, l.tls.certificateRefs[0]])).toEqual([
      ['https-analytics-example-com', 443, 'HTTPS', 'analytics.example.com', 'Terminate', { group: '', kind: 'Secret', name: 'frontend-tls' }],
      ['https-api-analytics-example-com', 443, 'HTTPS', 'api.analytics.example.com', 'Terminate', { group: '', kind: 'Secret', name: 'api-tls' }],
      ['https-www-analytics-example-com', 443, 'HTTPS', 'www.analytics.example.com', 'Terminate', { group: '', kind: 'Secret', name: 'frontend-tls' }],
    ]);
    expect(docs.filter((d: any) => d.kind === 'Gateway')).toEqual([]);
  });

  test('the TLS profile is enforced by ClientTrafficPolicies (platform default on the Gateway, the stack\'s on its ListenerSet), not an annotation', () => {
    // No alpnProtocols: Envoy Gateway's own ALPN keeps its HTTP/1.1 fallback for listeners with overlapping certificates
    // (analytics.example.com and www.analytics.example.com share frontend-tls).
    const tls = { minVersion: '1.2', maxVersion: '1.3', ciphers: CIPHERS };
    expect(only(prod['platform-gateway'], 'ClientTrafficPolicy').spec).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform' }], tls });
    expect(only(docs, 'ClientTrafficPolicy').spec).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'analytics' }], tls });
    expect(JSON.stringify(prod)).not.toContain('tls-stack/tls-profile');
  });

  test('redirect on the platform HTTP listener (308); app routes on the ListenerSet; the WebSocket rule\'s stream idle timeout by BackendTrafficPolicy', () => {
    const redirect = only(docs, 'HTTPRoute', 'analytics-https-redirect');
    expect(redirect.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'edge', sectionName: 'http' }]);
    expect(redirect.spec.rules[0].filters[0].requestRedirect).toEqual({ scheme: 'https', statusCode: 308 });
    const api = only(docs, 'HTTPRoute', 'analytics-api-analytics-example-com');
    expect(api.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'analytics', sectionName: 'https-api-analytics-example-com' }]);
    const ws = api.spec.rules.find((r: any) => r.matches[0].path.value === '/ws');
    expect(ws.name).toBe('websocket-1');
    expect(ws.timeouts).toBeUndefined(); // timeouts.request does not govern an upgraded stream
    expect(only(docs, 'BackendTrafficPolicy').spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'analytics-api-analytics-example-com', sectionName: 'websocket-1' }],
      timeout: { http: { streamIdleTimeout: '3600s' } },
    });
  });

  test('ACME HTTP-01: the solver\'s parentRefs are derived from what was built, the platform Gateway\'s HTTP listener', () => {
    const solver = only(prod['cluster-issuers'], 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers[0];
    expect(solver.http01.gatewayHTTPRoute.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'edge', sectionName: 'http' }]);
  });

  test('upstream TLS: BackendTLSPolicy with the CA bundle and the service hostname; no client certificate the backend does not ask for', () => {
    const b = prod['backend-api'];
    expect(only(b, 'BackendTLSPolicy').spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'backend-api' }],
      validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'internal-ca' }], hostname: 'backend-api.backend-api.svc' },
    });
    expect(b.filter((d: any) => d.kind === 'Certificate' && d.spec.usages?.includes('client auth'))).toEqual([]);
    expect(only(b, 'Namespace').metadata.labels['trust.tls-stack/internal-ca']).toBe('enabled');
  });
});

describe('Gateway API with a Gateway per stack (staging rendered on Gateway API)', () => {
  const staging = envDocs('staging', EdgeKind.GATEWAY_API);

  test('each stack has its own Gateway (HTTP + HTTPS listeners) and ClientTrafficPolicy; the HTTP-01 solver answers on all of them', () => {
    for (const stack of STACKS) {
      const gw = only(staging[stack], 'Gateway', stack);
      expect(gw.spec.listeners[0]).toMatchObject({ name: 'http', port: 80, protocol: 'HTTP' });
      expect(only(staging[stack], 'ClientTrafficPolicy', stack).spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: stack }]);
    }
    const solver = only(staging['cluster-issuers'], 'ClusterIssuer', 'letsencrypt-staging').spec.acme.solvers[0];
    expect(solver.http01.gatewayHTTPRoute.parentRefs.map((p: any) => `${p.namespace}/${p.name}/${p.sectionName}`))
      .toEqual(['aicos/aicos/http', 'analytics/analytics/http', 'backend-api/backend-api/http', 'naaccord/naaccord/http']);
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
    expect(st).toEqual({ serverName: 'backend-api.backend-api.svc', rootCAs: [{ configMap: 'internal-ca' }] });
    const svc = only(b, 'IngressRoute', 'backend-api-backend-api-public').spec.routes[0].services[0];
    expect(svc).toMatchObject({ scheme: 'https', serversTransport: only(b, 'ServersTransport').metadata.name });
  });
});
