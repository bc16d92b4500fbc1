import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NGINX_CONTROLLER_CONFIG_ANNOTATION, mergeControllerConfig } from '../policy/controller-wide';
import { enforcePolicy } from '../policy/gate';
import { check, checkName, groupBy, NameKind, present } from '../policy/validation';
import { AcmeSolver } from '../issuers';
import { NOTE, PASSTHROUGH_NOTE, ResolvedRoute, TlsEdgeBase, TlsEdgeProps } from './edge';

const A = 'nginx.ingress.kubernetes.io/';

/** Props of {@link NginxIngressEdge}. */
export interface NginxIngressEdgeProps extends TlsEdgeProps {
  /** IngressClass of the ingress-nginx controller. @default "nginx" */
  readonly ingressClassName?: string;
}

/**
 * A TLS edge on ingress-nginx: `networking.k8s.io/v1` Ingresses with `spec.ingressClassName`, TLS for every host,
 * 308 redirect to HTTPS (the ACME HTTP-01 path stays reachable), security headers through the `custom-headers`
 * annotation and a generated ConfigMap (never snippet annotations), and long timeouts on WebSocket routes only
 * (ingress-nginx timeouts are per Ingress, so WebSocket routes get their own Ingress).
 *
 * HSTS, protocols and ciphers are controller-wide in ingress-nginx: see {@link NginxControllerSettings}.
 */
