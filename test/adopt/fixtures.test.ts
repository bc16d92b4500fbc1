import * as path from 'path';
import { loadManifests } from '../../lib';
import { adopt } from '../../lib/adopt';
import { FIXTURES, Served, runGenerated, served, typeCheck } from './support';

/**
 * Each input as a team applies it today, and what its hosts serve, read by hand from the input: host, path, Service and
 * port, WebSocket (long timeouts, a stream idle timeout, or a WebSocket backend), and the Secret of each host.
 */
const CASES: Array<{ name: string; force?: boolean; routes: Array<[string, string, string, number, boolean]>; secrets: Record<string, string> }> = [
  {
    // Seed 001: two definitions of api-ingress and a second Ingress for the same hosts; --force keeps the first of each.
    name: 'seed-001.txt', force: true,
    routes: [['analytics.example.com', '/', 'frontend', 3000, false], ['api.analytics.example.com', '/', 'api-gateway', 8000, false]],
    secrets: { 'analytics.example.com': 'api-tls-secret', 'api.analytics.example.com': 'api-tls-secret', 'www.analytics.example.com': 'api-tls-secret' },
  },
  {
    name: 'ingress-nginx-shim',
    routes: [
      ['api.shop.example.com', '/v1', 'api', 9000, false], ['api.shop.example.com', '/ws', 'api', 9000, true],
      ['shop.example.com', '/', 'web', 80, false], ['www.shop.example.com', '/', 'web', 80, false],
    ],
    secrets: { 'shop.example.com': 'shop-web-tls', 'www.shop.example.com': 'shop-web-tls', 'api.shop.example.com': 'shop-api-tls' },
  },
  {
    name: 'helm',
    routes: [['blog.example.org', '/', 'blog', 2368, false]],
    secrets: { 'blog.example.org': 'blog-example-org-tls' },
  },
  {
    name: 'gateway-api',
    routes: [['chat.example.net', '/', 'chat-web', 80, false], ['chat.example.net', '/socket', 'chat-server', 8080, true], ['status.example.net', '/', 'status-page', 80, false]],
    secrets: { 'chat.example.net': 'chat-example-net-tls', 'status.example.net': 'status-example-net-tls' },
  },
  {
    name: 'traefik',
    routes: [['docs.example.com', '/', 'wiki', 80, false], ['docs.example.com', '/api', 'wiki', 80, false], ['wiki.example.com', '/', 'wiki', 80, false], ['wiki.example.com', '/collab', 'collab', 1234, true]],
    secrets: { 'wiki.example.com': 'wiki-cert', 'docs.example.com': 'wiki-cert' },
  },
  {
    name: 'mtls',
    routes: [['partners.example.com', '/invoices', 'invoices', 8080, false], ['partners.example.com', '/orders', 'orders', 8443, false]],
    secrets: { 'partners.example.com': 'partners-tls' },
  },
  {
    name: 'wildcard-dns01',
    routes: [['*.pages.example.io', '/', 'pages', 80, false], ['pages.example.io', '/', 'pages-admin', 80, false]],
    secrets: { '*.pages.example.io': 'pages-wildcard-tls', 'pages.example.io': 'pages-wildcard-tls' },
  },
  {
    name: 'namespaces',
    routes: [['admin.corp.example.com', '/', 'admin', 8000, false], ['store.corp.example.com', '/', 'frontend', 80, false], ['store.corp.example.com', '/cart', 'cart', 80, false]],
    secrets: { 'admin.corp.example.com': 'admin-tls', 'store.corp.example.com': 'store-tls' },
  },
];

const results = CASES.map((c) => ({ ...c, result: adopt(loadManifests([path.join(FIXTURES, c.name)]), { force: c.force }) }));

describe('adopt: fixtures', () => {
  test('the generated TypeScript of every fixture type-checks under the typescript-app template\'s tsconfig against the library', () => {
    expect(typeCheck(Object.fromEntries(results.map((r) => [r.name.replace(/\W/g, '_'), r.result.typescript!])))).toEqual([]);
  });

  test.each(results.map((r) => [r.name, r] as const))('%s: the generated app synthesizes through the gate and serves the input\'s hosts, paths, backends, WebSocket routes and Secrets', (_name, r) => {
    expect(r.result.blocked).toBe(false);
    expect(r.result.synthErrors).toEqual([]);
    const docs = runGenerated(r.result.typescript!);
    const { routes, secrets } = served(docs);
    const expected: Served[] = r.routes.map(([host, p, service, port, websocket]) => ({ host, path: p, service, port, websocket }));
    expect(routes).toEqual(expected.sort((a, b) => `${a.host}${a.path}`.localeCompare(`${b.host}${b.path}`)));
    const routed = Object.fromEntries(Object.entries(secrets).filter(([h]) => r.routes.some(([host]) => host === h)));
    expect(routed).toEqual(Object.fromEntries(Object.entries(r.secrets).filter(([h]) => r.routes.some(([host]) => host === h))));
    // Every Secret of the input is written by a Certificate of the spec, for the same hosts.
    const certificates = docs.filter((d) => d.kind === 'Certificate' && !d.spec.isCA);
    for (const [host, secret] of Object.entries(r.secrets)) {
      expect(certificates.filter((c) => c.spec.secretName === secret && c.spec.dnsNames.includes(host)).map((c) => c.spec.secretName)).toEqual([secret]);
    }
  });
});
