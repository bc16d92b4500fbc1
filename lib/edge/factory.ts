import { Construct } from 'constructs';
import { check, fail } from '../policy/validation';
import { ITlsEdge, TlsEdgeProps } from './edge';
import { GatewayImplementation } from './envoy';
import { GatewayApiEdge, GatewayCertificateMode, RedirectStatus } from './gateway';
import { ISharedGateway } from './platform';
import { NginxIngressEdge } from './nginx';
import { TraefikEdge } from './traefik';

/** The edge implementations. */
export enum EdgeKind {
  /** ingress-nginx (retired March 2026; kept for clusters still running it). */
  INGRESS_NGINX = 'ingress-nginx',
  /** Gateway API v1, its successor. */
  GATEWAY_API = 'gateway-api',
  /** Traefik v3 CRDs. */
  TRAEFIK = 'traefik',
}

/** Which edge to build and its implementation-specific knobs; everything else is {@link TlsEdgeProps}. */
export interface EdgeOptions extends Partial<Omit<TlsEdgeProps, 'name' | 'routes' | 'certificates'>> {
  /** @default EdgeKind.GATEWAY_API (ingress-nginx is retired) */
  readonly kind?: EdgeKind;
  /** IngressClass (ingress-nginx, Traefik). @default "nginx" for ingress-nginx, none for Traefik */
  readonly ingressClassName?: string;
  /** GatewayClass (Gateway API). @default "eg" */
  readonly gatewayClassName?: string;
  /** Gateway API implementation: Envoy Gateway gets its policies, another gets requirements (Gateway API). @default GatewayImplementation.ENVOY_GATEWAY */
  readonly gatewayImplementation?: GatewayImplementation;
  /** Namespace of the edge's own Gateway (Gateway API). @default the routes' namespace */
  readonly gatewayNamespace?: string;
  /** Explicit Certificates or cert-manager's gateway-shim (Gateway API). @default GatewayCertificateMode.EXPLICIT */
  readonly certificateMode?: GatewayCertificateMode;
  /** Attach to this shared Gateway (a PlatformGateway) with a ListenerSet instead of creating one (Gateway API). @default a Gateway of its own */
  readonly sharedGateway?: ISharedGateway;
  /** HTTP→HTTPS redirect code (Gateway API; ingress-nginx uses 308 and Traefik's permanent redirect). @default 308 */
  readonly redirectStatus?: RedirectStatus;
}


/** The options only some kinds read: given to another kind, they would be ignored. */
const KIND_OPTIONS: Record<EdgeKind, ReadonlyArray<keyof EdgeOptions>> = {
  [EdgeKind.GATEWAY_API]: ['gatewayClassName', 'gatewayImplementation', 'gatewayNamespace', 'certificateMode', 'sharedGateway', 'redirectStatus'],
  [EdgeKind.TRAEFIK]: ['ingressClassName'],
  [EdgeKind.INGRESS_NGINX]: ['ingressClassName'],
};

/** Builds the edge of `options.kind`. Charts call this and never need to know which one they got. */
export function createTlsEdge(scope: Construct, id: string, props: TlsEdgeProps, options: EdgeOptions = {}): ITlsEdge {
  const kind = options.kind ?? EdgeKind.GATEWAY_API;
  check(Object.values(EdgeKind).includes(kind), scope, 'edge.kind', kind, 'use EdgeKind.GATEWAY_API, TRAEFIK or INGRESS_NGINX');
  for (const [other, keys] of Object.entries(KIND_OPTIONS)) {
    for (const key of keys.filter((k) => options[k] !== undefined && !KIND_OPTIONS[kind].includes(k))) {
      fail(scope, `edge.${key}`, String(options[key]), `${key} is an option of the ${other} edge, which this ${kind} edge would ignore: drop it, or set kind: EdgeKind.${Object.entries(EdgeKind).find(([, v]) => v === other)![0]}`);
    }
  }
  const common = { ...props, ...options };
  switch (kind) {
    case EdgeKind.INGRESS_NGINX:
      return new NginxIngressEdge(scope, id, common);
    case EdgeKind.TRAEFIK:
      return new TraefikEdge(scope, id, common);
    default:
      return new GatewayApiEdge(scope, id, { ...common, implementation: options.gatewayImplementation });
  }
}
