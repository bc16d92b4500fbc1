import { EdgeKind } from '../edge/factory';
import type { Program } from './code';
import type { Finding } from '../policy/check';

// The adoption model: what adopt understood of the input, independent of how it is written out. Readers (read-*.ts)
// turn documents into facts; build.ts turns facts into stacks, issuers and notes; the TypeScript, the report and the
// diff are made from this model only.

/** How the report and the notes name each edge. */
export const EDGE_NAME: Record<EdgeKind, string> = { [EdgeKind.INGRESS_NGINX]: 'ingress-nginx', [EdgeKind.GATEWAY_API]: 'Gateway API', [EdgeKind.TRAEFIK]: 'Traefik' };

/** Where something came from: one document of the input. */
export interface Origin {
  readonly file: string;
  /** Position of the document in the input (file order, then document order): what `--force` keeps the first of. */
  readonly index: number;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** `Ingress shop/web`. */
export function describe(o: Origin): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** What a note says about the migration. */
export enum NoteKind {
  /** Stays as it is (host, path, backend, Secret name...). */
  SAME = 'same',
  /** The library adds it (redirect, HSTS, headers, TLS profile, Pod Security restricted, reload on renewal...). */
  ADDED = 'added',
  /** Kept in intent, with a different value or mechanism. */
  CHANGED = 'changed',
  /** Refused: the library will not carry it over (snippets, X-XSS-Protection 1, verification off, literal secrets...). */
  REFUSED = 'refused',
  /** Cannot be said in a TlsStackSpec: the escape hatch to use is in `fix`. */
  CANNOT = 'cannot',
}

/** One statement of the migration report. */
export interface Note {
  readonly kind: NoteKind;
  readonly namespace?: string;
  /** The public host it is about (hosts section); else the app, the issuer, or the stack. */
  readonly host?: string;
  readonly app?: string;
  readonly issuer?: string;
  /** What: `nginx.ingress.kubernetes.io/configuration-snippet`, `HSTS`, `path /ws`... */
  readonly subject: string;
  /** Why, or what happens instead. */
  readonly detail: string;
  /** What to do (the escape hatch, the command). */
  readonly fix?: string;
  readonly origin?: Origin;
}

/** A document the model does not carry, and why. */
export interface NotAdopted {
  readonly origin: Origin;
  readonly reason: string;
}

/** Two or more documents claiming one thing (a host and path, a Secret, a host's certificate, an object's identity). */
export interface Conflict {
  /** `host and path api.example.com/`, `Secret shop/web-tls`, `object networking.k8s.io Ingress shop/web`... */
  readonly subject: string;
  /** The claims in file order; the first is the one `--force` keeps. */
  readonly claims: ReadonlyArray<{ readonly origin: Origin; readonly detail: string }>;
}

/** An issuer the generated file creates or references. */
export interface IssuerModel {
  /** `ClusterIssuer/<name>` or `Issuer/<ns>/<name>`: how certificates reference it. */
  readonly key: string;
  readonly name: string;
  readonly issuerKind: 'ClusterIssuer' | 'Issuer';
  /** How the library expresses it; `external` references an issuer it does not create. */
  readonly type: 'letsencrypt' | 'acme' | 'selfSigned' | 'ca' | 'external';
  readonly acme?: AcmeModel;
  /** The CA Secret of a CA issuer. */
  readonly caSecretName?: string;
  /** Not in the input: referenced only (a TODO for the reviewer when no issuer is known at all). */
  readonly missing?: boolean;
  readonly origin?: Origin;
}

export interface AcmeModel {
  readonly server: string;
  readonly email: string;
  readonly accountKeySecretName: string;
  readonly profile?: string;
  readonly externalAccountBinding?: { readonly keyId: string; readonly keySecret: SecretRef };
  readonly solvers: SolverModel[];
}

export interface SecretRef {
  readonly name: string;
  readonly key: string;
}

export interface SelectorModel {
  readonly dnsNames?: string[];
  readonly dnsZones?: string[];
}

export type SolverModel =
  | { readonly type: 'http01Ingress'; readonly ingressClassName: string; readonly selector?: SelectorModel }
  | { readonly type: 'http01Gateway'; readonly parentRefs?: Array<{ name: string; namespace: string; sectionName?: string }>; readonly selector?: SelectorModel }
  | { readonly type: 'cloudflare'; readonly apiTokenSecret: SecretRef; readonly selector?: SelectorModel }
  | { readonly type: 'route53'; readonly region: string; readonly hostedZoneId?: string; readonly role?: string; readonly accessKey?: { readonly id: SecretRef; readonly secret: SecretRef }; readonly selector?: SelectorModel };

/** A site: one certificate and the hosts on it. */
export interface SiteModel {
  readonly name: string;
  /** Only when it is not `<name>-tls`. */
  readonly secretName?: string;
  readonly hosts: string[];
  readonly keyAlgorithm?: 'RSA' | 'ECDSA' | 'Ed25519';
  readonly keySize?: number;
  /** Seconds. */
  readonly duration?: number;
  readonly renewBefore?: number;
  /** What made the certificate in the input. */
  readonly source: 'Certificate' | 'ingress-shim' | 'gateway-shim' | 'secret' | 'new';
  readonly origin?: Origin;
}

/** An app behind the edge: a SecureWorkload. */
export interface AppModel {
  readonly name: string;
  readonly image: string;
  /** The input has no Deployment for it: image (and port) are placeholders for the reviewer. */
  readonly placeholder: boolean;
  readonly port: number;
  readonly servicePort?: number;
  readonly websocket: boolean;
  readonly env: Record<string, string>;
  readonly secretEnv: Record<string, SecretRef>;
  readonly args?: string[];
  readonly probe: 'tcp' | 'http';
  readonly healthPath?: string;
  readonly replicas?: number;
  readonly runAsUser?: number;
  readonly resources?: { readonly cpu?: { request?: number; limit?: number }; readonly memory?: { request?: number; limit?: number } };
  /** The app serves a site's certificate itself (passthrough routes). */
  readonly tls?: { readonly site: string; readonly mountPath: string };
  readonly origin?: Origin;
}

export interface RouteModel {
  readonly host: string;
  readonly path: string;
  readonly app: string;
  readonly websocket: boolean;
  readonly passthrough: boolean;
  readonly clientAuth: boolean;
  readonly maxRequestBodyBytes?: number;
  readonly origin: Origin;
}

export interface HeadersModel {
  readonly hsts?: { readonly maxAgeSeconds: number; readonly includeSubDomains: boolean; readonly preload: boolean };
  readonly frameOptions?: 'DENY' | 'SAMEORIGIN';
  readonly contentSecurityPolicy?: string;
  readonly referrerPolicy?: string;
  readonly permissionsPolicy?: string;
  readonly crossOriginOpenerPolicy?: string;
  readonly crossOriginResourcePolicy?: string;
}

export interface EdgeModel {
  readonly kind: EdgeKind;
  /** The kind the input used (differs with `--edge`). */
  readonly inputKind: EdgeKind;
  readonly ingressClassName?: string;
  readonly gatewayClassName?: string;
  /** Gateway API on another implementation than Envoy Gateway. */
  readonly otherImplementation?: boolean;
  readonly websocketTimeoutSeconds?: number;
  /** TLS 1.3 only (Mozilla modern); otherwise the default intermediate profile. */
  readonly modern?: boolean;
  readonly headers: HeadersModel;
}

/** One namespace: one TlsStackChart. */
export interface StackModel {
  readonly namespace: string;
  /** Base name of the edge objects, when it is not the namespace (the chart id). */
  readonly name?: string;
  readonly createNamespace: boolean;
  /** Key of the issuer of its sites. */
  readonly issuer: string;
  readonly internalCa: boolean;
  readonly sites: SiteModel[];
  readonly apps: AppModel[];
  readonly routes: RouteModel[];
  readonly edge: EdgeModel;
}

/** The ingress-nginx controller ConfigMap of the input, taken over by NginxControllerSettings. */
export interface ControllerSettingsModel {
  readonly name: string;
  readonly namespace: string;
  readonly origin: Origin;
}

/** Everything adopt understood of the input. */
export interface AdoptionModel {
  readonly stacks: StackModel[];
  readonly issuers: IssuerModel[];
  readonly nginxController?: ControllerSettingsModel;
  readonly notes: Note[];
  readonly notAdopted: NotAdopted[];
  readonly conflicts: Conflict[];
  /** What `cdk8s-tls check` finds in the input. */
  readonly findings: Finding[];
  /** Why `cdk8s-tls check` could not check the input, when it could not. */
  readonly checkError?: string;
  readonly files: string[];
  readonly documents: number;
}

/** Options of `adoptManifests` (and of `cdk8s-tls adopt`). */
export interface AdoptOptions {
  /** Build this edge instead of the input's (`--edge gateway-api` moves an ingress-nginx setup to Gateway API). @default the input's */
  readonly edge?: EdgeKind;
  /**
   * Two documents claim one host and path, one Secret, one host's certificate, or one object: keep the first in file
   * order and drop the other claims (listed in the report). Without it a conflict writes nothing. @default false
   */
  readonly force?: boolean;
  /** Compare the input with what the generated spec synthesizes, object by object. @default false */
  readonly diff?: boolean;
}

/** One object of the input against what the generated spec synthesizes (by API group, kind, namespace and name). */
export interface DiffEntry {
  /** added: only the spec makes it; removed: the spec no longer makes it (delete it when you migrate); kept: not adopted, keep applying it. */
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged' | 'kept';
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The fields that differ (changed only): dotted paths, list items by their name where they have one. */
  readonly fields: ReadonlyArray<{ readonly path: string; readonly before?: unknown; readonly after?: unknown }>;
}

/** The diff of `--diff`. */
export interface AdoptDiff {
  readonly entries: DiffEntry[];
  /** The diff as text (what `cdk8s-tls adopt --diff` prints). */
  readonly text: string;
}

/** What `adoptManifests` returns. */
export interface AdoptResult {
  /** The TypeScript of the cdk8s app; undefined when a conflict blocks it (no `force`). */
  readonly typescript?: string;
  /** The migration report (Markdown). */
  readonly report: string;
  /** With `diff`, and when the spec synthesizes. */
  readonly diff?: AdoptDiff;
  readonly notAdopted: NotAdopted[];
  readonly conflicts: Conflict[];
  /** Conflicts and no `force`: nothing to write. */
  readonly blocked: boolean;
  /** Why the generated spec does not synthesize (the library's own checks), one line each; empty when it does. */
  readonly synthErrors: string[];
  /** @internal */
  readonly model: AdoptionModel;
  /** @internal */
  readonly program?: Program;
}
