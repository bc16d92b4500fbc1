import type { EdgeKind } from '../edge/factory';
import type { Manifest } from '../policy/manifest';
import { goDurationSeconds, quantityBytes as kubernetesQuantityBytes } from '../policy/controller-rules';
import { IssuerModel, Note, NoteKind, Origin } from './model';

// What the readers (read-*.ts) find in the documents, before build.ts decides stacks, sites and apps. Every reader
// reads hand-written YAML: any field may be missing or of another type, so every read goes through the accessors
// below and a reader never throws.

/** The field as a list (anything else: empty). */
export const list = (x: unknown): Manifest[] => (Array.isArray(x) ? x : []);
/** The field as an object (anything else: empty). */
export const record = (x: unknown): Record<string, Manifest> => (x !== null && typeof x === 'object' && !Array.isArray(x) ? x as Record<string, Manifest> : {});
/** The field as text: a string, or a number or boolean as YAML would print it. */
export const text = (x: unknown): string | undefined => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined);
/** A whole number, from a number or a decimal string. */
export const integer = (x: unknown): number | undefined => {
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^\s*-?\d+\s*$/.test(x) ? Number(x) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
};

/** How an edge serves a route in the input. */
export interface EdgeFact {
  readonly kind: EdgeKind;
  readonly ingressClassName?: string;
  readonly gatewayClassName?: string;
  /** The Gateway the route is attached to (Gateway API). */
  readonly gatewayName?: string;
  readonly gatewayNamespace?: string;
  readonly otherImplementation?: boolean;
}

/** A host and path served by a Service port. */
export interface RouteFact {
  readonly namespace: string;
  readonly host: string;
  readonly path: string;
  readonly service: string;
  /** The Service port, by number or name; undefined: the Service's only port. */
  readonly port?: number | string;
  /** Long proxy timeouts or a stream idle timeout: a WebSocket route. */
  readonly websocket?: boolean;
  readonly websocketTimeoutSeconds?: number;
  readonly passthrough?: boolean;
  readonly clientAuth?: boolean;
  readonly maxRequestBodyBytes?: number;
  /** Served over plain HTTP in the input (no TLS for the host there). */
  readonly plainHttp?: boolean;
  readonly edge: EdgeFact;
  readonly origin: Origin;
}

/** An edge serves these hosts with the certificate in this Secret. */
export interface TlsFact {
  readonly namespace: string;
  readonly hosts: string[];
  readonly secretName: string;
  readonly origin: Origin;
}

export interface IssuerRefFact {
  readonly name: string;
  readonly kind: 'ClusterIssuer' | 'Issuer';
}

/** Something that makes cert-manager write a certificate into a Secret. */
export interface CertificateFact {
  readonly namespace: string;
  /** Name of the Certificate (the shims name it after the Secret). */
  readonly name: string;
  readonly secretName: string;
  readonly dnsNames: string[];
  readonly issuer?: IssuerRefFact;
  readonly keyAlgorithm?: 'RSA' | 'ECDSA' | 'Ed25519';
  readonly keySize?: number;
  readonly durationSeconds?: number;
  readonly renewBeforeSeconds?: number;
  readonly source: 'Certificate' | 'ingress-shim' | 'gateway-shim';
  readonly origin: Origin;
}

/** Response headers the input sends for these hosts (names as written). */
export interface HeadersFact {
  readonly namespace: string;
  readonly hosts: string[];
  readonly headers: Array<[string, string]>;
  /** Where the headers are set, for the report: `the configuration-snippet annotation`, `Middleware shop/headers`... */
  readonly where: string;
  readonly origin: Origin;
}

/** TLS versions and ciphers the input offers for these hosts. */
export interface ProfileFact {
  readonly namespace: string;
  readonly hosts: string[];
  /** Lowest version offered, in OpenSSL spelling (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3). */
  readonly minVersion?: string;
  readonly ciphers?: string[];
  readonly where: string;
  readonly origin: Origin;
}

/** The input redirects plain HTTP to HTTPS for these hosts. */
export interface RedirectFact {
  readonly namespace: string;
  readonly hosts: string[];
  readonly origin: Origin;
}

/** One input document with its origin. */
export interface InputDoc {
  readonly doc: Manifest;
  readonly origin: Origin;
}

/** The document of `file` at `index` with its origin (kind, namespace, name as far as it has them). */
export function inputDoc(raw: unknown, file: string, index: number): InputDoc {
  const doc = record(raw);
  const kind = text(doc.kind) ?? '(no kind)';
  return { doc, origin: { file, index, kind, namespace: CLUSTER_SCOPED.has(kind) ? undefined : namespaceOf(doc), name: text(record(doc.metadata).name) ?? '(no name)' } };
}

export const namespaceOf = (doc: Manifest): string => text(record(record(doc).metadata).namespace) || 'default';

/** The documents of the input, indexed by kind and by namespace/name. */
export class Input {
  public readonly docs: InputDoc[];
  private readonly byKind = new Map<string, InputDoc[]>();
  private readonly byName = new Map<string, InputDoc>();

