import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as backendTraffic from '../../imports/backendtrafficpolicies-gateway.envoyproxy.io';
import * as clientTraffic from '../../imports/clienttrafficpolicies-gateway.envoyproxy.io';
import { TlsProfile, TlsVersion } from '../policy/tls-profiles';

/**
 * Envoy Gateway's policies (gateway.envoyproxy.io/v1alpha1, v1.9), the mechanisms that make a Gateway API edge enforce
 * what Gateway API cannot say portably: TLS versions and ciphers, client-certificate validation and trusting
 * X-Forwarded-Proto (ClientTrafficPolicy), and idle timeouts of WebSocket streams (BackendTrafficPolicy).
 */

/** Gateway API implementations: which one enforces the parts Gateway API has no portable field for. */
export enum GatewayImplementation {
  /** Envoy Gateway (GatewayClass "eg" by default): the edge emits ClientTrafficPolicy and BackendTrafficPolicy. */
  ENVOY_GATEWAY = 'envoy-gateway',
  /** Another implementation: the edge emits the portable objects and the cluster requirements say what to configure. */
  OTHER = 'other',
}

/** Annotation stating, for an implementation the library cannot configure, the TLS profile the operator must set. */
export const TLS_PROFILE_ANNOTATION = 'tls-stack/tls-profile';
/** Annotation stating, for an implementation the library cannot configure, the stream idle timeout WebSocket rules need. */
export const STREAM_IDLE_ANNOTATION = 'tls-stack/stream-idle-timeout';
/** Annotation stating, for an implementation the library cannot configure, the request body limit of rules (`<rule>=<bytes>,...`). */
export const BODY_LIMIT_ANNOTATION = 'tls-stack/max-request-body';

const EG_VERSION: Record<TlsVersion, clientTraffic.ClientTrafficPolicySpecTlsMinVersion> = {
  [TlsVersion.TLS_1_0]: clientTraffic.ClientTrafficPolicySpecTlsMinVersion.VALUE_1_0,
  [TlsVersion.TLS_1_1]: clientTraffic.ClientTrafficPolicySpecTlsMinVersion.VALUE_1_1,
  [TlsVersion.TLS_1_2]: clientTraffic.ClientTrafficPolicySpecTlsMinVersion.VALUE_1_2,
  [TlsVersion.TLS_1_3]: clientTraffic.ClientTrafficPolicySpecTlsMinVersion.VALUE_1_3,
};

/** `tls-stack/tls-profile`: the profile in words, for implementations where the operator applies it. */
export function profileNote(profile: TlsProfile): string {
  return `${profile.name}: protocols ${profile.protocols.join(' ')}${profile.ciphers.length ? `; TLS 1.2 ciphers ${profile.ciphers.join(':')}` : ''}`;
}

/** What a ClientTrafficPolicy enforces on its target. */
export interface ClientTrafficOptions {
  /** Namespace of the target, when it is not the chart's. */
  readonly namespace?: string;
  /** The Gateway or ListenerSet (same namespace as the policy: targetRefs are local). */
  readonly target: { readonly kind: 'Gateway' | 'ListenerSet'; readonly name: string };
  readonly profile: TlsProfile;
  /** Require client certificates signed by the CA in this ConfigMap (key `ca.crt`); `optional` lets clients without one in. */
  readonly clientCa?: { readonly configMap: string; readonly namespace?: string; readonly optional: boolean };
  /**
   * Keep the X-Forwarded-Proto a TLS-terminating load balancer sets. Without a clientIPDetection setting Envoy runs with
   * use_remote_address and xff_num_trusted_hops 0 and overwrites it with the scheme of its own downstream connection
   * (envoy conn_manager_utility.cc mutateRequestHeaders), so every request would look like plain HTTP and be redirected.
   */
  readonly trustForwardedProto?: boolean;
}

/**
 * One ClientTrafficPolicy for a Gateway or ListenerSet: a second policy on the same target would be rejected as
 * Conflicted (the oldest wins), so everything the edge needs there goes into this one. An error in it makes Envoy
 * Gateway answer 500 on every route of the listener, hence ciphers are only ever the profile's validated suites.
 */
export function clientTrafficPolicy(scope: Construct, id: string, name: string, o: ClientTrafficOptions): ApiObject {
  const tls13Only = o.profile.minVersion === TlsVersion.TLS_1_3;
  return new clientTraffic.ClientTrafficPolicy(scope, id, {
    metadata: { name, namespace: o.namespace },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: o.target.kind, name: o.target.name }],
      tls: {
        minVersion: EG_VERSION[o.profile.minVersion],
        maxVersion: clientTraffic.ClientTrafficPolicySpecTlsMaxVersion.VALUE_1_3,
        // TLS 1.3 suites are not configurable in Envoy Gateway and all AEAD; the CRD refuses ciphers with minVersion 1.3.
        ...(tls13Only ? {} : { ciphers: o.profile.ciphers }),
        // No alpnProtocols: Envoy Gateway then offers h2 and http/1.1, and falls back to http/1.1 alone where two HTTPS
        // listeners on a port serve certificates with overlapping names, so that a browser does not reuse a connection of
        // one listener for a host of the other (its route table has no such host: 404). An explicit list turns that guard
        // off (internal/gatewayapi/listener.go checkOverlappingCertificates; xds/translator/listener.go: "if ALPN is
        // explicitly set by the user using ClientTrafficPolicy, we keep it as is").
        ...(o.clientCa ? {
          clientValidation: {
            mode: o.clientCa.optional ? clientTraffic.ClientTrafficPolicySpecTlsClientValidationMode.VERIFY_IF_GIVEN : clientTraffic.ClientTrafficPolicySpecTlsClientValidationMode.REQUIRE_AND_VERIFY,
            caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: o.clientCa.configMap, namespace: o.clientCa.namespace }],
          },
        } : {}),
      },
      ...(o.trustForwardedProto ? { clientIpDetection: { xForwardedFor: { numTrustedHops: 1 } } } : {}),
    },
  });
}

/** What a BackendTrafficPolicy sets on some rules of one HTTPRoute. */
export interface RouteRulesPolicy {
  /**
   * Idle timeout of WebSocket streams. Envoy cuts a stream idle for stream_idle_timeout (default 5 minutes) even after
   * the upgrade; the route rule's `timeouts.request` does not apply to an upgraded stream.
   */
  readonly streamIdleTimeout?: Duration;
  /** Largest request body: Envoy buffers each request and answers 413 above it (`requestBuffer`; not for upgrades). */
  readonly maxRequestBodyBytes?: number;
}

/** A BackendTrafficPolicy on exactly these rules of an HTTPRoute (sectionName = rule name, same namespace). */
export function routeRulesPolicy(scope: Construct, id: string, name: string, route: string, ruleNames: string[], o: RouteRulesPolicy): ApiObject {
  return new backendTraffic.BackendTrafficPolicy(scope, id, {
    metadata: { name },
    spec: {
      targetRefs: ruleNames.map((sectionName) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: route, sectionName })),
      ...(o.streamIdleTimeout ? { timeout: { http: { streamIdleTimeout: `${o.streamIdleTimeout.toSeconds()}s` } } } : {}),
      ...(o.maxRequestBodyBytes !== undefined ? { requestBuffer: { limit: backendTraffic.BackendTrafficPolicySpecRequestBufferLimit.fromString(`${o.maxRequestBodyBytes / 1024}Ki`) } } : {}),
    },
  });
}
