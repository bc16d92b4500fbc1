/**
 * cdk8s constructs that generate a complete, secure HTTPS/WSS stack for Kubernetes as reviewable YAML: the constructs,
 * their props and enums, and the few functions a user calls. Anything not exported here is internal and may change in
 * any release; what is marked `@experimental` may change in a minor release. The live prober is its own entry point,
 * `cdk8s-secure-tls/verify`, so that importing the library loads no network code.
 *
 * @packageDocumentation
 * @module cdk8s-secure-tls
 */

// Charts and the whole stack from one spec
export { NamespacedChart, type NamespacedChartProps } from './chart';
export { TlsStackChart, type TlsStackSpec, type SiteSpec, type AppSpec, type AppTlsSpec, type CallSpec, type RouteSpec, type CertificateLifetimeSpec } from './stack';

// Issuers
export {
  type ICertificateIssuer, type CertificateRequestInfo, IssuerType,
  SelfSignedIssuer, type SelfSignedIssuerProps,
  AcmeIssuer, type AcmeIssuerProps, AcmeDirectory, type CustomAcmeDirectoryProps, type ExternalAccountBinding,
  LetsEncryptIssuer, type LetsEncryptIssuerProps, AcmeServer, LetsEncryptProfile,
  AcmeSolver, ChallengeType, type SolverSelector, type Http01IngressSolverProps, type Http01GatewaySolverProps, type GatewayParentRef,
  type CloudflareSolverProps, type Route53SolverProps, Route53Credentials,
  CaIssuer, type CaIssuerProps, type TrustBundleRef, ExternalIssuer, type ExternalIssuerProps, type SecretKeyRef,
} from './issuers';

// Certificates and the internal PKI
export {
  TlsCertificate, type TlsCertificateProps, type PrivateKeyOptions, type KeystoreOptions, KeyAlgorithm, KeyRotationPolicy, KeyUsage, Pkcs12Profile,
} from './certificates';
export { InternalCa, type InternalCaProps, serviceDnsNames } from './pki';

// Workloads
export {
  SecureWorkload, type SecureWorkloadProps, type WorkloadTlsOptions, TlsEnv, type TlsEnvNames, type MtlsEnvNames, type ConnectOptions, type ContainerSpec,
  AppProtocol, ProbeKind, ReloadStrategy, ServiceType, type ResourceRequirements,
} from './workloads';

// TLS edges
export { createTlsEdge, EdgeKind, type EdgeOptions } from './edge/factory';
export { type ITlsEdge, type TlsEdgeProps, type EdgeRoute, type EdgeClientAuth, type ResolvedRoute } from './edge/edge';
export { GatewayApiEdge, type GatewayApiEdgeProps, GatewayCertificateMode, RedirectStatus } from './edge/gateway';
export { GatewayImplementation } from './edge/envoy';
export { PlatformGateway, type PlatformGatewayProps, type ISharedGateway } from './edge/platform';
export { TraefikEdge, type TraefikEdgeProps } from './edge/traefik';
export { NginxIngressEdge, type NginxIngressEdgeProps, NginxControllerSettings, type NginxControllerSettingsProps } from './edge/nginx';
export { TlsProfile, TlsVersion, type CustomTlsProfileProps } from './policy/tls-profiles';
export { SecurityHeaders, type SecurityHeadersOptions, type HstsOptions, type Hsts, FrameOptions } from './policy/headers';

// Monitoring
export { CertificateExpiryAlerts, type CertificateExpiryAlertsProps } from './monitoring';

// Writing, checking and reviewing what an App makes
export { writeApps, synthChecked, type AppToWrite, type WrittenApp } from './synth';
export { TlsPolicyError, type CheckedApp, type SynthesizedChart } from './policy/gate';
export { checkManifests, loadManifests, type Finding, type ManifestDoc, Severity } from './policy/check';
export { adoptManifests, type AdoptOptions, type AdoptResult, type AdoptDiff, type DiffEntry, type Conflict, type NotAdopted, type Origin } from './adopt/api';
export { TlsPolicyValidation, type PluginValidationContext } from './policy/validation-plugin';
export { clusterRequirements, type ClusterRequirement, RequirementKind } from './requirements';
export { TlsStackError } from './policy/validation';