  constructor(docs: InputDoc[]) {
    this.docs = docs;
    for (const d of this.docs) {
      const same = this.byKind.get(d.origin.kind) ?? [];
      same.push(d);
      this.byKind.set(d.origin.kind, same);
      const key = `${d.origin.kind}/${d.origin.namespace ?? ''}/${d.origin.name}`;
      if (!this.byName.has(key)) this.byName.set(key, d);
    }
  }

  /** The documents of these kinds (of the API groups adopt reads them from), in file order. */
  public of(...kinds: string[]): InputDoc[] {
    return kinds.flatMap((k) => (this.byKind.get(k) ?? []).filter((d) => ofKnownGroup(d))).sort((a, b) => a.origin.index - b.origin.index);
  }

  /** The first document of this kind, namespace and name. */
  public named(kind: string, namespace: string | undefined, name: string): InputDoc | undefined {
    const d = this.byName.get(`${kind}/${CLUSTER_SCOPED.has(kind) ? '' : namespace ?? 'default'}/${name}`);
    return d && ofKnownGroup(d) ? d : undefined;
  }
}

/** The API groups adopt reads each kind from (another group's kind of the same name is another thing). */
const GROUPS: Record<string, string[]> = {
  Ingress: ['networking.k8s.io', 'extensions'], IngressClass: ['networking.k8s.io'],
  Service: [''], Namespace: [''], Secret: [''], ConfigMap: [''], Deployment: ['apps'], StatefulSet: ['apps'], DaemonSet: ['apps'], ReplicaSet: ['apps'], Pod: [''],
  ClusterIssuer: ['cert-manager.io'], Issuer: ['cert-manager.io'], Certificate: ['cert-manager.io'],
  Gateway: ['gateway.networking.k8s.io'], ListenerSet: ['gateway.networking.k8s.io'], GatewayClass: ['gateway.networking.k8s.io'], HTTPRoute: ['gateway.networking.k8s.io'],
  TLSRoute: ['gateway.networking.k8s.io'], BackendTLSPolicy: ['gateway.networking.k8s.io'], ReferenceGrant: ['gateway.networking.k8s.io'],
  ClientTrafficPolicy: ['gateway.envoyproxy.io'], BackendTrafficPolicy: ['gateway.envoyproxy.io'],
  IngressRoute: ['traefik.io', 'traefik.containo.us'], IngressRouteTCP: ['traefik.io', 'traefik.containo.us'], Middleware: ['traefik.io', 'traefik.containo.us'],
  TLSOption: ['traefik.io', 'traefik.containo.us'], ServersTransport: ['traefik.io', 'traefik.containo.us'],
};

/** The API group of a document's apiVersion (`""` for the core group). */
export const groupOf = (doc: Manifest): string => { const v = text(record(doc).apiVersion) ?? ''; return v.includes('/') ? v.slice(0, v.indexOf('/')) : ''; };

/** Whether adopt reads this document: its kind is of an API group adopt knows it from. */
export const ofKnownGroup = (d: InputDoc): boolean => GROUPS[d.origin.kind]?.includes(groupOf(d.doc)) ?? false;

/** Kinds without a namespace (adopt reads them, or lists them). */
export const CLUSTER_SCOPED = new Set(['ClusterIssuer', 'Namespace', 'GatewayClass', 'IngressClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'PersistentVolume', 'StorageClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'Bundle', 'ClusterBundle']);

/** What the readers found. */
export class Facts {
  public readonly routes: RouteFact[] = [];
  public readonly tls: TlsFact[] = [];
  public readonly certificates: CertificateFact[] = [];
  public readonly headers: HeadersFact[] = [];
  public readonly profiles: ProfileFact[] = [];
  public readonly redirects: RedirectFact[] = [];
  public readonly issuers: IssuerModel[] = [];
  public readonly notes: Note[] = [];
  /** Documents a reader took in (by index); the rest is listed as not adopted. */
  public readonly used = new Set<number>();
  /** Why an understood document was not taken in, when a reader knows. */
  public readonly unusedBecause = new Map<number, string>();

  public note(kind: NoteKind, origin: Origin | undefined, subject: string, detail: string, fix?: string, at: Pick<Note, 'host' | 'app' | 'issuer' | 'namespace'> = {}): void {
    this.notes.push({ kind, namespace: at.namespace ?? origin?.namespace, ...at, subject, detail, ...(fix ? { fix } : {}), ...(origin ? { origin } : {}) });
  }
}

/** A reader: the kinds it understands and how it reads them. */
export interface Reader {
  readonly kinds: readonly string[];
  read(input: Input, facts: Facts): void;
}

/** Seconds of a Go duration (`2160h`, `1h30m`, `90s`): whole and positive, or undefined (the checks' own parser). */
export function goSeconds(x: unknown): number | undefined {
  const s = text(x);
  const seconds = s === undefined ? undefined : goDurationSeconds(s);
  return seconds !== undefined && Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}

/** Bytes of a Kubernetes quantity (`10Mi`, `1Gi`, `100M`, `512`): whole and positive, or undefined (the checks' own parser). */
export function quantityBytes(x: unknown): number | undefined {
  const bytes = kubernetesQuantityBytes((text(x) ?? '').trim());
  return bytes !== undefined && Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