export class NginxIngressEdge extends TlsEdgeBase {
  public readonly ingressClassName: string;
  /** The ConfigMap holding the response headers. */
  /** Name of the ConfigMap of response headers the Ingresses' `custom-headers` annotation names. */
  public readonly headersConfigMapName: string;
  public readonly ingresses: ApiObject[] = [];
  /**
   * What the edge needs in the controller's ConfigMap (HSTS, protocols and ciphers are controller-wide in
   * ingress-nginx): stated on the headers ConfigMap, listed by the cluster requirements until the App carries it in
   * {@link NginxControllerSettings}.
   */
  public readonly controllerConfig: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: NginxIngressEdgeProps) {
    super(scope, id, props);
    this.ingressClassName = props.ingressClassName ?? 'nginx';
    checkName(this, 'ingressClassName', this.ingressClassName, NameKind.OBJECT, 'use the IngressClass name, e.g. "nginx"');

    this.controllerConfig = this.controllerNeeds();
    this.headersConfigMapName = new kplus.ConfigMap(this, 'Headers', {
      metadata: {
        name: this.objectName('security-headers'),
        annotations: { [NGINX_CONTROLLER_CONFIG_ANNOTATION]: JSON.stringify({ ingressClassName: this.ingressClassName, config: this.controllerConfig }) },
      },
      data: this.responseHeaders,
    }).name;
    const common: Record<string, string> = {
      [`${A}ssl-redirect`]: 'true',
      // Behind a TLS load balancer every request reaches nginx as plain HTTP: redirect on X-Forwarded-Proto (the
      // controller must trust it: use-forwarded-headers, see NginxControllerSettings), lua_ingress.redirect_to_https.
      ...(this.behindTlsLoadBalancer ? { [`${A}force-ssl-redirect`]: 'true' } : {}),
      [`${A}custom-headers`]: `${this.namespace ?? 'default'}/${this.headersConfigMapName}`,
      // Mozilla 6.0: the client picks among the (all strong) suites. A per-server annotation: the controller ConfigMap has
      // no such key and nginx.tmpl sets ssl_prefer_server_ciphers on globally whenever ssl-ciphers is set.
      [`${A}ssl-prefer-server-ciphers`]: 'false',
    };
    this.checkPaths();
    for (const [name, { routes, annotations }] of this.ingressGroups(common)) this.ingresses.push(this.ingress(name, routes, annotations));
    this.checkHttp01Solvers();
  }

  /**
   * The headers the edge's custom-headers ConfigMap sets. Behind a TLS load balancer it carries HSTS too: ingress-nginx
   * adds HSTS only when nginx itself terminated TLS (`ngx.var.scheme == "https"` in lua_ingress.header), never on the
   * plain HTTP the load balancer forwards, even with use-forwarded-headers.
   */
  public get responseHeaders(): Record<string, string> {
    const hsts = this.behindTlsLoadBalancer ? this.securityHeaders.hstsValue : undefined;
    return { ...(hsts ? { 'Strict-Transport-Security': hsts } : {}), ...this.securityHeaders.headers };
  }

  /**
   * The controller ConfigMap entries this edge relies on. ingress-nginx's defaults (internal/ingress/controller/config/
   * config.go) are TLS 1.2 and 1.3, HSTS without preload, and no response header allowed to `custom-headers`
   * (internal/ingress/annotations/customheaders/main.go refuses any header missing from global-allowed-response-headers).
   */
  private controllerNeeds(): Record<string, string> {
    const hsts = this.securityHeaders.hsts;
    return {
      'allow-snippet-annotations': 'false',
      'ssl-protocols': this.tlsProfile.protocols.join(' '),
      ...(this.tlsProfile.ciphers.length ? { 'ssl-ciphers': this.tlsProfile.ciphers.join(':') } : {}),
      // Trust X-Forwarded-Proto from the load balancer that terminates TLS (lua_ingress.rewrite); without it every
      // request looks like plain HTTP and force-ssl-redirect loops. It is trusted from any peer, so the controller must
      // be reachable only through that load balancer.
      ...(this.behindTlsLoadBalancer ? { 'use-forwarded-headers': 'true' } : {}),
      'hsts': hsts ? 'true' : 'false',
      ...(hsts ? { 'hsts-max-age': `${hsts.maxAgeSeconds}`, 'hsts-include-subdomains': `${hsts.includeSubDomains}`, 'hsts-preload': `${hsts.preload}` } : {}),
      'ssl-redirect': 'true',
      'http-redirect-code': '308',
      'no-tls-redirect-locations': '/.well-known/acme-challenge',
      'global-allowed-response-headers': Object.keys(this.responseHeaders).join(','),
    };
  }

  protected defaultControllerNamespace(): string {
    return 'ingress-nginx';
  }

  protected answersHttp01(solver: AcmeSolver): boolean {
    return solver.ingressClassName === this.ingressClassName;
  }

  protected http01Hint(): string {
    return `AcmeSolver.http01Ingress({ ingressClassName: '${this.ingressClassName}' })`;
  }

  /**
   * ingress-nginx validates Prefix paths strictly by default (strict-validate-path-type; internal/ingress/inspector/
   * rules.go validPathType): letters, digits, "_", "-", "/" and, from 1.12.6 and 1.13.2 on, "." (a requirement the
   * summary states). Anything else makes the admission webhook refuse the whole Ingress.
   */
  private checkPaths(): void {
    for (const r of this.routes) {
      check(/^\/[A-Za-z0-9._\-/]*$/.test(r.path), this, `${r.field}.path`, r.path,
        'ingress-nginx refuses this path for pathType Prefix (strict path validation, on by default): use letters, digits, "_", "-", "." and "/" only');
    }
  }

  /**
   * ingress-nginx annotations apply to a whole Ingress: routes that need different ones get their own Ingress, one per
   * set of annotations. Each is named after what sets it apart (websocket, body-<size>, the TLS backend, mtls); two sets
   * that would get one name (a backend Service named "mtls") get distinct names, never one merged Ingress.
   */
  private ingressGroups(common: Record<string, string>): Map<string, { routes: ResolvedRoute[]; annotations: Record<string, string> }> {
    const bySet = new Map<string, { suffix: string[]; routes: ResolvedRoute[]; annotations: Record<string, string> }>();
    for (const r of this.routes) {
      const [suffix, annotations] = r.passthrough ? this.passthroughAnnotations() : this.routeAnnotations(r, common);
      const key = JSON.stringify(Object.entries(annotations).sort());
      const group = bySet.get(key) ?? bySet.set(key, { suffix, routes: [], annotations }).get(key)!;
      group.routes.push(r);
    }
    const groups = new Map<string, { routes: ResolvedRoute[]; annotations: Record<string, string> }>();
    for (const [key, { suffix, routes, annotations }] of bySet) {
      let name = this.objectName(...suffix);
      if (groups.has(name)) name = this.objectName(...suffix, createHash('sha256').update(key).digest('hex').slice(0, 8));
      groups.set(name, { routes, annotations });
    }
    return groups;
  }

  /** Annotations of a terminated route, and the name suffix of the Ingress that carries them. */
  private routeAnnotations(r: ResolvedRoute, common: Record<string, string>): [string[], Record<string, string>] {
    const suffix: string[] = [];
    const a: Record<string, string> = { ...common };
    if (r.websocket) {
      suffix.push('websocket');
      a[`${A}proxy-read-timeout`] = a[`${A}proxy-send-timeout`] = `${this.websocketTimeout.toSeconds()}`;
    }
    if (r.maxRequestBodyBytes !== undefined) {
      // client_max_body_size per location (controller default 1m); in KiB so every size the edge accepts is exact.
      const size = `${r.maxRequestBodyBytes / 1024}k`;
      suffix.push(`body-${size}`);
      a[`${A}proxy-body-size`] = size;
    }
    if (r.upstreamTls) {
      suffix.push(r.backend.serviceName);
      Object.assign(a, {
        [`${A}backend-protocol`]: 'HTTPS',
        [`${A}proxy-ssl-secret`]: `${this.namespace}/${this.edgeClientCertificate(r.upstreamTls.ca).secretName}`,
        [`${A}proxy-ssl-verify`]: 'on',
        [`${A}proxy-ssl-verify-depth`]: '2',
        [`${A}proxy-ssl-name`]: r.upstreamTls.verifyName,
        [`${A}proxy-ssl-server-name`]: 'on',
      });
    }
    if (r.clientAuth) {
      suffix.push('mtls', ...(r.clientAuth.optional ? ['optional'] : []));
      Object.assign(a, {
        [`${A}auth-tls-secret`]: `${this.namespace}/${this.edgeClientCertificate(r.clientAuth.ca).secretName}`,
        [`${A}auth-tls-verify-client`]: r.clientAuth.optional ? 'optional' : 'on',
        [`${A}auth-tls-verify-depth`]: `${r.clientAuth.verifyDepth}`,
        ...(r.clientAuth.passCertificateToUpstream ? { [`${A}auth-tls-pass-certificate-to-upstream`]: 'true' } : {}),
      });
    }
    return [suffix, a];
  }

  private passthroughAnnotations(): [string[], Record<string, string>] {
    return [['passthrough'], {
      [`${A}ssl-passthrough`]: 'true',
      [NOTE]: `The ingress-nginx controller must run with --enable-ssl-passthrough. ${PASSTHROUGH_NOTE}`,
    }];
  }

  private ingress(name: string, routes: ResolvedRoute[], annotations: Record<string, string>): ApiObject {
    const byHost = groupBy(routes, (r) => r.host);
    const passthrough = routes[0].passthrough;
    return new kplus.k8s.KubeIngress(this, `Ingress-${name}`, {
      metadata: { name, annotations },
      spec: {
        ingressClassName: this.ingressClassName,
        tls: passthrough ? undefined : this.tlsGroups(routes).map(([cert, h]) => ({ hosts: h, secretName: cert.secretName })),
        rules: [...byHost.keys()].sort().map((host) => ({
          host,
          http: {
            paths: byHost.get(host)!.map((r) => ({
              path: r.path,
              pathType: 'Prefix',
              backend: { service: { name: r.backend.serviceName, port: { number: r.backend.servicePort } } },
            })),
          },
        })),
      },
    });
  }
}

