import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { makeClusterScoped } from './chart';
import { KeyAlgorithm, PrivateKeyOptions, TlsCertificate } from './certificates';
import { CaIssuer, SelfSignedIssuer, TrustBundleRef } from './issuers';
import { enforcePolicy } from './policy/gate';
import { check, checkName, NameKind } from './policy/validation';

/** Props of {@link InternalCa}. */
export interface InternalCaProps {
  /** Base name: the leaf-signing ClusterIssuer, the trust Bundle and its ConfigMap are called this. @default "internal-ca" */
  readonly name?: string;
  /** Subject common name of the root. @default the name */
  readonly commonName?: string;
  /**
   * cert-manager's cluster resource namespace (where ClusterIssuers read CA Secrets), which must also be
   * trust-manager's trust namespace (where Bundles read sources). @default "cert-manager"
   */
  readonly caNamespace?: string;
  /** Root validity. @default Duration.days(3650) */
  readonly rootDuration?: Duration;
  /** Put an intermediate CA (1 year) between the root and the leaves, so the root key signs almost nothing. @default false */
  readonly intermediate?: boolean;
  /** CA key. @default ECDSA P-256 */
  readonly privateKey?: PrivateKeyOptions;
}

/**
 * An internal PKI with cert-manager: a self-signed ClusterIssuer bootstraps an `isCA` root Certificate (in the
 * cluster resource namespace), which backs a CA ClusterIssuer (optionally through an intermediate). A trust-manager
 * `Bundle` publishes the root certificate (never the key) as a ConfigMap into every namespace labelled for it;
 * workloads mount that ConfigMap to verify peers. Leaf certificates use {@link issuer}.
 */
export class InternalCa extends Construct {
  /** Signs leaf certificates (server and client). */
  public readonly issuer: CaIssuer;
  /** The root CA certificate (its Secret holds the root key: never mount it into apps). */
  public readonly root: TlsCertificate;
  /** Where apps find the CA certificate. */
  public readonly trustBundle: TrustBundleRef;

  constructor(scope: Construct, id: string, props: InternalCaProps = {}) {
    super(scope, id);
    enforcePolicy(this);
    const name = props.name ?? 'internal-ca';
    const namespace = props.caNamespace ?? 'cert-manager';
    checkName(this, 'name', name, NameKind.OBJECT, 'use a short lower-case RFC 1123 name such as "internal-ca"');
    check(name.length <= 50, this, 'name', name, `it is too long (${name.length} > 50 characters: "-selfsigned" and "-intermediate" are appended); use a short name such as "internal-ca"`);
    checkName(this, 'caNamespace', namespace, NameKind.LABEL, 'use the cert-manager cluster resource namespace, e.g. "cert-manager"');
    const privateKey = props.privateKey ?? { algorithm: KeyAlgorithm.ECDSA, size: 256 };
    this.trustBundle = { configMapName: name, key: 'ca.crt', namespaceLabel: [`trust.tls-stack/${name}`, 'enabled'] };

    const bootstrap = new SelfSignedIssuer(this, 'Bootstrap', { name: `${name}-selfsigned` });
    this.root = new TlsCertificate(this, 'Root', {
      name: `${name}-root`, namespace, issuer: bootstrap, isCa: true, commonName: props.commonName ?? name,
      duration: props.rootDuration ?? Duration.days(3650), privateKey,
    });
    const rootIssuer = new CaIssuer(this, 'RootIssuer', {
      name: props.intermediate ? `${name}-root` : name, secretName: this.root.secretName, trustBundle: this.trustBundle,
    });
    rootIssuer.apiObject.addDependency(this.root.apiObject);
    this.root.apiObject.addDependency(bootstrap.apiObject);

    if (props.intermediate) {
      const intermediate = new TlsCertificate(this, 'Intermediate', {
        name: `${name}-intermediate`, namespace, issuer: rootIssuer, isCa: true, commonName: `${props.commonName ?? name} intermediate`,
        duration: Duration.days(365), privateKey,
      });
      intermediate.apiObject.addDependency(rootIssuer.apiObject);
      this.issuer = new CaIssuer(this, 'Issuer', { name, secretName: intermediate.secretName, trustBundle: this.trustBundle, chainDepth: 2 });
      this.issuer.apiObject.addDependency(intermediate.apiObject);
    } else {
      this.issuer = rootIssuer;
    }

    const [labelKey, labelValue] = this.trustBundle.namespaceLabel;
    const bundle = new ApiObject(this, 'Bundle', {
      apiVersion: 'trust.cert-manager.io/v1alpha1',
      kind: 'Bundle',
      metadata: { name },
      spec: {
        sources: [{ secret: { name: this.root.secretName, key: 'ca.crt' } }],
        target: { configMap: { key: this.trustBundle.key }, namespaceSelector: { matchLabels: { [labelKey]: labelValue } } },
      },
    });
    makeClusterScoped(bundle);
    bundle.addDependency(this.root.apiObject);
  }
}

/** In-cluster DNS names of a Service: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<clusterDomain>`. */
export function serviceDnsNames(service: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}
