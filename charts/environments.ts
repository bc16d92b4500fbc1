import { App, Chart, YamlOutputType } from 'cdk8s';
import { AcmeServer, AcmeSolver, ICertificateIssuer, InternalCa, LetsEncryptIssuer, NginxControllerSettings, SelfSignedIssuer } from '../lib';
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
}

export const ENVIRONMENTS: EnvironmentSpec[] = [
  { name: 'dev', domain: 'dev.example.com' },
  { name: 'staging', domain: 'staging.example.com', acme: AcmeServer.STAGING },
  { name: 'prod', domain: 'example.com', acme: AcmeServer.PRODUCTION },
];

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
        AcmeSolver.http01Ingress({ ingressClassName: 'nginx' }),
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

  new TinyChatChart(app, 'tinychat', { host: chatHost, issuer });
  const analytics = new AnalyticsChart(app, 'analytics', { domain: `analytics.${env.domain}`, issuer });
  const aicos = new AicosChart(app, 'aicos', { host: `aicos.${env.domain}`, issuer, internalCa });
  const naaccord = new NaaccordChart(app, 'naaccord', { host: `naaccord.${env.domain}`, issuer, internalCa });
  const backendApi = new BackendApiChart(app, 'backend-api', { host: `backend.${env.domain}`, issuer, internalCa });

  // Controller-wide settings the ingress-nginx edges depend on (HSTS, protocols, ciphers, allowed headers).
  const controller = new Chart(app, 'ingress-nginx-controller-settings', { disableResourceNameHashes: true });
  new NginxControllerSettings(controller, 'Settings', { edges: [analytics, aicos, naaccord, backendApi].map((c) => c.edge!) });
  return app;
}
