import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import {
  AcmeServer, AcmeSolver, CertificateExpiryAlerts, EdgeKind, NamespacedChart, ICertificateIssuer, InternalCa, LetsEncryptIssuer, NginxControllerSettings, NginxIngressEdge,
  PlatformGateway, SelfSignedIssuer, TlsCertificate, WrittenApp, writeApps,
} from '../lib';
import { AicosChart } from './aicos';
import { AnalyticsChart } from './analytics';
import { BackendApiChart } from './backend-api';
import { NaaccordChart } from './naaccord';
import { TinyChatChart } from './tinychat';

/** One deployment environment of the example stack. */
export interface EnvironmentSpec {
  /** Folder name under dist/. */
  readonly name: string;
  /** DNS zone the environment's hosts live in. */
  readonly domain: string;
  /** Let's Encrypt directory; undefined means a self-signed issuer (development). */
  readonly acme?: AcmeServer;
  /** The edge every stack of the environment uses. */
  readonly edge: EdgeKind;
  /** Prometheus Operator runs in the cluster: emit certificate expiry alerts. @default false */
  readonly prometheusOperator?: boolean;
  /** Gateway API: every stack attaches to one platform Gateway (namespace "edge") instead of a Gateway each. @default false */
  readonly sharedGateway?: boolean;
}

export const ENVIRONMENTS: EnvironmentSpec[] = [
  { name: 'dev', domain: 'dev.example.com', edge: EdgeKind.TRAEFIK },
  { name: 'staging', domain: 'staging.example.com', acme: AcmeServer.STAGING, edge: EdgeKind.INGRESS_NGINX },
  { name: 'prod', domain: 'example.com', acme: AcmeServer.PRODUCTION, edge: EdgeKind.GATEWAY_API, prometheusOperator: true, sharedGateway: true },
];

/** The HTTP-01 solver that matches the environment's edge. */
function http01Solver(edge: EdgeKind): AcmeSolver {
  switch (edge) {
    case EdgeKind.GATEWAY_API:
      // Answers on the Gateways the stacks' edges actually use (the platform Gateway, or each stack's own).
      return AcmeSolver.http01GatewayHttpRoute();
    case EdgeKind.TRAEFIK:
      return AcmeSolver.http01Ingress({ ingressClassName: 'traefik' });
    default:
      return AcmeSolver.http01Ingress({ ingressClassName: 'nginx' });
  }
}

/** Builds (does not write) the App of one environment. Throws TlsStackError on bad input. */
export function buildEnvironment(env: EnvironmentSpec, outdir = `dist/${env.name}`): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
  const chatHost = `chat.${env.domain}`;

  const cluster = new Chart(app, 'cluster-issuers', { disableResourceNameHashes: true });
  const issuer: ICertificateIssuer = env.acme
    ? new LetsEncryptIssuer(cluster, 'LetsEncrypt', {
      server: env.acme,
      email: 'platform@example.com',
      solvers: [
        http01Solver(env.edge),
        // Hosts that are not behind the ingress (their own LoadBalancer) and wildcards prove control through DNS.
        AcmeSolver.cloudflare({
          apiTokenSecret: { name: 'cloudflare-api-token', key: 'api-token' },
          selector: { dnsNames: [chatHost, `*.${env.domain}`] },
        }),
      ],
    })
    : new SelfSignedIssuer(cluster, 'SelfSigned');
  // The internal PKI is the same in every environment: it never depends on a public CA.
  const internalCa = new InternalCa(cluster, 'InternalCa', { name: 'internal-ca' });

  const sharedGateway = env.sharedGateway && env.edge === EdgeKind.GATEWAY_API
    ? new PlatformGateway(new NamespacedChart(app, 'platform-gateway', { namespace: 'edge' }), 'Gateway', { name: 'platform' })
    : undefined;
  const edge = { kind: env.edge, sharedGateway };
  new TinyChatChart(app, 'tinychat', { host: chatHost, issuer });
  const stacks = [
    new AnalyticsChart(app, 'analytics', { domain: `analytics.${env.domain}`, issuer, edge }),
    new AicosChart(app, 'aicos', { host: `aicos.${env.domain}`, issuer, internalCa, edge }),
    new NaaccordChart(app, 'naaccord', { host: `naaccord.${env.domain}`, issuer, internalCa, edge }),
    new BackendApiChart(app, 'backend-api', { host: `backend.${env.domain}`, issuer, internalCa, edge }),
  ];

  if (env.edge === EdgeKind.INGRESS_NGINX) {
    // Controller-wide settings the ingress-nginx edges depend on (HSTS, protocols, ciphers, allowed headers).
    const controller = new Chart(app, 'ingress-nginx-controller-settings', { disableResourceNameHashes: true });
    new NginxControllerSettings(controller, 'Settings', { edges: stacks.map((c) => c.edge as NginxIngressEdge) });
  }
  if (env.prometheusOperator) {
    const monitoring = new NamespacedChart(app, 'monitoring', { namespace: 'monitoring', createNamespace: false });
    const certificates = app.node.findAll().filter((c): c is TlsCertificate => c instanceof TlsCertificate);
    new CertificateExpiryAlerts(monitoring, 'CertificateAlerts', { certificates, labels: { release: 'kube-prometheus-stack' } });
  }
  return app;
}

/**
 * Builds and checks every environment, then writes `<outRoot>/<env>/` (YAML per chart, kustomization.yaml, SUMMARY.md).
 * Everything is built and checked before the first file is written: one error anywhere and nothing is written.
 */
export function synthEnvironments(envs: EnvironmentSpec[], outRoot = 'dist'): WrittenApp[] {
  return writeApps(envs.map((env) => ({ app: buildEnvironment(env, path.join(outRoot, env.name)), title: `${env.name}: TLS review summary (${env.edge} edge)` })));
}
