import { IConstruct } from 'constructs';
import { BODY_LIMIT_ANNOTATION, STREAM_IDLE_ANNOTATION, TLS_PROFILE_ANNOTATION } from './edge/envoy';
import { admittedControllerNamespaces, mergeControllerConfig, namesNoDomain, nginxControllerNeeds, satisfiesControllerConfig, traefikHandshakeOptions } from './policy/controller-wide';
import { checkApp } from './policy/gate';
import type { Manifest } from './policy/manifest';
import { compareText, groupBy } from './policy/validation';

/**
 * What a cluster needs before a folder of manifests can work, read from the manifests themselves: controllers and
 * their versions, controller flags and settings, CRDs, Secrets the manifests reference but do not create (with the
 * command that creates each), namespaces assumed to exist, and labels those namespaces need. SUMMARY.md's "Before you
 * apply" section and `cdk8s-tls summary --json` show the same list.
 */

/** Kinds of cluster requirement, in the order an operator deals with them. */
export enum RequirementKind {
  CONTROLLER = 'Controllers',
  CRD = 'CRDs',
  SETTING = 'Controller flags and settings (no manifest can carry them)',
  NAMESPACE = 'Namespaces assumed to exist, and labels they need',
  SECRET = 'Secrets referenced but not created here',
}

/** One thing the cluster must have or do. */
export interface ClusterRequirement {
  readonly kind: RequirementKind;
  /** What, e.g. `cert-manager v1.21` or `Secret backend-api/backend-api-keystore (key password)`. */
  readonly what: string;
  /** Which objects need it, and why. */
  readonly why: string;
  /** How to provide it: a command or a setting. */
  readonly how?: string;
}

const ns = (d: Manifest): string => d.metadata?.namespace ?? 'default';
/** The documents of some kinds (or API groups), in document order: indexed once, as the rules ask two dozen times. */
function indexBy(docs: Manifest[], key: (d: Manifest) => string): (...keys: string[]) => Manifest[] {
  const index = groupBy(docs.filter(Boolean).map((d, i): [Manifest, number] => [d, i]), ([d]) => key(d));
  return (...keys) => (keys.length === 1 ? index.get(keys[0]) ?? [] : keys.flatMap((k) => index.get(k) ?? []).sort((a, b) => a[1] - b[1])).map(([d]) => d);
}
/** Up to four objects by name (sorted, so the text does not depend on the order of the documents), and how many more. */
const names = (docs: Manifest[]) => {
  const all = [...new Set(docs.map((d) => `${d.kind} ${d.metadata?.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata?.name}`))].sort();
  return all.slice(0, 4).join(', ') + (all.length > 4 ? ` and ${all.length - 4} more` : '');
};
const group = (d: Manifest): string => (String(d.apiVersion).includes('/') ? String(d.apiVersion).split('/')[0] : 'core');

/** The namespace cert-manager reads ClusterIssuer Secrets from (its cluster resource namespace). */
const CERT_MANAGER_NS = 'cert-manager';

