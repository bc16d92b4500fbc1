import { Chart, Duration, Testing } from 'cdk8s';
import { AcmeServer, AcmeSolver, AppProtocol, EdgeKind, InternalCa, LetsEncryptIssuer, TlsProfile, TlsStackChart } from '../../lib';
import { expectationsFromApp } from '../../lib/verify';

/** A stack with an exact host (WebSocket path, client certificates) and a wildcard one, on Traefik with the modern profile. */
function app() {
  const a = Testing.app();
  const cluster = new Chart(a, 'cluster', { disableResourceNameHashes: true });
  const issuer = new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.STAGING, email: 'ops@example.com', solvers: [AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf', key: 'token' } })] });
  new TlsStackChart(a, 'shop', {
    namespace: 'shop', issuer, internalCa: new InternalCa(cluster, 'Ca'),
    sites: [{ name: 'shop', hosts: ['shop.example.com', '*.pages.example.com'] }],
    apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080, protocol: AppProtocol.WEBSOCKET }],
    routes: [{ host: 'shop.example.com', app: 'web', clientAuth: true }, { host: 'shop.example.com', app: 'web', path: '/live', websocket: true, clientAuth: true }, { host: '*.pages.example.com', app: 'web' }],
    edge: { kind: EdgeKind.TRAEFIK, tlsProfile: TlsProfile.MODERN, headers: { hsts: { maxAge: Duration.days(730), preload: true } } },
  });
  return a;
}

test('expectations from an App: what the spec promises per host; a wildcard is probed only under a name given for it', () => {
  const [shop, ...rest] = expectationsFromApp(app(), { address: '127.0.0.1', httpsPort: 8443 });
  expect(rest).toEqual([]);
  expect(shop).toMatchObject({ host: 'shop.example.com', address: '127.0.0.1', httpsPort: 8443, profile: TlsProfile.MODERN, hsts: 'max-age=63072000; includeSubDomains; preload', clientAuth: true, websocketPaths: ['/live'], checkHttp: true });
  const withWildcard = expectationsFromApp(app(), { wildcards: { '*.pages.example.com': 'docs.pages.example.com' } });
  expect(withWildcard.map((e) => [e.host, e.clientAuth]).sort()).toEqual([['docs.pages.example.com', false], ['shop.example.com', true]]);
});
