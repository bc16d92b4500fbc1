import { Construct } from 'constructs';
import { AppSpec, EdgeOptions, ICertificateIssuer, InternalCa, TlsStackChart } from '../lib';

/** The six microservices of seed 002, with the variable the backend reads each URL from. */
export const AICOS_SERVICES: Array<[name: string, port: number, urlEnv: string]> = [
  ['aicos-ai-intelligence', 8001, 'AI_INTELLIGENCE_URL'],
  ['aicos-pattern-recognition', 8002, 'PATTERN_RECOGNITION_URL'],
  ['aicos-nl-parser', 8003, 'NL_PARSER_URL'],
  ['aicos-voice-processor', 8004, 'VOICE_PROCESSOR_URL'],
  ['aicos-context-service', 8005, 'CONTEXT_SERVICE_URL'],
  ['aicos-integrations', 8006, 'INTEGRATIONS_URL'],
];

/** Props of {@link AicosChart}. */
export interface AicosChartProps {
  /** Which edge (and its knobs). @default Gateway API */
  readonly edge?: EdgeOptions;
  /** Public host of the backend, e.g. `aicos.example.com`. */
  readonly host: string;
  /** Issuer of the public certificate. */
  readonly issuer: ICertificateIssuer;
  /** The internal CA that signs every service certificate. */
  readonly internalCa: InternalCa;
  /** @default "aicos" */
  readonly namespace?: string;
}

/**
 * Seed 002, AI Chief of Staff: a backend and six microservices, every hop over HTTPS verified against an internal CA.
 * Each service has its own certificate naming its in-cluster DNS names, mounted read-only at `/app/certs`
 * (`TLS_ENABLED=true`, `TLS_CERT_PATH=/app/certs`), HTTPS health checks on `/health`. The backend calls every service
 * at `https://<service>.<ns>.svc:<port>` and trusts the CA through the trust bundle — no
 * `NODE_TLS_REJECT_UNAUTHORIZED=0`, no `--insecure`. The edge re-encrypts to the backend and verifies it.
 */
export class AicosChart extends TlsStackChart {
  constructor(scope: Construct, id: string, props: AicosChartProps) {
    const tls = { internal: true, mountPath: '/app/certs' };
    const service = ([name, port]: [string, number, string]): AppSpec => ({
      name, image: `ghcr.io/example/${name}:1.0.0`, port, servicePort: port, tls, healthPath: '/health', networkPolicy: true,
    });
    super(scope, id, {
      namespace: props.namespace ?? 'aicos',
      issuer: props.issuer,
      internalCa: props.internalCa,
      sites: [{ name: 'aicos', hosts: [props.host] }],
      apps: [
        {
          name: 'aicos-backend', image: 'ghcr.io/example/aicos-backend:1.0.0', port: 3001, servicePort: 3001, tls, healthPath: '/health', networkPolicy: true,
          calls: AICOS_SERVICES.map(([app, , urlEnv]) => ({ app, urlEnv })),
        },
        ...AICOS_SERVICES.map(service),
      ],
      routes: [{ host: props.host, app: 'aicos-backend' }],
      edge: props.edge,
    });
  }
}