/** The requirements of one deployable unit: the documents of a folder, or of an App (synthesized, not written). */
export function clusterRequirements(source: Manifest[] | IConstruct): ClusterRequirement[] {
  const docs = Array.isArray(source) ? source : checkApp(source.node.root).charts.flatMap((c) => c.docs);
  const out: ClusterRequirement[] = [];
  const add = (kind: RequirementKind, what: string, why: string, how?: string) => {
    const i = out.findIndex((r) => r.kind === kind && r.what === what);
    if (i < 0) out.push({ kind, what, why, ...(how ? { how } : {}) });
    else if (!out[i].why.includes(why)) out[i] = { ...out[i], why: `${out[i].why}; ${why}` };
  };
  const of = indexBy(docs, (d) => d.kind);
  const byGroup = indexBy(docs, group);

  // Controllers, each in the namespace the workloads' NetworkPolicies admit it from (else its chart's usual one).
  const controllerNs = (usual: string) => {
    const admitted = groupBy(of('NetworkPolicy').flatMap((p) => admittedControllerNamespaces(p, usual).map((n): [string, Manifest] => [n, p])), ([n]) => n);
    for (const [n, policies] of admitted) add(RequirementKind.NAMESPACE, `the edge's controller runs in namespace ${n}`, `for ${names(policies.map(([, p]) => p))}: they admit only its proxies from there`, `install it with --namespace ${n}`);
    return [...admitted.keys()].sort(compareText)[0] ?? usual;
  };
  const certManager = byGroup('cert-manager.io');
  if (certManager.length) add(RequirementKind.CONTROLLER, 'cert-manager v1.21', `for ${names(certManager)}`, 'helm install cert-manager oci://quay.io/jetstack/charts/cert-manager --version v1.21.1 --namespace cert-manager --create-namespace --set crds.enabled=true');
  const bundles = byGroup('trust.cert-manager.io');
  if (bundles.length) add(RequirementKind.CONTROLLER, 'trust-manager v0.24 (trust namespace cert-manager)', `for ${names(bundles)}: publishes the CA certificate into labelled namespaces`, 'helm install trust-manager oci://quay.io/jetstack/charts/trust-manager --version v0.24.0 --namespace cert-manager');
  const gateways = of('Gateway');
  const envoyPolicies = byGroup('gateway.envoyproxy.io');
  const classes = new Set(gateways.map((g) => g.spec?.gatewayClassName));
  if (classes.has('eg') || envoyPolicies.length) {
    add(RequirementKind.CONTROLLER, 'Envoy Gateway v1.9 (GatewayClass "eg")', `for ${names([...gateways.filter((g) => g.spec?.gatewayClassName === 'eg'), ...envoyPolicies])}`,
      `helm install eg oci://docker.io/envoyproxy/gateway-helm --version v1.9.0 --namespace ${controllerNs('envoy-gateway-system')} --create-namespace, and a GatewayClass "eg" with controllerName gateway.envoyproxy.io/gatewayclass-controller`);
  }
  for (const c of [...classes].filter((x) => x && x !== 'eg')) add(RequirementKind.CONTROLLER, `a Gateway API v1.6 implementation for GatewayClass "${c}"`, `for ${names(gateways.filter((g) => g.spec?.gatewayClassName === c))}`);
  const traefik = byGroup('traefik.io');
  // The chart installs into the release's namespace: the current context's (often "default") without --namespace.
  if (traefik.length) add(RequirementKind.CONTROLLER, 'Traefik v3 with the kubernetesCRD provider', `for ${names(traefik)}`, `helm install traefik oci://ghcr.io/traefik/helm/traefik --version 37 --namespace ${controllerNs('traefik')} --create-namespace (Traefik v3.x; the CRDs are vendored at v3.7.9)`);
  const ingresses = of('Ingress');
  const http01Ingress = of('ClusterIssuer', 'Issuer').some((i) => (i.spec?.acme?.solvers ?? []).some((s: Manifest) => s.http01?.ingress));
  for (const c of new Set(ingresses.map((i) => i.spec?.ingressClassName ?? '(default class)'))) {
    // ingress-nginx 1.12.0-1.12.5 and 1.13.0-1.13.1 refuse Prefix and Exact paths with a "." (strict-validate-path-type,
    // on by default): cert-manager's HTTP-01 solver Ingress (Exact /.well-known/acme-challenge/..., cert-manager >= 1.18)
    // among them. Fixed in 1.12.6 and 1.13.2 (internal/ingress/inspector/rules.go).
    const dotted = ingresses.some((i) => JSON.stringify(i.spec?.rules ?? []).match(/"path":"[^"]*\./));
    add(RequirementKind.CONTROLLER, `ingress-nginx 1.12.6, 1.13.2, 1.14 or later (IngressClass "${c}")`, `for ${names(ingresses.filter((i) => (i.spec?.ingressClassName ?? '(default class)') === c))}${http01Ingress || dotted ? `: earlier 1.12 and 1.13 releases refuse paths with a "." (${[http01Ingress ? 'cert-manager\'s HTTP-01 solver Ingress' : '', dotted ? 'routes of these Ingresses' : ''].filter(Boolean).join(', ')})` : ''}; ingress-nginx was retired in March 2026: plan the move to Gateway API`,
      `helm install ingress-nginx ingress-nginx/ingress-nginx --namespace ${controllerNs('ingress-nginx')} --create-namespace (or on those releases: controller.config.strict-validate-path-type="false")`);
  }
  const rules = of('PrometheusRule');
  if (rules.length) {
    // kube-prometheus-stack selects rules and ServiceMonitors labelled release=<its Helm release> by default
    // (serviceMonitorSelectorNilUsesHelmValues); cert-manager's chart labels its ServiceMonitor only prometheus: default.
    const release = rules.map((r) => r.metadata?.labels?.release).find(Boolean);
    add(RequirementKind.CONTROLLER, 'Prometheus Operator v0.93, scraping cert-manager\'s metrics', `for ${names(rules)}: its ruleSelector must match the rule's labels${release ? ` (release: ${release})` : ''}, and its serviceMonitorSelector cert-manager's ServiceMonitor, which carries only "prometheus: default" unless given more labels`,
      `kube-prometheus-stack${release ? ` installed as release "${release}"` : ''}, and cert-manager with --set prometheus.servicemonitor.enabled=true${release ? ` --set prometheus.servicemonitor.labels.release=${release}` : ' --set prometheus.servicemonitor.labels.release=<your kube-prometheus-stack release>'}`);
  }
  const reloaded = docs.filter((d) => d.metadata?.annotations?.['secret.reloader.stakater.com/reload']);
  if (reloaded.length) add(RequirementKind.CONTROLLER, 'Stakater Reloader', `for ${names(reloaded)}: restarts them when their certificate Secrets are renewed`, 'helm install reloader stakater/reloader --namespace reloader --create-namespace');

  // CRDs, per API group.
  for (const g of [...new Set(docs.map(group))].filter((x) => x.includes('.') && !x.endsWith('.k8s.io') || x === 'gateway.networking.k8s.io').sort()) {
    const kinds = [...new Set(byGroup(g).map((d) => `${d.apiVersion.split('/')[1]} ${d.kind}`))].sort();
    const gatewayApi = g === 'gateway.networking.k8s.io';
    const withEnvoy = gatewayApi && (classes.has('eg') || envoyPolicies.length > 0);
    add(RequirementKind.CRD, `${g}: ${kinds.join(', ')}`,
      !gatewayApi ? 'installed with its controller'
        : withEnvoy ? 'ListenerSet and BackendTLSPolicy are in the v1.6 standard channel. Envoy Gateway\'s chart installs the Gateway API v1.6.1 CRDs itself (experimental channel, a superset): install it first and do not apply standard-install.yaml over them, or install the standard CRDs first, Envoy Gateway\'s own with its gateway-crds-helm chart (--set crds.envoyGateway.enabled=true), and gateway-helm with --set crds.enabled=false. Envoy Gateway looks for the ListenerSet CRD only when it starts: restart it if that CRD came later'
          : 'ListenerSet and BackendTLSPolicy are in the v1.6 standard channel',
      !gatewayApi ? undefined
        : withEnvoy ? 'with Envoy Gateway\'s chart (above); if the CRDs came after it: kubectl -n envoy-gateway-system rollout restart deployment/envoy-gateway'
          : 'kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml');
  }

  // Controller flags and settings that no manifest can carry.
  const gatewaySolvers = of('ClusterIssuer', 'Issuer').filter((i) => (i.spec?.acme?.solvers ?? []).some((s: Manifest) => s.http01?.gatewayHTTPRoute));
  const shim = [...gateways, ...of('ListenerSet')].filter((g) => Object.keys(g.metadata?.annotations ?? {}).some((k) => k.startsWith('cert-manager.io/')));
  if (gatewaySolvers.length || shim.length) {
    add(RequirementKind.SETTING, 'cert-manager: --enable-gateway-api', `for ${names([...gatewaySolvers, ...shim])}: ${gatewaySolvers.length ? 'ACME HTTP-01 answered with Gateway API HTTPRoutes' : 'the gateway-shim'}; off by default, and without it every challenge stays pending ("gateway api is not enabled")`,
      'helm upgrade cert-manager ... --set-json \'extraArgs=["--enable-gateway-api"]\' (restart cert-manager after installing the Gateway API CRDs)');
  }
  const passthrough = ingresses.filter((i) => i.metadata?.annotations?.['nginx.ingress.kubernetes.io/ssl-passthrough'] === 'true');
  if (passthrough.length) add(RequirementKind.SETTING, 'ingress-nginx: --enable-ssl-passthrough', `for ${names(passthrough)}: the ssl-passthrough annotation does nothing without it`, 'helm upgrade ingress-nginx ... --set controller.extraArgs.enable-ssl-passthrough=""');
  const controllerSettings = of('ConfigMap').filter((c) => c.metadata?.name === 'ingress-nginx-controller' && c.data?.['ssl-protocols']);
  // What the edges need in the controller ConfigMap, per IngressClass, unless NginxControllerSettings in the unit gives it.
  const needers = of('ConfigMap').filter((c) => nginxControllerNeeds(c));
  for (const [ingressClass, edges] of groupBy(needers, (c) => nginxControllerNeeds(c)!.ingressClassName)) {
    const { config } = mergeControllerConfig(edges.map((c) => nginxControllerNeeds(c)!.config));
    if (controllerSettings.some((c) => satisfiesControllerConfig(c.data, config))) continue;
    add(RequirementKind.SETTING, `ingress-nginx (IngressClass "${ingressClass}"): HSTS, TLS protocols, ciphers and allowed response headers in its controller ConfigMap`,
      `for ${names(edges)} and their Ingresses: these are controller-wide in ingress-nginx, and its defaults are not what the edges ask for (TLS 1.2 too, HSTS without preload, and custom-headers refused for any header missing from global-allowed-response-headers)`,
      `Helm values controller.config: ${JSON.stringify(config)} (or add NginxControllerSettings for these edges to the App)`);
  }
  for (const c of controllerSettings) {
    add(RequirementKind.SETTING, `ingress-nginx: the keys of ConfigMap ${ns(c)}/${c.metadata.name}`, 'HSTS, protocols and ciphers are controller-wide in ingress-nginx; the edges rely on these keys. kubectl apply -k leaves this ConfigMap out (config.kubernetes.io/local-config): it would replace the controller\'s own', 'merge them into your controller ConfigMap (Helm: controller.config)');
    if (c.data['use-forwarded-headers'] === 'true') {
      add(RequirementKind.SETTING, 'ingress-nginx reachable only through the TLS load balancer', 'use-forwarded-headers makes it trust X-Forwarded-Proto from any peer: a client that reaches it directly could claim https', 'restrict the controller Service (loadBalancerSourceRanges, NetworkPolicy or firewall) to the load balancer');
    }
  }
  // Behind a TLS load balancer the edges act on X-Forwarded-Proto, which the controller must keep from the load balancer.
  const forced = ingresses.filter((i) => i.metadata?.annotations?.['nginx.ingress.kubernetes.io/force-ssl-redirect'] === 'true');
  const trustsForwarded = of('ConfigMap').some((c) => c.data?.['use-forwarded-headers'] === 'true');
  if (forced.length && !trustsForwarded) {
    add(RequirementKind.SETTING, 'ingress-nginx: use-forwarded-headers "true" in the controller ConfigMap, if a TLS load balancer is in front', `for ${names(forced)}: force-ssl-redirect (what the edges set behind a TLS-terminating load balancer) redirects every request that arrives as plain HTTP, and without it ingress-nginx ignores the load balancer's X-Forwarded-Proto, so it loops and HSTS is never sent`,
      'helm upgrade ingress-nginx ... --set-string controller.config.use-forwarded-headers=true (or NginxControllerSettings), and keep the controller reachable only through the load balancer');
  }
  const trustXfp = of('ClientTrafficPolicy').filter((p) => p.spec?.clientIPDetection);
  const xfpRoutes = of('HTTPRoute').filter((r) => (r.spec?.rules ?? []).some((x: Manifest) => (x.matches ?? []).some((m: Manifest) => (m.headers ?? []).some((h: Manifest) => /^x-forwarded-proto$/i.test(h.name)))));
  if (xfpRoutes.length && !trustXfp.length) {
    add(RequirementKind.SETTING, 'the Gateway implementation keeps the load balancer\'s X-Forwarded-Proto on its HTTP listener', `for ${names(xfpRoutes)}: they serve on the HTTP listener what the load balancer received over TLS; an implementation that overwrites the header (Envoy-based ones do by default) redirects every request, a loop`,
      'configure it to trust the load balancer hop (Envoy: xff_num_trusted_hops 1), and keep its HTTP listener reachable only through the load balancer');
  }
  if (trustXfp.length) add(RequirementKind.SETTING, 'Envoy\'s HTTP listener reachable only through the TLS load balancer', `for ${names(trustXfp)}: Envoy keeps the X-Forwarded-Proto the load balancer sets, and Envoy Gateway v1.9 keeps it whoever sends it`, 'restrict the Envoy Service (loadBalancerSourceRanges, NetworkPolicy or firewall) to the load balancer');
  const webRoutes = of('IngressRoute').filter((r) => !r.spec?.tls && (r.spec?.routes ?? []).some((x: Manifest) => (x.services ?? []).some((s: Manifest) => s.name !== 'noop@internal')));
  if (webRoutes.length) {
    add(RequirementKind.SETTING, 'Traefik: entryPoints.<web>.forwardedHeaders.trustedIPs = the load balancer\'s addresses', `for ${names(webRoutes)}: served on the plain entry point for what the load balancer received over TLS; without trusted IPs Traefik replaces X-Forwarded-Proto and every request is redirected`,
      'static configuration, e.g. --entryPoints.web.forwardedHeaders.trustedIPs=10.0.0.0/8 (Helm: ports.web.forwardedHeaders.trustedIPs)');
  }
  // Traefik picks TLS options by the names of Host() rules: a wildcard host's HostRegexp names none, so the default options serve it.
  const wildcardRoutes = of('IngressRoute').filter((r) => r.spec?.tls?.options && (r.spec?.routes ?? []).some((x: Manifest) => namesNoDomain(x.match)));
  for (const [wanted, routes] of groupBy(wildcardRoutes, (r) => {
    const option = of('TLSOption').find((o) => o.metadata?.name === r.spec.tls.options.name && ns(o) === (r.spec.tls.options.namespace ?? ns(r)));
    return option ? JSON.stringify(traefikHandshakeOptions(option)) : '';
  })) {
    if (!wanted) continue;
    const o = JSON.parse(wanted);
    add(RequirementKind.SETTING, `Traefik's default TLS options: minVersion ${o.minVersion}${o.cipherSuites.length ? `, cipherSuites ${o.cipherSuites.join(',')}` : ''}, sniStrict ${o.sniStrict}`,
      `for ${names(routes)}: Traefik chooses TLS options by the names of Host() rules, and a wildcard host's HostRegexp names none, so its handshakes get the default options, not the TLSOption the route names`,
      `a TLSOption named "default" (one in the cluster; Helm: tlsOptions.default: ${JSON.stringify(o)})`);
  }
  const services = of('Service');
  const wsServices = new Set(services.filter((s) => (s.spec?.ports ?? []).some((p: Manifest) => /^kubernetes\.io\/wss?$/.test(p.appProtocol ?? ''))).map((s) => `${ns(s)}/${s.metadata.name}`));
  const traefikWs = of('IngressRoute').filter((r) => (r.spec?.routes ?? []).some((x: Manifest) => (x.services ?? []).some((s: Manifest) => wsServices.has(`${ns(r)}/${s.name}`))));
  if (traefikWs.length) add(RequirementKind.SETTING, 'an idle timeout of at least the WebSocket timeout on the load balancer in front of Traefik', `for ${names(traefikWs)}: Traefik does not cut an upgraded connection, so the load balancer's idle timeout is the limit`);
  for (const g of [...gateways, ...of('ListenerSet')].filter((x) => x.metadata?.annotations?.[TLS_PROFILE_ANNOTATION])) {
    add(RequirementKind.SETTING, `TLS of ${g.kind} ${ns(g)}/${g.metadata.name}: ${g.metadata.annotations[TLS_PROFILE_ANNOTATION]}`, 'Gateway API has no portable field for TLS versions and ciphers, and this implementation is not one the library configures', 'set them in the implementation\'s own configuration');
  }
  for (const r of of('HTTPRoute').filter((x) => x.metadata?.annotations?.[BODY_LIMIT_ANNOTATION])) {
    const limits = String(r.metadata.annotations[BODY_LIMIT_ANNOTATION]).split(',').map((x) => x.replace('=', ' ≤ ')).join(', ');
    add(RequirementKind.SETTING, `request body limit of ${ns(r)}/${r.metadata.name}: ${limits} bytes`, 'Gateway API has no portable field for it, and the controller\'s default may be smaller or unlimited', 'set it in the implementation\'s own configuration');
  }
  for (const r of of('HTTPRoute').filter((x) => x.metadata?.annotations?.[STREAM_IDLE_ANNOTATION])) {
    add(RequirementKind.SETTING, `stream idle timeout of ${ns(r)}/${r.metadata.name}: at least ${r.metadata.annotations[STREAM_IDLE_ANNOTATION]}`, 'its WebSocket rules stay open while idle; Gateway API has no portable field for it', 'set it in the implementation\'s own configuration');
  }

  // Secrets referenced but not created.
  const created = new Set([
    ...of('Certificate').map((c) => `${ns(c)}/${c.spec?.secretName}`),
    ...of('Secret').map((s) => `${ns(s)}/${s.metadata?.name}`),
    // The ACME account key: cert-manager creates it.
    ...of('ClusterIssuer').map((i) => `${CERT_MANAGER_NS}/${i.spec?.acme?.privateKeySecretRef?.name}`),
    ...of('Issuer').map((i) => `${ns(i)}/${i.spec?.acme?.privateKeySecretRef?.name}`),
  ]);
  const secret = (namespace: string, name: string, key: string | undefined, user: Manifest, what: string) => {
    if (!name || created.has(`${namespace}/${name}`)) return;
    const value = /pass(word)?|pfx|jks|p12/i.test(`${name} ${key}`) ? '"$(openssl rand -base64 32)"' : `'<${what}>'`;
    add(RequirementKind.SECRET, `Secret ${namespace}/${name}${key ? ` (key ${key})` : ''}`, `for ${names([user])} (${what})${user.kind === 'Certificate' ? ': cert-manager writes no part of the certificate Secret while it is missing' : ''}`,
      `kubectl create secret generic ${name} --namespace ${namespace} --from-literal=${key ?? 'value'}=${value}`);
  };
  for (const d of of('Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod')) {
    const pod = d.kind === 'Pod' ? d.spec : d.kind === 'CronJob' ? d.spec?.jobTemplate?.spec?.template?.spec : d.spec?.template?.spec;
    for (const c of [...pod?.containers ?? [], ...pod?.initContainers ?? []]) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) secret(ns(d), e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key, d, `${e.name}`);
    }
    for (const v of pod?.volumes ?? []) if (v.secret) secret(ns(d), v.secret.secretName, undefined, d, `volume ${v.name}`);
  }
  for (const c of of('Certificate')) {
    for (const [store, ks] of Object.entries(c.spec?.keystores ?? {}) as Array<[string, Manifest]>) {
      if (ks?.passwordSecretRef) secret(ns(c), ks.passwordSecretRef.name, ks.passwordSecretRef.key, c, `the ${store.toUpperCase()} keystore password`);
    }
  }
  for (const i of of('ClusterIssuer', 'Issuer')) {
    const where = i.kind === 'ClusterIssuer' ? CERT_MANAGER_NS : ns(i);
    const acme = i.spec?.acme ?? {};
    if (acme.externalAccountBinding?.keySecretRef) secret(where, acme.externalAccountBinding.keySecretRef.name, acme.externalAccountBinding.keySecretRef.key, i, 'the ACME External Account Binding HMAC key');
    for (const s of acme.solvers ?? []) {
      const cf = s.dns01?.cloudflare;
      if (cf?.apiTokenSecretRef) secret(where, cf.apiTokenSecretRef.name, cf.apiTokenSecretRef.key, i, 'a Cloudflare API token with Zone:DNS:Edit');
      const r53 = s.dns01?.route53;
      if (r53?.accessKeyIDSecretRef) secret(where, r53.accessKeyIDSecretRef.name, r53.accessKeyIDSecretRef.key, i, 'the AWS access key id');
      if (r53?.secretAccessKeySecretRef) secret(where, r53.secretAccessKeySecretRef.name, r53.secretAccessKeySecretRef.key, i, 'the AWS secret access key');
    }
  }

  // Namespaces assumed to exist, and labels they need.
  const namespaces = new Map(of('Namespace').map((n) => [n.metadata?.name, n.metadata?.labels ?? {}]));
  const used = new Map<string, Manifest[]>();
  const use = (namespace: string, d: Manifest) => (used.get(namespace) ?? used.set(namespace, []).get(namespace)!).push(d);
  // Local config (kustomize leaves it out of what kubectl apply -k sends) is never created in any namespace.
  for (const d of docs.filter((x) => x?.metadata?.namespace && x.metadata.annotations?.['config.kubernetes.io/local-config'] !== 'true')) use(d.metadata.namespace, d);
  if (!namespaces.has(CERT_MANAGER_NS)) for (const i of of('ClusterIssuer')) use(CERT_MANAGER_NS, i);
  for (const [name, users] of [...used].sort(([a], [b]) => compareText(a, b))) {
    if (!namespaces.has(name)) add(RequirementKind.NAMESPACE, `namespace ${name}`, `for ${names(users)}`, `kubectl create namespace ${name}`);
  }
  const needsLabel = (namespace: string, labels: Record<string, string>, why: string) => {
    const have = namespaces.get(namespace);
    const missing = Object.entries(labels).filter(([k, v]) => have?.[k] !== v);
    if (missing.length && !have) add(RequirementKind.NAMESPACE, `namespace ${namespace} labelled ${missing.map(([k, v]) => `${k}=${v}`).join(',')}`, why, `kubectl label namespace ${namespace} ${missing.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  };
  for (const b of bundles) {
    const labels = b.spec?.target?.namespaceSelector?.matchLabels ?? {};
    const readers = docs.filter((d) => d.metadata?.namespace && readsConfigMap(d, b.metadata?.name));
    for (const n of new Set(readers.map(ns))) needsLabel(n, labels, `for ${names(readers.filter((r) => ns(r) === n))}: they read ConfigMap ${b.metadata?.name}, which Bundle ${b.metadata?.name} writes only into labelled namespaces`);
  }
  for (const g of gateways) {
    const labels = g.spec?.allowedListeners?.namespaces?.selector?.matchLabels;
    if (!labels) continue;
    const attached = [...of('ListenerSet'), ...of('HTTPRoute')].filter((x) => JSON.stringify(x.spec?.parentRef ?? x.spec?.parentRefs ?? '').includes(`"name":"${g.metadata.name}"`) && ns(x) !== ns(g));
    for (const n of new Set(attached.map(ns))) needsLabel(n, labels, `for ${names(attached.filter((a) => ns(a) === n))}: Gateway ${ns(g)}/${g.metadata.name} admits only labelled namespaces`);
  }
  const order = Object.values(RequirementKind);
  return out.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.kind === RequirementKind.CONTROLLER ? 0 : compareText(a.what, b.what)));
}

/** Whether a document reads the ConfigMap `name` of its namespace (a mounted volume, or a CA reference). */
function readsConfigMap(d: Manifest, name: string): boolean {
  const pod = d.kind === 'CronJob' ? d.spec?.jobTemplate?.spec?.template?.spec : d.kind === 'Pod' ? d.spec : d.spec?.template?.spec;
  const refs = [
    ...(pod?.volumes ?? []).map((v: Manifest) => v.configMap && { kind: 'ConfigMap', name: v.configMap.name }),
    ...d.spec?.validation?.caCertificateRefs ?? [],
    ...d.spec?.tls?.clientValidation?.caCertificateRefs ?? [],
    ...d.spec?.tls?.frontend?.default?.validation?.caCertificateRefs ?? [],
    ...(d.spec?.rootCAs ?? []).map((r: Manifest) => r.configMap && { kind: 'ConfigMap', name: r.configMap }),
  ];
  return refs.some((r: Manifest) => r?.kind === 'ConfigMap' && r.name === name && !r.namespace);
}
