import { EdgeKind } from '../../lib';
import { HostReview, renderSummary, reviewModel } from '../../lib/summary';
import { envDocs } from '../support';

describe.each(Object.values(EdgeKind))('review model read from the %s YAML of prod', (edge) => {
  const docs = Object.values(envDocs('prod', edge)).flat();
  const model = reviewModel(docs);
  const host = (h: string): HostReview => model.hosts.find((x) => x.host === h)!;

  test('every public host with its certificate, issuer, secret, key and backends', () => {
    expect(model.hosts.map((h) => h.host).sort()).toEqual(['aicos.example.com', 'analytics.example.com', 'api.analytics.example.com', 'backend.example.com', 'naaccord.example.com', 'www.analytics.example.com']);
    expect(host('api.analytics.example.com')).toMatchObject({
      paths: ['/', '/ws'], secret: 'analytics/api-tls', certificate: 'analytics/api', issuer: 'letsencrypt-prod', key: 'ECDSA 256', lifetime: '2160h / 720h',
      backends: ['api-gateway:80'], hsts: 'max-age=31536000; includeSubDomains',
    });
    // nginx and Gateway API raise the idle timeout of the WebSocket route; Traefik has none to raise on any route to a WebSocket backend.
    expect(host('api.analytics.example.com').websocket).toEqual(edge === EdgeKind.TRAEFIK ? ['/ (no idle limit in Traefik)', '/ws (no idle limit in Traefik)'] : ['/ws (3600s)']);
    expect(host('analytics.example.com').websocket).toEqual([]);
    expect(host('backend.example.com')).toMatchObject({ key: 'RSA 4096', backends: ['backend-api:6922 (HTTPS, verified as backend-api.backend-api.svc)'] });
  });

  test('workloads: what each serves, trusts, presents, and who calls it', () => {
    const w = (name: string) => model.workloads.find((x) => x.name === name)!;
    expect(w('services-server')).toMatchObject({ namespace: 'naaccord', serves: 'https :8001', mount: '/etc/tls (read-only)', trusts: ['internal-ca'], requiresClientCertificates: true, callers: ['web-server'] });
    expect(w('web-server')).toMatchObject({ presents: 'web-server-client-tls', requiresClientCertificates: false, callers: [] });
    expect(w('aicos-nl-parser').callers).toEqual(['aicos-backend']);
    expect(w('tinychat')).toMatchObject({ serves: 'kubernetes.io/wss :443', certificate: 'tinychat → tinychat-tls (letsencrypt-prod, ECDSA 256)', mount: '/etc/tinychat/tls (read-only)' });
  });

  test('certificates, CAs marked', () => {
    expect(model.certificates.find((c) => c.name === 'internal-ca-root')).toMatchObject({ isCa: true, namespace: 'cert-manager', issuer: 'ClusterIssuer/internal-ca-selfsigned' });
  });
});

describe('the graph', () => {
  const docs = Object.values(envDocs('prod')).flat();
  const model = reviewModel(docs);
  const mermaid = (text: string) => text.split('```mermaid\n')[1]?.split('\n```')[0];

  test('a stack Mermaid can draw gets its graph', () => {
    const graph = mermaid(renderSummary(model, 't'));
    expect(graph).toMatch(/^graph LR\n/);
    expect(graph.length).toBeLessThan(50_000);
  });

  test('past Mermaid\'s limits (50,000 characters or 500 edges, GitHub\'s too) it is left out, with the reason', () => {
    // 300 copies of each host: 600 edges and more, which Mermaid refuses to render.
    const many = { ...model, hosts: Array.from({ length: 300 }, (_, i) => model.hosts.map((h) => ({ ...h, host: `h${i}-${h.host}` }))).flat() };
    const text = renderSummary(many, 't');
    expect(mermaid(text)).toBeUndefined();
    expect(text).toContain(`Left out: ${many.hosts.length} hosts, ${model.workloads.length} workloads and ${model.certificates.length} certificates make a graph larger than Mermaid renders (50,000 characters or 500 edges`);
    // The tables still list every host.
    expect(text.split('\n').filter((l) => /^\| h\d+-/.test(l)).length).toBe(many.hosts.length);
  });
});
