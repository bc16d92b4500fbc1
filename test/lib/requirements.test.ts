import { compareText } from '../../lib/policy/validation';
import { Chart, Testing } from 'cdk8s';
import {
  ClusterRequirement, EdgeKind, GatewayImplementation, InternalCa, NamespacedChart, NginxControllerSettings, NginxIngressEdge, PlatformGateway, RequirementKind, SelfSignedIssuer, TlsStackChart, clusterRequirements,
} from '../../lib';
import { buildEnvironment, ENVIRONMENTS } from '../../charts/environments';
import { envDocs } from '../support';

const find = (rs: ClusterRequirement[], kind: RequirementKind, what: string | RegExp) => rs.filter((r) => r.kind === kind && (typeof what === 'string' ? r.what === what : what.test(r.what)));

describe('cluster requirements read from the manifests', () => {
  const prod = clusterRequirements(Object.values(envDocs('prod')).flat());

  test('prod: cert-manager must run with --enable-gateway-api, because its HTTP-01 solver uses Gateway API HTTPRoutes', () => {
    const [flag] = find(prod, RequirementKind.SETTING, 'cert-manager: --enable-gateway-api');
    expect(flag.why).toContain('ClusterIssuer letsencrypt-prod');
    expect(flag.how).toContain('--enable-gateway-api');
  });

  test('prod: the Secrets it references but does not create, with the exact command; the keystore password blocks the certificate', () => {
    const secrets = find(prod, RequirementKind.SECRET, /.*/);
    expect(secrets.map((s) => s.what).sort()).toEqual([
      'Secret backend-api/backend-api-keystore (key password)', 'Secret cert-manager/cloudflare-api-token (key api-token)', 'Secret tinychat/tinychat-moderator (key password)',
    ]);
    const keystore = secrets.find((s) => s.what.includes('keystore'))!;
    expect(keystore.how).toBe('kubectl create secret generic backend-api-keystore --namespace backend-api --from-literal=password="$(openssl rand -base64 32)"');
    expect(keystore.why).toContain('cert-manager writes no part of the certificate Secret while it is missing');
    // Certificates' Secrets and the ACME account key are created in the cluster, never listed.
    expect(JSON.stringify(secrets)).not.toMatch(/-tls\b|account-key/);
  });

  test('prod: controllers with versions, CRDs (ListenerSet among them), namespaces assumed to exist', () => {
    expect(find(prod, RequirementKind.CONTROLLER, /.*/).map((r) => r.what)).toEqual([
      'cert-manager v1.21', 'trust-manager v0.24 (trust namespace cert-manager)', 'Envoy Gateway v1.9 (GatewayClass "eg")',
      'Prometheus Operator v0.93, scraping cert-manager\'s metrics', 'Stakater Reloader',
    ]);
    expect(find(prod, RequirementKind.CRD, /^gateway\.networking\.k8s\.io: /)[0].what).toBe('gateway.networking.k8s.io: v1 BackendTLSPolicy, v1 Gateway, v1 HTTPRoute, v1 ListenerSet');
    expect(find(prod, RequirementKind.NAMESPACE, /.*/).map((r) => r.what)).toEqual(['namespace cert-manager', 'namespace monitoring', 'the edge\'s controller runs in namespace envoy-gateway-system']);
    // Envoy Gateway's chart installs the Gateway API CRDs (experimental channel): the order, and the restart for ListenerSet.
    const crds = find(prod, RequirementKind.CRD, /^gateway\.networking\.k8s\.io: /)[0];
    expect(crds.why).toMatch(/install it first and do not apply standard-install\.yaml over them/);
    expect(crds.how).toMatch(/rollout restart deployment\/envoy-gateway/);
    // kube-prometheus-stack selects release=<release>: cert-manager's ServiceMonitor must carry it.
    expect(find(prod, RequirementKind.CONTROLLER, /^Prometheus Operator/)[0].how).toContain('--set prometheus.servicemonitor.labels.release=kube-prometheus-stack');
  });

  test('the same list programmatically from the App, without writing anything', () => {
    const app = buildEnvironment(ENVIRONMENTS.find((e) => e.name === 'prod')!, '/nonexistent');
    expect(clusterRequirements(app)).toEqual(prod);
  });

  test('staging (ingress-nginx): the retired controller, and its controller-wide settings to merge', () => {
    const staging = clusterRequirements(Object.values(envDocs('staging')).flat());
    const nginx = find(staging, RequirementKind.CONTROLLER, 'ingress-nginx 1.12.6, 1.13.2, 1.14 or later (IngressClass "nginx")')[0];
    expect(nginx.why).toContain('retired in March 2026');
    // cert-manager's HTTP-01 solver Ingress has a dotted Exact path, which 1.12.0-1.12.5 and 1.13.0-1.13.1 refuse.
    expect(nginx.why).toContain('cert-manager\'s HTTP-01 solver Ingress');
    expect(nginx.how).toContain('--namespace ingress-nginx');
    // The settings are merged, not applied: kustomize leaves the local-config ConfigMap out.
    expect(find(staging, RequirementKind.SETTING, 'ingress-nginx: the keys of ConfigMap ingress-nginx/ingress-nginx-controller')[0].why).toContain('kubectl apply -k leaves this ConfigMap out');
    expect(find(staging, RequirementKind.SETTING, 'cert-manager: --enable-gateway-api')).toEqual([]);
    // Nor is that ConfigMap's namespace one to create: it is never applied.
    expect(find(staging, RequirementKind.NAMESPACE, 'namespace ingress-nginx')).toEqual([]);
  });

  test('dev (Traefik): the load balancer\'s idle timeout is what limits a WebSocket', () => {
    const dev = clusterRequirements(Object.values(envDocs('dev')).flat());
    expect(find(dev, RequirementKind.SETTING, /idle timeout .* load balancer in front of Traefik/)[0].why).toContain('IngressRoute analytics/analytics-api');
    // The NetworkPolicies admit namespace traefik: the install command puts Traefik there.
    expect(find(dev, RequirementKind.CONTROLLER, /^Traefik/)[0].how).toContain('--namespace traefik --create-namespace');
  });

  const stack = (kind: EdgeKind, extra: object = {}, createNamespace = true) => {
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster');
    const issuer = new SelfSignedIssuer(cluster, 'I');
    const internalCa = new InternalCa(cluster, 'Ca');
    const s = new TlsStackChart(app, 'shop', {
      namespace: 'shop', createNamespace, issuer, internalCa, sites: [{ name: 'shop', hosts: ['shop.example.com'] }],
      apps: [{ name: 'web', image: 'ghcr.io/example/web:1', port: 8080, calls: [{ app: 'api' }] }, { name: 'api', image: 'ghcr.io/example/api:1', port: 8443, tls: { internal: true } }],
      routes: [{ host: 'shop.example.com', app: 'web' }], edge: { kind, ...extra },
    });
    if (kind === EdgeKind.INGRESS_NGINX) new NginxControllerSettings(new Chart(app, 'controller'), 'S', { edges: [s.edge as NginxIngressEdge] });
    return clusterRequirements(app);
  };

  test.each([
    [EdgeKind.INGRESS_NGINX, /^ingress-nginx reachable only through the TLS load balancer$/],
    [EdgeKind.GATEWAY_API, /^Envoy's HTTP listener reachable only through the TLS load balancer$/],
    [EdgeKind.TRAEFIK, /^Traefik: entryPoints.<web>.forwardedHeaders.trustedIPs/],
  ])('behind a TLS load balancer on %s: what the controller must trust, and who must be kept out', (kind, what) => {
    expect(find(stack(kind, { behindTlsLoadBalancer: true }), RequirementKind.SETTING, what)).toHaveLength(1);
    expect(find(stack(kind), RequirementKind.SETTING, what)).toEqual([]);
  });

  test('ingress-nginx behind a TLS load balancer without NginxControllerSettings: use-forwarded-headers is required', () => {
    const app = Testing.app();
    const issuer = new SelfSignedIssuer(new Chart(app, 'cluster'), 'I');
    new TlsStackChart(app, 'shop', {
      namespace: 'shop', issuer, sites: [{ name: 'shop', hosts: ['shop.example.com'] }], apps: [{ name: 'web', image: 'ghcr.io/example/web:1', port: 8080 }],
      routes: [{ host: 'shop.example.com', app: 'web' }], edge: { kind: EdgeKind.INGRESS_NGINX, behindTlsLoadBalancer: true },
    });
    const what = 'ingress-nginx: use-forwarded-headers "true" in the controller ConfigMap, if a TLS load balancer is in front';
    expect(find(clusterRequirements(app), RequirementKind.SETTING, what)[0].why).toMatch(/Ingress shop\/shop.*force-ssl-redirect .*so it loops/);
    // With the settings emitted, the ConfigMap carries it: no requirement.
    expect(find(stack(EdgeKind.INGRESS_NGINX, { behindTlsLoadBalancer: true }), RequirementKind.SETTING, what)).toEqual([]);
  });

  test.each([
    [EdgeKind.INGRESS_NGINX, /^ingress-nginx /], [EdgeKind.TRAEFIK, /^Traefik v3/], [EdgeKind.GATEWAY_API, /^Envoy Gateway/],
  ])('%s in a namespace of the user\'s (controllerNamespace): installed there, as the NetworkPolicies admit it', (kind, controller) => {
    const app = Testing.app();
    const issuer = new SelfSignedIssuer(new Chart(app, 'cluster'), 'I');
    new TlsStackChart(app, 'shop', {
      namespace: 'shop', issuer, sites: [{ name: 'shop', hosts: ['shop.example.com'] }], apps: [{ name: 'web', image: 'ghcr.io/example/web:1', port: 8080, networkPolicy: true }],
      routes: [{ host: 'shop.example.com', app: 'web' }], edge: { kind, controllerNamespace: 'edge-system' },
    });
    const rs = clusterRequirements(app);
    expect(find(rs, RequirementKind.CONTROLLER, controller)[0].how).toContain('--namespace edge-system');
    expect(find(rs, RequirementKind.NAMESPACE, /controller runs in namespace/).map((r) => r.what)).toEqual(['the edge\'s controller runs in namespace edge-system']);
  });

  test('another Gateway API implementation behind a TLS load balancer: it must keep X-Forwarded-Proto', () => {
    const what = /^the Gateway implementation keeps the load balancer's X-Forwarded-Proto/;
    const rs = stack(EdgeKind.GATEWAY_API, { gatewayImplementation: GatewayImplementation.OTHER, gatewayClassName: 'istio', behindTlsLoadBalancer: true });
    expect(find(rs, RequirementKind.SETTING, what)[0].why).toContain('HTTPRoute shop/shop-shop-example-com-http');
    expect(find(stack(EdgeKind.GATEWAY_API, { behindTlsLoadBalancer: true }), RequirementKind.SETTING, what)).toEqual([]); // Envoy: the ClientTrafficPolicy
    expect(find(stack(EdgeKind.GATEWAY_API, { gatewayImplementation: GatewayImplementation.OTHER, gatewayClassName: 'istio' }), RequirementKind.SETTING, what)).toEqual([]);
  });

  test('another Gateway API implementation: its controller, and the TLS profile to configure by hand', () => {
    const rs = stack(EdgeKind.GATEWAY_API, { gatewayImplementation: GatewayImplementation.OTHER, gatewayClassName: 'istio' });
    expect(find(rs, RequirementKind.CONTROLLER, 'a Gateway API v1.6 implementation for GatewayClass "istio"')).toHaveLength(1);
    expect(find(rs, RequirementKind.SETTING, /^TLS of Gateway shop\/shop: mozilla-intermediate-6.0: protocols TLSv1.2 TLSv1.3; TLS 1.2 ciphers /)).toHaveLength(1);
  });

  test('a namespace the stack does not create: it must exist and carry the trust-bundle label', () => {
    const rs = stack(EdgeKind.GATEWAY_API, {}, false);
    expect(find(rs, RequirementKind.NAMESPACE, 'namespace shop')).toHaveLength(1);
    expect(find(rs, RequirementKind.NAMESPACE, 'namespace shop labelled trust.tls-stack/internal-ca=enabled')[0].how).toBe('kubectl label namespace shop trust.tls-stack/internal-ca=enabled');
    expect(find(stack(EdgeKind.GATEWAY_API), RequirementKind.NAMESPACE, /namespace shop/)).toEqual([]);
  });

  test('a stack on a shared Gateway in a namespace it does not create: the attach label', () => {
    const app = Testing.app();
    const issuer = new SelfSignedIssuer(new Chart(app, 'cluster'), 'I');
    const platform = new PlatformGateway(new NamespacedChart(app, 'edge', { namespace: 'edge' }), 'P');
    new TlsStackChart(app, 'shop', {
      namespace: 'shop', createNamespace: false, issuer, sites: [{ name: 'shop', hosts: ['shop.example.com'] }],
      apps: [{ name: 'web', image: 'ghcr.io/example/web:1', port: 8080 }], routes: [{ host: 'shop.example.com', app: 'web' }], edge: { sharedGateway: platform },
    });
    expect(find(clusterRequirements(app), RequirementKind.NAMESPACE, 'namespace shop labelled gateway.tls-stack/platform=attach')).toHaveLength(1);
  });
});

test('requirements sort case-insensitively, then by code point: the same order on every machine, whatever its locale', () => {
  const texts = ['an idle timeout', 'TLS of Gateway', 'cert-manager: --enable-gateway-api', "Envoy's HTTP listener", 'Traefik: entryPoints', 'tls of gateway'];
  expect([...texts].sort(compareText)).toEqual(['an idle timeout', 'cert-manager: --enable-gateway-api', "Envoy's HTTP listener", 'TLS of Gateway', 'tls of gateway', 'Traefik: entryPoints']);
});
