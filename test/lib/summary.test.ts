import { EdgeKind } from '../../lib';
import { HostReview, reviewModel } from '../../lib/summary';
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
