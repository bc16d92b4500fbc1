import { Construct } from 'constructs';
import { AppProtocol, ICertificateIssuer, ProbeKind, ServiceType, TlsEnv, TlsStackChart } from '../lib';

/** Props of {@link TinyChatChart}. */
export interface TinyChatChartProps {
  /** Public host name of the chat server (its LoadBalancer's DNS record). */
  readonly host: string;
  /** Issuer of the server certificate. With ACME it must solve DNS-01 for `host`: nothing routes HTTP-01 to it. */
  readonly issuer: ICertificateIssuer;
  /** @default "tinychat" */
  readonly namespace?: string;
  /** @default "ghcr.io/example/tinychat:1.0.0" */
  readonly image?: string;
  /** Secret holding the moderator password (key `password`). @default "tinychat-moderator" */
  readonly moderatorSecretName?: string;
}

/**
 * Seed 004, TinyChat: a Python WebSocket server that terminates TLS itself on 8765 (`wss://`), exposed on 443 by a
 * LoadBalancer Service. `SSL_CERT_PATH` is `tls.crt`, which cert-manager writes as the full chain (the seed's
 * fullchain.pem, never cert.pem). `USE_SSL=true` always: the pod has no plaintext port to fall back to.
 */
export class TinyChatChart extends TlsStackChart {
  constructor(scope: Construct, id: string, props: TinyChatChartProps) {
    super(scope, id, {
      namespace: props.namespace ?? 'tinychat',
      issuer: props.issuer,
      sites: [{ name: 'tinychat', hosts: [props.host] }],
      apps: [{
        name: 'tinychat',
        image: props.image ?? 'ghcr.io/example/tinychat:1.0.0',
        port: 8765,
        protocol: AppProtocol.WEBSOCKET,
        tls: { site: 'tinychat', mountPath: '/etc/tinychat/tls', env: TlsEnv.files() },
        serviceType: ServiceType.LOAD_BALANCER,
        servicePort: 443,
        // Chat state lives in one process: every client must reach the same server.
        replicas: 1,
        // The server answers nothing but WebSocket upgrades, so a TCP check (over the TLS port) is the honest probe.
        probe: ProbeKind.TCP,
        env: { HOST: '0.0.0.0', PORT: '8765' },
        secretEnv: { MOD_PASSWORD: { name: props.moderatorSecretName ?? 'tinychat-moderator', key: 'password' } },
      }],
    });
  }
}
