import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { enforcePolicy } from './policy/gate';
import { checkName, NameKind } from './policy/validation';

/** Props of {@link NamespacedChart}. */
export interface NamespacedChartProps {
  /** Namespace every namespaced object of the chart lands in. */
  readonly namespace: string;
  /**
   * Emit the Namespace object (labelled for Pod Security Standards *restricted*). Set false when it exists.
   * @default true
   */
  readonly createNamespace?: boolean;
}

/**
 * Labels the namespace of `scope`'s chart when the chart emits it (e.g. so trust-manager publishes a CA bundle
 * there). Namespaces that exist already must be labelled by their owner.
 */
export function labelNamespaceOf(scope: IConstruct, [key, value]: [string, string]): void {
  // Chart overrides instanceof (any Chart passes `instanceof NamespacedChart`), so test for the method itself.
  const chart = Chart.of(scope) as Partial<NamespacedChart>;
  chart.labelNamespace?.(key, value);
}

/** Removes the namespace cdk8s copies from the chart onto a cluster-scoped object. */
export function makeClusterScoped(obj: ApiObject): void {
  if (obj.metadata.namespace) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}

/**
 * A chart whose namespaced objects land in one namespace, with stable, hash-free names. The namespace,
 * when emitted, enforces Pod Security Standards *restricted*.
 */
export class NamespacedChart extends Chart {
  /** The emitted Namespace, unless it exists already (an escape hatch: `addJsonPatch`). */
  public readonly namespaceObject?: ApiObject;

  constructor(scope: Construct, id: string, props: NamespacedChartProps) {
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true });
    enforcePolicy(this);
    checkName(this, 'namespace', props.namespace, NameKind.LABEL, 'use an RFC 1123 label such as "chat"');
    if (props.createNamespace ?? true) {
      const ns = this.namespaceObject = ApiObject.of(new kplus.Namespace(this, 'Namespace', { metadata: { name: props.namespace } }));
      for (const mode of ['enforce', 'audit', 'warn']) ns.metadata.addLabel(`pod-security.kubernetes.io/${mode}`, 'restricted');
      makeClusterScoped(ns);
    }
  }

  /**
   * Labels the emitted Namespace (e.g. so trust-manager publishes a CA bundle into it). When the namespace is not
   * emitted, label it yourself.
   */
  public labelNamespace(key: string, value: string): void {
    this.namespaceObject?.metadata.addLabel(key, value);
  }
}
