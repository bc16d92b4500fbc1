import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as gw from '../../imports/gateways-gateway.networking.k8s.io';
import { chartOf, enforcePolicy } from '../policy/gate';
import { TlsProfile } from '../policy/tls-profiles';
import { checkName, NameKind } from '../policy/validation';
import { GatewayImplementation, TLS_PROFILE_ANNOTATION, clientTrafficPolicy, profileNote } from './envoy';

/** A Gateway shared by many stacks: they attach their HTTPS listeners with ListenerSets and their routes to its listeners. */
export interface ISharedGateway extends IConstruct {
  readonly gatewayName: string;
  readonly gatewayNamespace: string;
  readonly gatewayClassName: string;
  readonly implementation: GatewayImplementation;
  /** Its plain-HTTP listener (port 80): HTTP→HTTPS redirects and ACME HTTP-01 challenges. */
  readonly httpListener: string;
  /** The namespace label that lets a namespace attach ListenerSets and routes to it. */
  readonly attachLabel: [string, string];
  /** TLS is terminated by a load balancer in front of it, which forwards plain HTTP to the HTTP listener. */
  readonly behindTlsLoadBalancer: boolean;
  /** Profile of its listeners: the stacks' ListenerSets keep it unless they set their own. */
  readonly tlsProfile: TlsProfile;
}

/** Props of {@link PlatformGateway}. */
export interface PlatformGatewayProps {
  /** Name of the Gateway. An RFC 1123 label. @default "platform" */
  readonly name?: string;
  /** GatewayClass. @default "eg" (Envoy Gateway) */
  readonly gatewayClassName?: string;
  /** Who runs it, which decides the policies emitted with it. @default GatewayImplementation.ENVOY_GATEWAY */
  readonly implementation?: GatewayImplementation;
  /** Profile of every listener a stack does not give its own (the stacks' ListenerSets carry theirs). @default TlsProfile.INTERMEDIATE */
  readonly tlsProfile?: TlsProfile;
  /**
   * A load balancer in front terminates TLS and forwards plain HTTP with X-Forwarded-Proto: the Gateway then trusts
   * that header from one hop (Envoy Gateway), so stacks can serve on the HTTP listener what arrived over TLS. The
   * Gateway must then be reachable only through that load balancer. @default false
   */
  readonly behindTlsLoadBalancer?: boolean;
}

/**
 * One environment-level Gateway owned by the platform, in its own namespace, that stacks attach to: it has only the
 * plain-HTTP listener (redirects, ACME HTTP-01) and admits ListenerSets and routes from namespaces labelled
 * `gateway.tls-stack/<name>: attach` (every stack using it labels its namespace). One Envoy fleet and one load
 * balancer for the environment instead of one per stack. With Envoy Gateway a ClientTrafficPolicy sets the default
 * TLS profile (stacks override it on their ListenerSets) and, behind a TLS load balancer, trusts X-Forwarded-Proto.
 */
export class PlatformGateway extends Construct implements ISharedGateway {
  public readonly gatewayName: string;
  public readonly gatewayNamespace: string;
  public readonly gatewayClassName: string;
  public readonly implementation: GatewayImplementation;
  public readonly httpListener = 'http';
  public readonly attachLabel: [string, string];
  public readonly behindTlsLoadBalancer: boolean;
  public readonly tlsProfile: TlsProfile;
  /** The Gateway. */
  public readonly gateway: ApiObject;

  constructor(scope: Construct, id: string, props: PlatformGatewayProps = {}) {
    super(scope, id);
    enforcePolicy(this);
    this.gatewayName = props.name ?? 'platform';
    this.gatewayNamespace = chartOf(this).namespace ?? 'default';
    this.gatewayClassName = props.gatewayClassName ?? 'eg';
    this.implementation = props.implementation ?? GatewayImplementation.ENVOY_GATEWAY;
    this.behindTlsLoadBalancer = props.behindTlsLoadBalancer ?? false;
    this.tlsProfile = props.tlsProfile ?? TlsProfile.INTERMEDIATE;
    checkName(this, 'name', this.gatewayName, NameKind.LABEL, 'use an RFC 1123 label such as "platform" (it also names the attach label)');
    checkName(this, 'gatewayClassName', this.gatewayClassName, NameKind.OBJECT, 'use the GatewayClass name, e.g. "eg"');
    this.tlsProfile.validate(this, 'tlsProfile');
    this.attachLabel = [`gateway.tls-stack/${this.gatewayName}`, 'attach'];
    const selector = { matchLabels: { [this.attachLabel[0]]: this.attachLabel[1] } };
    const envoy = this.implementation === GatewayImplementation.ENVOY_GATEWAY;
    this.gateway = new gw.Gateway(this, 'Gateway', {
      metadata: { name: this.gatewayName, annotations: envoy ? undefined : { [TLS_PROFILE_ANNOTATION]: profileNote(this.tlsProfile) } },
      spec: {
        gatewayClassName: this.gatewayClassName,
        allowedListeners: { namespaces: { from: gw.GatewaySpecAllowedListenersNamespacesFrom.SELECTOR, selector } },
        listeners: [{ name: this.httpListener, port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR, selector } } }],
      },
    });
    if (envoy) {
      clientTrafficPolicy(this, 'ClientTrafficPolicy', this.gatewayName, {
        target: { kind: 'Gateway', name: this.gatewayName }, profile: this.tlsProfile, trustForwardedProto: this.behindTlsLoadBalancer,
      });
    }
  }
}
