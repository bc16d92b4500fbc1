import { Construct } from 'constructs';
import { EdgeOptions, ICertificateIssuer, InternalCa, KeyAlgorithm, TlsEnv, TlsStackChart } from '../lib';

/** How the edge, which replaces the seed's L4 redirector, reaches the backend. */
export enum RedirectorMode {
  /** The edge terminates public TLS and re-encrypts to the backend, verifying it (the seed turned verification off). */
  REENCRYPT = 'reencrypt',
  /** The edge passes TLS through; the backend presents the public certificate itself. */
  PASSTHROUGH = 'passthrough',
}

/** Props of {@link BackendApiChart}. */
export interface BackendApiChartProps {
  /** Which edge (and its knobs). @default Gateway API */
  readonly edge?: EdgeOptions;
  /** Public host of the API. */
  readonly host: string;
  /** Issuer of the public certificate. */
  readonly issuer: ICertificateIssuer;
  /** The internal CA that signs the backend's own certificate. */
  readonly internalCa: InternalCa;
  /** IP addresses clients use to reach the backend directly (IP SANs). @default ["10.0.0.50"] */
  readonly ipAddresses?: string[];
  /** @default RedirectorMode.REENCRYPT */
  readonly mode?: RedirectorMode;
  /** @default "backend-api" */
  readonly namespace?: string;
}

/**
 * Seed 000: the backend API serves HTTPS on 6922 with an RSA 4096 certificate carrying IP and DNS SANs and a
 * PKCS#12 keystore (the seed's PFX; its password comes from a Secret, never from the YAML), sends HSTS itself. The
 * edge takes the place of the seed's L4 redirector: it re-encrypts to the backend with verification, or passes TLS through.
 */
export class BackendApiChart extends TlsStackChart {
  constructor(scope: Construct, id: string, props: BackendApiChartProps) {
    const passthrough = props.mode === RedirectorMode.PASSTHROUGH;
    const password = { name: 'backend-api-keystore', key: 'password' };
    const key = { algorithm: KeyAlgorithm.RSA, size: 4096 };
    const keystores = { pkcs12: { passwordSecret: password } };
    const env = TlsEnv.custom({ enabled: 'SSL_ENABLED', cert: 'SSL_CERT_PATH', key: 'SSL_KEY_PATH', pkcs12: 'SSL_PFX_PATH' });
    super(scope, id, {
      namespace: props.namespace ?? 'backend-api',
      issuer: props.issuer,
      internalCa: props.internalCa,
      sites: [{ name: 'backend-api-public', hosts: [props.host], keyAlgorithm: key.algorithm, keySize: key.size, keystores: passthrough ? keystores : undefined }],
      apps: [{
        name: 'backend-api', image: 'ghcr.io/example/backend-api:1.0.0', port: 6922, servicePort: 6922, healthPath: '/health',
        tls: passthrough
          ? { site: 'backend-api-public', env }
          : { internal: true, extraDnsNames: [props.host], ipAddresses: props.ipAddresses ?? ['10.0.0.50'], privateKey: key, keystores, env },
        env: { SSL_PORT: '6922', SSL_MIN_VERSION: 'TLS1_2', ENABLE_HSTS: 'true', HSTS_MAX_AGE: '31536000' },
        secretEnv: { SSL_PFX_PASSWORD: password },
      }],
      routes: [{ host: props.host, app: 'backend-api', passthrough }],
      edge: props.edge,
    });
  }
}
