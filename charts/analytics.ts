import { Construct } from 'constructs';
import { AppProtocol, EdgeOptions, ICertificateIssuer, TlsProfile, TlsStackChart } from '../lib';

/** Props of {@link AnalyticsChart}. */
export interface AnalyticsChartProps {
  /** Which edge (and its knobs). @default Gateway API */
  readonly edge?: EdgeOptions;
  /** Apex of the platform, e.g. `analytics.example.com` (the API is `api.<domain>`). */
  readonly domain: string;
  readonly issuer: ICertificateIssuer;
  /** @default "analytics" */
  readonly namespace?: string;
}

/**
 * Seed 001, the analytics platform: a frontend on `<domain>` and `www.<domain>`, an API gateway on `api.<domain>`
 * with a `/ws` WebSocket route (long timeouts there only), TLS at ingress-nginx with the Mozilla 6.0 intermediate
 * profile, 308 redirects, HSTS and the OWASP headers. The apps serve plain HTTP behind the edge, as in the seed.
 */
export class AnalyticsChart extends TlsStackChart {
  constructor(scope: Construct, id: string, props: AnalyticsChartProps) {
    const { domain } = props;
    const api = `api.${domain}`;
    super(scope, id, {
      namespace: props.namespace ?? 'analytics',
      issuer: props.issuer,
      sites: [
        { name: 'frontend', hosts: [domain, `www.${domain}`] },
        { name: 'api', hosts: [api] },
      ],
      apps: [
        { name: 'frontend', image: 'ghcr.io/example/analytics-frontend:1.0.0', port: 3000, healthPath: '/' ,
          env: { NEXT_PUBLIC_API_URL: `https://${api}`, NEXT_PUBLIC_WS_URL: `wss://${api}` } },
        { name: 'api-gateway', image: 'ghcr.io/example/analytics-api-gateway:1.0.0', port: 8000, protocol: AppProtocol.WEBSOCKET, healthPath: '/health' },
      ],
      routes: [
        { host: domain, app: 'frontend' },
        { host: `www.${domain}`, app: 'frontend' },
        { host: api, app: 'api-gateway' },
        { host: api, path: '/ws', app: 'api-gateway', websocket: true },
      ],
      edge: { tlsProfile: TlsProfile.INTERMEDIATE, ...props.edge },
    });
  }
}
