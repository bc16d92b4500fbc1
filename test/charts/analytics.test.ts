import { EdgeKind, TlsProfile } from '../../lib';
import { envDocs, only } from '../support';

/** The ingress-nginx rendering of seed 001 (the other edges: edges.test.ts). */
describe.each([
  ['dev', 'analytics.dev.example.com', 'selfsigned'],
  ['staging', 'analytics.staging.example.com', 'letsencrypt-staging'],
  ['prod', 'analytics.example.com', 'letsencrypt-prod'],
])('Analytics platform (seed 001) in %s', (env, domain, issuer) => {
  const charts = envDocs(env, EdgeKind.INGRESS_NGINX);
  const docs = charts.analytics;
  const api = `api.${domain}`;

  test('frontend + www alias and API certificates from the environment issuer', () => {
    const frontend = only(docs, 'Certificate', 'frontend');
    expect(frontend.spec.dnsNames).toEqual([domain, `www.${domain}`]);
    expect(only(docs, 'Certificate', 'api').spec.dnsNames).toEqual([api]);
    for (const c of docs.filter((d: any) => d.kind === 'Certificate')) expect(c.spec.issuerRef.name).toBe(issuer);
  });

  test('Ingress: class, redirect, headers, TLS per host; /ws alone with long timeouts', () => {
    const main = only(docs, 'Ingress', 'analytics');
    expect(main.spec.ingressClassName).toBe('nginx');
    expect(main.metadata.annotations['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('true');
    expect(main.metadata.annotations['nginx.ingress.kubernetes.io/custom-headers']).toBe('analytics/analytics-security-headers');
    expect(main.spec.tls).toEqual([{ hosts: [domain, `www.${domain}`], secretName: 'frontend-tls' }, { hosts: [api], secretName: 'api-tls' }]);
    expect(main.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBeUndefined();
    const ws = only(docs, 'Ingress', 'analytics-websocket');
    expect(ws.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('3600');
    expect(ws.spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/ws']);
    expect(only(docs, 'Service', 'api-gateway').spec.ports[0].appProtocol).toBe('kubernetes.io/ws');
  });

  test('controller settings: HSTS 1 year, TLS 1.2/1.3 and the Mozilla 6.0 cipher list', () => {
    const cm = only(charts['ingress-nginx-controller-settings'], 'ConfigMap', 'ingress-nginx-controller');
    expect(cm.data['hsts-max-age']).toBe('31536000');
    expect(cm.data['hsts-include-subdomains']).toBe('true');
    expect(cm.data['ssl-protocols']).toBe('TLSv1.2 TLSv1.3');
    expect(cm.data['ssl-ciphers']).toBe(TlsProfile.INTERMEDIATE.ciphers.join(':'));
  });

  test('the frontend is told the API URLs over https/wss', () => {
    const env = only(docs, 'Deployment', 'frontend').spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'NEXT_PUBLIC_WS_URL', value: `wss://${api}` }]));
  });

  test('ACME environments solve these hosts with HTTP-01 through nginx', () => {
    if (issuer === 'selfsigned') return;
    const solvers = only(charts['cluster-issuers'], 'ClusterIssuer', issuer).spec.acme.solvers;
    const http01 = solvers.find((s: any) => s.http01);
    expect(http01).toEqual({ http01: { ingress: { ingressClassName: 'nginx' } } });
    for (const s of solvers.filter((x: any) => x.selector)) expect(s.selector.dnsNames ?? []).not.toContain(domain);
  });
});