/** Props of {@link NginxControllerSettings}. */
export interface NginxControllerSettingsProps {
  /** The edges whose controller-wide needs are merged (they must agree on HSTS and TLS profile). */
  readonly edges: NginxIngressEdge[];
  /** Name of the controller ConfigMap. @default "ingress-nginx-controller" */
  readonly name?: string;
  /** Namespace of the controller. @default "ingress-nginx" */
  readonly namespace?: string;
}

/**
 * The ingress-nginx controller ConfigMap settings the edges depend on: HSTS, protocols and ciphers (controller-wide
 * in ingress-nginx), 308 redirects, the ACME path exempt from redirects, the response headers `custom-headers` may
 * set, and snippet annotations off. Merge it into the controller's ConfigMap (or its Helm `controller.config`).
 */
export class NginxControllerSettings extends Construct {
  /** The settings, key → value. */
  public readonly data: Record<string, string>;

  constructor(scope: Construct, id: string, props: NginxControllerSettingsProps) {
    super(scope, id);
    enforcePolicy(this);
    present(this, 'edges', props.edges);
    check(props.edges.length > 0, this, 'edges', [], 'give the ingress-nginx edges these settings serve');
    const { config, conflicts } = mergeControllerConfig(props.edges.map((e) => e.controllerConfig));
    for (const c of conflicts) {
      const [a, b] = c.needs.map((i) => props.edges[i].node.path);
      check(false, this, 'edges', b,
        `${c.key} is controller-wide in ingress-nginx: ${b} needs "${c.values[1]}" and ${a} "${c.values[0]}"; give these edges one TLS profile and one HSTS policy, or controllers of their own`);
    }
    this.data = config;
    // Merged into the controller's own ConfigMap, never applied over it: kustomize leaves local-config objects out of its
    // output (kyaml filters.IsLocalConfig), so `kubectl apply -k` of the folder does not replace the controller's settings.
    new kplus.ConfigMap(this, 'Resource', {
      metadata: { name: props.name ?? 'ingress-nginx-controller', namespace: props.namespace ?? 'ingress-nginx', annotations: { 'config.kubernetes.io/local-config': 'true' } },
      data: this.data,
    });
  }
}
