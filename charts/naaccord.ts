import { Construct } from 'constructs';
import { EdgeOptions, ICertificateIssuer, InternalCa, TlsStackChart } from '../lib';

/** Props of {@link NaaccordChart}. */
export interface NaaccordChartProps {
  /** Which edge (and its knobs). @default Gateway API */
  readonly edge?: EdgeOptions;
  /** Public host of the web server. */
  readonly host: string;
  /** Issuer of the public certificate. */
  readonly issuer: ICertificateIssuer;
  /** The internal CA of the web → services link. */
  readonly internalCa: InternalCa;
  /** @default "naaccord" */
  readonly namespace?: string;
}

/**
 * Seed 003: the public web server (8000, behind the TLS edge) calls the internal services server (8001) over
 * mutual TLS. The services server presents a certificate for its in-cluster names and requires a client
 * certificate from the internal CA (`CERT_REQUIRED`); the web server presents the client certificate `web-server`.
 */
export class NaaccordChart extends TlsStackChart {
  constructor(scope: Construct, id: string, props: NaaccordChartProps) {
    super(scope, id, {
      namespace: props.namespace ?? 'naaccord',
      issuer: props.issuer,
      internalCa: props.internalCa,
      sites: [{ name: 'naaccord', hosts: [props.host] }],
      apps: [
        {
          name: 'web-server', image: 'ghcr.io/example/naaccord-web:1.0.0', port: 8000, healthPath: '/health/',
          calls: [{ app: 'services-server', mutualTls: true, urlEnv: 'SERVICES_URL' }],
        },
        {
          name: 'services-server', image: 'ghcr.io/example/naaccord-services:1.0.0', port: 8001, servicePort: 8001, healthPath: '/health/',
          tls: { internal: true }, networkPolicy: true,
        },
      ],
      routes: [{ host: props.host, app: 'web-server' }],
      edge: props.edge,
    });
  }
}
