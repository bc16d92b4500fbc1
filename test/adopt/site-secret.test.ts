import { Chart, Testing } from 'cdk8s';
import { EdgeKind, SelfSignedIssuer, TlsStackChart, synthChecked } from '../../lib';

// SiteSpec.secretName: a stack takes over the Secret a team's certificate is in today (adopt keeps the name).
describe('SiteSpec.secretName', () => {
  test.each(Object.values(EdgeKind))('names the Secret of the Certificate and the edge serves it (%s)', (kind) => {
    const app = Testing.app();
    new TlsStackChart(app, 'shop', {
      namespace: 'shop',
      issuer: new SelfSignedIssuer(new Chart(app, 'issuers'), 'I'),
      sites: [{ name: 'shop', secretName: 'legacy-tls-secret', hosts: ['shop.example.com'] }, { name: 'api', hosts: ['api.example.com'] }],
      apps: [{ name: 'web', image: 'x:1', port: 8080 }],
      routes: [{ host: 'shop.example.com', app: 'web' }, { host: 'api.example.com', app: 'web' }],
      edge: { kind },
    });
    const docs = synthChecked(app).charts.flatMap((c) => c.docs);
    const secretOf = Object.fromEntries(docs.filter((d) => d.kind === 'Certificate').map((d) => [d.metadata.name, d.spec.secretName]));
    expect(secretOf).toEqual({ shop: 'legacy-tls-secret', api: 'api-tls' });
    const served = JSON.stringify(docs.filter((d) => ['Ingress', 'Gateway', 'ListenerSet', 'IngressRoute'].includes(d.kind)));
    expect(served).toContain('"legacy-tls-secret"');
    expect(served).not.toContain('"shop-tls"');
  });
});
