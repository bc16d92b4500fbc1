import { ApiObject, JsonPatch, Lazy, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KeyUsage, TlsCertificate } from './certificates';
import { labelNamespaceOf } from './chart';
import { CaIssuer, IssuerType, SecretKeyRef, TrustBundleRef } from './issuers';
import { EDGE_CONTROLLERS_ANNOTATION } from './policy/controller-wide';
import { chartOf, enforcePolicy } from './policy/gate';
import { check, checkName, fail, isPort, literalSecretProblem, mountPathProblem, NameKind, normalMountPath, redactSecret } from './policy/validation';

/**
 * How the app learns where its certificate files are. cert-manager writes `tls.crt` (leaf + chain: the
 * "fullchain" a server must present), `tls.key` and `ca.crt` into the mounted directory.
 */
export class TlsEnv {
  /** Directory style (seed 002): `TLS_ENABLED=true`, `TLS_CERT_PATH=<dir>`. */
  public static directory(): TlsEnv {
    return new TlsEnv({ enabled: 'TLS_ENABLED', dir: 'TLS_CERT_PATH' });
  }
  /** File style (seed 004): `USE_SSL=true`, `SSL_CERT_PATH=<dir>/tls.crt`, `SSL_KEY_PATH=<dir>/tls.key`. */
  public static files(): TlsEnv {
    return new TlsEnv({ enabled: 'USE_SSL', cert: 'SSL_CERT_PATH', key: 'SSL_KEY_PATH' });
  }
  /** Your own variable names; each one given is set. */
  public static custom(names: TlsEnvNames): TlsEnv {
    return new TlsEnv(names);
  }
  private constructor(public readonly names: TlsEnvNames) {}

  /** The variables for a certificate mounted at `dir`. */
  public render(dir: string): Record<string, string> {
    const { enabled, dir: d, cert, key, ca, pkcs12, jks } = this.names;
    const vars: Array<[string | undefined, string]> = [[enabled, 'true'], [d, dir], [cert, `${dir}/tls.crt`], [key, `${dir}/tls.key`], [ca, `${dir}/ca.crt`],
      [pkcs12, `${dir}/keystore.p12`], [jks, `${dir}/keystore.jks`]];
    return Object.fromEntries(vars.filter(([n]) => n !== undefined)) as Record<string, string>;
  }
}

/** Environment variable names of a custom {@link TlsEnv}. */
export interface TlsEnvNames {
  /** Set to `true` when TLS is on. @default not set */
  readonly enabled?: string;
  /** Set to the mount directory. @default not set */
  readonly dir?: string;
  /** Set to `<dir>/tls.crt` (full chain). @default not set */
  readonly cert?: string;
  /** Set to `<dir>/tls.key`. @default not set */
  readonly key?: string;
  /** Set to `<dir>/ca.crt`. @default not set */
  readonly ca?: string;
  /** Set to `<dir>/keystore.p12` (the certificate needs a PKCS#12 keystore). @default not set */
  readonly pkcs12?: string;
  /** Set to `<dir>/keystore.jks` (the certificate needs a JKS keystore). @default not set */
  readonly jks?: string;
}

/** Where a workload mounts the CA bundle it trusts and the client certificate it presents. */
const TRUST_DIR = '/etc/tls-ca';
const CLIENT_DIR = '/etc/tls-client';

/** What the app speaks on its port. */
export enum AppProtocol {
  HTTP = 'http',
  WEBSOCKET = 'websocket',
}

/** How pods pick up a renewed certificate. */
export enum ReloadStrategy {
  /** Stakater Reloader restarts the Deployment when the certificate Secret changes. */
  STAKATER_RELOADER = 'stakater-reloader',
  /** The app re-reads the files itself (kubelet updates the mounted directory in place). */
  APP_WATCHES_FILES = 'app-watches-files',
}

/** Health check kinds. */
export enum ProbeKind {
  /** HTTP GET on a path; HTTPS when the app serves TLS. */
  HTTP_GET = 'httpGet',
  /** TCP connect (for servers that answer nothing but an upgrade, e.g. bare WebSocket servers). */
  TCP = 'tcp',
}

/** Type of a workload's Service. */
export enum ServiceType {
  /** Reachable inside the cluster only: the edge routes to it. */
  CLUSTER_IP = 'ClusterIP',
  /** A cloud load balancer: only for an app that serves TLS itself. */
  LOAD_BALANCER = 'LoadBalancer',
  /** A port on every node: only for an app that serves TLS itself. */
  NODE_PORT = 'NodePort',
}

/** CPU and memory of a container: what the scheduler reserves (request) and the most it may use (limit). */
export interface ResourceRequirements {
  /** CPU in millicores (`1000` is one core). @default request 1000, limit 1500 */
  readonly cpu?: { readonly request?: number; readonly limit?: number };
  /** Memory. @default request Size.mebibytes(512), limit Size.mebibytes(2048) */
  readonly memory?: { readonly request?: Size; readonly limit?: Size };
}

/**
 * A further container of the workload's pods (a sidecar: a log shipper, a proxy...). It runs with the same restrictions
 * as the app's (Pod Security Standards *restricted*: non-root, read-only root filesystem, every capability dropped, no
 * privilege escalation) and gets its own writable `/tmp`.
 */
export interface ContainerSpec {
  /** Container name, unique in the pod (an RFC 1123 label). */
  readonly name: string;
  /** Image; pin a version tag or a digest. */
  readonly image: string;
  /** Port it listens on (not exposed by the Service). @default none */
  readonly port?: number;
  /** Arguments. @default the image's */
  readonly args?: string[];
  /** Plain environment variables; secret-looking names with literal values are refused (use secretEnv). @default none */
  readonly env?: Record<string, string>;
  /** Environment variables read from Secret keys. @default none */
  readonly secretEnv?: Record<string, SecretKeyRef>;
  /** CPU and memory. @default as {@link ResourceRequirements} */
  readonly resources?: ResourceRequirements;
}

/** TLS served by the app itself. */
export interface WorkloadTlsOptions {
  /** The certificate whose Secret is mounted. It must be in the workload's namespace. */
  readonly certificate: TlsCertificate;
  /** Directory the Secret is mounted at (read-only, whole directory, never subPath). @default "/etc/tls" */
  readonly mountPath?: string;
  /**
   * File mode of the mounted files: 0o440 (owner + pod fsGroup) or 0o400. Never world-readable.
   * @default 0o440
   */
  readonly fileMode?: number;
  /** How the app is told where the files are. @default TlsEnv.directory() */
  readonly env?: TlsEnv;
}

/** Props of {@link SecureWorkload}. */
export interface SecureWorkloadProps {
  /** Name of the Deployment and Service (an RFC 1123 label: it is also the in-cluster DNS name). */
  readonly name: string;
  /** Container image. */
  readonly image: string;
  /** Port the app listens on. */
  readonly port: number;
  /** What the app speaks on it. @default AppProtocol.HTTP */
  readonly protocol?: AppProtocol;
  /** TLS terminated by the app. Without it the app serves plain HTTP (behind a TLS edge). @default no TLS */
  readonly tls?: WorkloadTlsOptions;
  /** Service port. @default 443 with TLS, 80 without */
  readonly servicePort?: number;
  /** Service type. LoadBalancer and NodePort only for an app that serves TLS itself. @default ServiceType.CLUSTER_IP */
  readonly serviceType?: ServiceType;
  /** Replicas. @default 2 */
  readonly replicas?: number;
  /**
   * Extra plain environment variables. A secret-looking name (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_PASS`, `*_PAT`,
   * `API_KEY(S)`, `dbPassword`...) with a literal value, or a URL with a password in it, is refused: use `secretEnv`. A
   * value that is an absolute file path (`SSL_KEY=/etc/tls/tls.key`) is never taken for a secret. @default none
   */
  readonly env?: Record<string, string>;
  /** Environment variables read from Secret keys (passwords, tokens). @default none */
  readonly secretEnv?: Record<string, SecretKeyRef>;
  /** Container args. @default the image's */
  readonly args?: string[];
  /** Health check. @default ProbeKind.HTTP_GET */
  readonly probe?: ProbeKind;
  /** Path of the HTTP health check. @default "/healthz" */
  readonly healthPath?: string;
  /** How renewals reach the pods. @default ReloadStrategy.STAKATER_RELOADER */
  readonly reload?: ReloadStrategy;
  /** Non-root UID/GID the container runs as (also the pod fsGroup that may read the mounted key). @default 10001 */
  readonly runAsUser?: number;
  /** CPU and memory. @default as {@link ResourceRequirements} */
  readonly resources?: ResourceRequirements;
  /** Environment variable names for trust and mutual TLS. @default see {@link MtlsEnvNames} */
  readonly mtlsEnv?: MtlsEnvNames;
  /**
   * Emit a NetworkPolicy that admits only declared callers ({@link SecureWorkload.allowFrom}, {@link SecureWorkload.connectTo})
   * and the controllers of the edges that route to the workload. @default false
   */
  readonly networkPolicy?: boolean;
}

/** Environment variable names for trust and mutual TLS. */
export interface MtlsEnvNames {
  /** Each set to the CA bundle file. @default ["TLS_CA_PATH", "NODE_EXTRA_CA_CERTS"] (add REQUESTS_CA_BUNDLE or SSL_CERT_FILE to trust only the internal CA) */
  readonly ca?: string[];
  /** Set to `required` on a server that must verify client certificates. @default "TLS_CLIENT_AUTH" */
  readonly clientAuth?: string;
  /** Set to the client certificate file (full chain). @default "TLS_CLIENT_CERT_PATH" */
  readonly clientCert?: string;
  /** Set to the client key file. @default "TLS_CLIENT_KEY_PATH" */
  readonly clientKey?: string;
}

/** Options of {@link SecureWorkload.connectTo}. */
export interface ConnectOptions {
  /** Variable the server's URL is given in. @default "<SERVER_NAME>_URL" */
  readonly urlEnv?: string;
  /** Present a client certificate and make the server require one. @default false */
  readonly mutualTls?: boolean;
}

/**
 * A Deployment + Service that meets Pod Security Standards *restricted* and, when it serves TLS, mounts its
 * certificate Secret read-only as a whole directory, tells the app where the files are, probes over HTTPS,
 * restarts on renewal and labels the Service port with its `appProtocol`.
 */
export class SecureWorkload extends Construct {
  /** The Deployment, for escape hatches (`addJsonPatch`): the gate checks what a patch writes too. */
  public readonly deploymentObject: ApiObject;
  /** The Service, for escape hatches. */
  public readonly serviceObject: ApiObject;
  /** Labels that select the workload's pods (a NetworkPolicy's podSelector). */
  public readonly podLabels: Readonly<Record<string, string>>;
  /** The Service name: what callers put in URLs. */
  public readonly serviceName: string;
  public readonly servicePort: number;
  /** The Service type: ClusterIP, or a LoadBalancer or NodePort of an app that serves TLS itself. */
  public readonly serviceType: ServiceType;
  /** Namespace of the workload. */
  public readonly namespace?: string;
  /** What the app speaks. */
  public readonly protocol: AppProtocol;
  /** The Service port's appProtocol. */
  public readonly appProtocol: string;
  /** The certificate the app serves, if it terminates TLS. */
  public readonly certificate?: TlsCertificate;
  /** Where the certificate is mounted. */
  public readonly tlsMountPath?: string;

  private readonly deployment: kplus.Deployment;
  private readonly container: kplus.Container;
  private readonly user: number;
  private readonly reloadSecrets: string[] = [];
  private readonly reloadStrategy: ReloadStrategy;
  private readonly mtlsEnv: Required<MtlsEnvNames>;
  /** The variables the user set (env, secretEnv): the library never replaces them. */
  private readonly userEnv: Set<string>;
  private readonly allowed: SecureWorkload[] = [];
  /** Namespaces of the edges' proxies that route to the workload. */
  private readonly edges = new Set<string>();
  private readonly movedControllers = new Set<string>();
  private networkPolicy?: ApiObject;
  private presented?: TlsCertificate;
  private trusted?: TrustBundleRef;
  private clientAuth = false;

  constructor(scope: Construct, id: string, props: SecureWorkloadProps) {
    super(scope, id);
    enforcePolicy(this);
    this.namespace = chartOf(this).namespace;
    this.user = props.runAsUser ?? 10001;
    const tls = props.tls && this.tlsMount(props.tls);
    const serviceType = this.serviceType = this.checkProps(props, !!tls);
    this.protocol = props.protocol ?? AppProtocol.HTTP;
    this.appProtocol = this.protocol === AppProtocol.WEBSOCKET ? (tls ? 'kubernetes.io/wss' : 'kubernetes.io/ws') : (tls ? 'https' : 'http');
    this.serviceName = props.name;
    this.servicePort = props.servicePort ?? (tls ? 443 : 80);
    this.certificate = tls?.certificate;
    this.tlsMountPath = tls?.mountPath;
    this.reloadStrategy = props.reload ?? ReloadStrategy.STAKATER_RELOADER;
    this.userEnv = new Set([...Object.keys(props.env ?? {}), ...Object.keys(props.secretEnv ?? {})]);
    this.mtlsEnv = {
      ca: props.mtlsEnv?.ca ?? ['TLS_CA_PATH', 'NODE_EXTRA_CA_CERTS'],
      clientAuth: props.mtlsEnv?.clientAuth ?? 'TLS_CLIENT_AUTH',
      clientCert: props.mtlsEnv?.clientCert ?? 'TLS_CLIENT_CERT_PATH',
      clientKey: props.mtlsEnv?.clientKey ?? 'TLS_CLIENT_KEY_PATH',
    };

    this.deployment = this.addDeployment(props);
    this.deploymentObject = ApiObject.of(this.deployment);
    this.podLabels = this.deployment.matchLabels;
    this.container = this.addAppContainer(props, tls);
    this.serviceObject = this.addService(props, serviceType, !!tls);
    if (props.networkPolicy) this.addNetworkPolicy(props.port);
  }

  /** The checks of the props that need no other construct. Returns the Service type. */
  private checkProps(props: SecureWorkloadProps, tls: boolean): ServiceType {
    checkName(this, 'name', props.name, NameKind.LABEL, 'use an RFC 1123 label (lower-case letters, digits, "-", at most 63 characters): it becomes the Service DNS name');
    check(typeof props.image === 'string' && props.image.length > 0 && !/\s/.test(props.image), this, 'image', props.image, 'give an image reference such as "ghcr.io/org/app:1.2.3"');
    check(isPort(props.port), this, 'port', props.port, 'use a port between 1 and 65535');
    const servicePort = props.servicePort ?? (tls ? 443 : 80);
    check(isPort(servicePort), this, 'servicePort', servicePort, 'use a port between 1 and 65535');
    check(Number.isInteger(this.user) && this.user > 0, this, 'runAsUser', this.user, 'use a non-zero UID: Pod Security Standards restricted forbids root');
    const replicas = props.replicas ?? 2;
    check(Number.isInteger(replicas) && replicas >= 0, this, 'replicas', replicas, 'use a whole number of at least 0 (2 or more keeps the app up during a rollout)');
    const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
    check(Object.values(ServiceType).includes(serviceType), this, 'serviceType', serviceType, 'use ServiceType.CLUSTER_IP, LOAD_BALANCER or NODE_PORT');
    check(tls || serviceType === ServiceType.CLUSTER_IP, this, 'serviceType', serviceType,
      'a plain-HTTP app behind a LoadBalancer or NodePort Service is served unencrypted around the TLS edge: keep it ClusterIP and route it through an edge, or give the workload tls');
    this.checkEnv('env', props.env);
    return serviceType;
  }

  /** The served certificate's mount, checked: a directory of its own, a mode no other user reads, a certificate that is no CA's. */
  private tlsMount(tls: WorkloadTlsOptions): Required<Omit<WorkloadTlsOptions, 'env'>> & { env: TlsEnv } {
    const mountPath = tls.mountPath ?? '/etc/tls';
    const fileMode = tls.fileMode ?? 0o440;
    const env = tls.env ?? TlsEnv.directory();
    check(fileMode === 0o440 || fileMode === 0o400, this, 'tls.fileMode', `0${fileMode?.toString(8)}`, 'use 0o440 or 0o400: a private key must not be readable by other users');
    const problem = mountPathProblem(mountPath);
    if (problem) fail(this, 'tls.mountPath', mountPath, `${problem}; use a directory of its own such as "/etc/tls"`);
    check(![TRUST_DIR, CLIENT_DIR].includes(normalMountPath(mountPath)), this, 'tls.mountPath', mountPath, `${TRUST_DIR} and ${CLIENT_DIR} hold the CA bundle and the client certificate: use another directory such as "/etc/tls"`);
    this.checkMountable(tls.certificate, 'tls.certificate');
    const { pkcs12, jks } = env.names;
    for (const [v, file] of [[pkcs12, 'keystore.p12'], [jks, 'keystore.jks']]) {
      check(!v || tls.certificate.keystoreFiles.includes(file!), this, 'tls.env', v, `the app is pointed at ${file} but ${tls.certificate.node.path} writes no such keystore: add keystores to the certificate`);
    }
    return { certificate: tls.certificate, mountPath, fileMode, env };
  }

  /**
   * The Deployment: Pod Security Standards *restricted* (non-root user and group, no service account token, seccomp
   * RuntimeDefault). cdk8s-plus-27 cannot express seccomp: it is patched in.
   */
  private addDeployment(props: SecureWorkloadProps): kplus.Deployment {
    const user = this.user;
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name },
      replicas: props.replicas ?? 2,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user, group: user, fsGroup: user },
    });
    ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    return deployment;
  }

  /**
   * The app's container: read-only root filesystem (with a writable /tmp), every capability dropped, no privilege
   * escalation; its certificate mounted and its variables set; HTTPS probes when it serves TLS.
   */
  private addAppContainer(props: SecureWorkloadProps, tls?: ReturnType<SecureWorkload['tlsMount']>): kplus.Container {
    const user = this.user;
    const tcpProbe = kplus.Probe.fromTcpSocket({ port: props.port });
    const configuredProbe = (props.probe ?? ProbeKind.HTTP_GET) === ProbeKind.TCP
      ? tcpProbe
      : kplus.Probe.fromHttpGet(props.healthPath ?? '/healthz', { port: props.port, scheme: tls ? kplus.ConnectionScheme.HTTPS : kplus.ConnectionScheme.HTTP });
    // Chosen at synth time: once the app requires client certificates (see requireClientCertificates), an HTTPS
    // probe cannot pass the handshake (the kubelet has no client certificate), so the port is probed instead.
    const probe = { _toKube: (c: kplus.Container) => (this.clientAuth ? tcpProbe : configuredProbe)._toKube(c) } as unknown as kplus.Probe;
    const container = this.deployment.addContainer({
      name: props.name,
      image: props.image,
      portNumber: props.port,
      args: props.args,
      envVariables: this.envVariables(props.env ?? {}, props.secretEnv ?? {}),
      readiness: probe,
      liveness: probe,
      resources: this.resources('resources', props.resources),
      securityContext: { ensureNonRoot: true, user, group: user, privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    });
    // cdk8s-plus-27's capabilities prop only exists from 2.7.x on: patched, so every supported version emits it.
    this.deploymentObject.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
    // A read-only root filesystem still needs somewhere to write temporary files.
    container.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp'));
    if (tls) {
      this.mountCertificate(container, tls.certificate, 'tls', tls.mountPath, tls.fileMode);
      for (const [name, value] of Object.entries(tls.env.render(tls.mountPath))) this.setEnv(container, name, value, 'tls.env', 'where the app finds its certificate');
    }
    return container;
  }

  /** The Service, its port labelled with the appProtocol (cdk8s-plus-27 has no field for it: patched in). */
  private addService(props: SecureWorkloadProps, type: ServiceType, tls: boolean): ApiObject {
    const service = ApiObject.of(new kplus.Service(this, 'Service', {
      metadata: { name: props.name },
      type: type as unknown as kplus.ServiceType, // the same values: ClusterIP, LoadBalancer, NodePort
      selector: this.deployment,
      ports: [{ name: tls ? 'https' : 'http', port: this.servicePort, targetPort: props.port }],
    }));
    service.addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', this.appProtocol));
    return service;
  }

  /**
   * Sets a variable the library derives (a file path, a URL, a mode) on the app's container. A variable the user set
   * in `env` or `secretEnv` is never replaced: that is refused, naming both.
   */
  private setEnv(container: kplus.Container, name: string, value: string, field: string, what: string): void {
    this.checkEnvFree(name, value, field, what);
    container.env.addVariable(name, kplus.EnvValue.fromValue(value));
  }

  private checkEnvFree(name: string, value: string, field: string, what: string): void {
    check(!this.userEnv.has(name), this, `env.${name}`, name,
      `the library sets ${name} to "${value}" (${what}, from ${field}), which would replace your value: drop it from env/secretEnv, or give the library another variable name (${field})`);
  }

  /** The client certificate the app presents (after {@link SecureWorkload.connectTo} with mutualTls or {@link SecureWorkload.presentClientCertificate}). */
  public get clientCertificate(): TlsCertificate | undefined {
    return this.presented;
  }

  /** The CA bundle the app trusts (after {@link SecureWorkload.trust} or {@link SecureWorkload.connectTo}). */
  public get trustBundle(): TrustBundleRef | undefined {
    return this.trusted;
  }

  /** Whether the app must verify client certificates (after {@link SecureWorkload.requireClientCertificates}). */
  public get requiresClientCertificates(): boolean {
    return this.clientAuth;
  }

  /** Workloads allowed to call this one ({@link SecureWorkload.allowFrom}, {@link SecureWorkload.connectTo}). */
  public get callers(): readonly SecureWorkload[] {
    return [...this.allowed];
  }

  /**
   * Adds a container to the workload's pods (a sidecar), with the same restrictions as the app's: non-root as
   * `runAsUser`, read-only root filesystem with a writable `/tmp` of its own, every capability dropped, no privilege
   * escalation. Its variables are checked like the app's.
   */
  public addContainer(spec: ContainerSpec): void {
    const index = this.deployment.containers.length;
    const field = `containers[${spec.name}]`;
    checkName(this, `${field}.name`, spec.name, NameKind.LABEL, 'use an RFC 1123 label such as "log-shipper"');
    check(!this.deployment.containers.some((c) => c.name === spec.name), this, `${field}.name`, spec.name, 'use a name no other container of the pod has');
    check(typeof spec.image === 'string' && spec.image.length > 0 && !/\s/.test(spec.image), this, `${field}.image`, spec.image, 'give an image reference such as "ghcr.io/org/sidecar:1.2.3"');
    if (spec.port !== undefined) check(isPort(spec.port), this, `${field}.port`, spec.port, 'use a port between 1 and 65535');
    this.checkEnv(`${field}.env`, spec.env);
    const user = this.user;
    const container = this.deployment.addContainer({
      name: spec.name,
      image: spec.image,
      portNumber: spec.port,
      args: spec.args,
      envVariables: this.envVariables(spec.env ?? {}, spec.secretEnv ?? {}, spec.name),
      resources: this.resources(`${field}.resources`, spec.resources),
      securityContext: { ensureNonRoot: true, user, group: user, privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    });
    container.mount('/tmp', kplus.Volume.fromEmptyDir(this, `TmpVolume-${spec.name}`, `tmp-${spec.name}`));
    this.deploymentObject.addJsonPatch(JsonPatch.add(`/spec/template/spec/containers/${index}/securityContext/capabilities`, { drop: ['ALL'] }));
  }

  /** Mounts the CA bundle (a ConfigMap trust-manager writes) read-only and points the app's clients at it. */
  public trust(bundle: TrustBundleRef): void {
    if (this.trusted) {
      check(this.trusted.configMapName === bundle.configMapName, this, 'trust', bundle.configMapName,
        `the workload already trusts "${this.trusted.configMapName}"; one bundle per workload (publish both CAs in one Bundle)`);
      return;
    }
    const file = `${TRUST_DIR}/${bundle.key}`;
    for (const name of this.mtlsEnv.ca) this.checkEnvFree(name, file, 'mtlsEnv.ca', 'the CA bundle the app trusts');
    this.trusted = bundle;
    const configMap = kplus.ConfigMap.fromConfigMapName(this, 'TrustConfigMap', bundle.configMapName);
    this.container.mount(TRUST_DIR, kplus.Volume.fromConfigMap(this, 'TrustVolume', configMap, { name: 'tls-ca', defaultMode: 0o444 }), { readOnly: true });
    for (const name of this.mtlsEnv.ca) this.setEnv(this.container, name, file, 'mtlsEnv.ca', 'the CA bundle the app trusts');
    labelNamespaceOf(this, bundle.namespaceLabel);
  }

  /** Makes the app require and verify client certificates from the CA of `bundle`. The app must serve TLS. */
  public requireClientCertificates(bundle: TrustBundleRef): void {
    check(!!this.certificate, this, 'tls', undefined, `workload "${this.serviceName}" must serve TLS before it can require client certificates: give it tls.certificate`);
    if (!this.clientAuth) this.checkEnvFree(this.mtlsEnv.clientAuth, 'required', 'mtlsEnv.clientAuth', 'that clients must present a certificate');
    this.trust(bundle);
    if (this.clientAuth) return;
    this.setEnv(this.container, this.mtlsEnv.clientAuth, 'required', 'mtlsEnv.clientAuth', 'that clients must present a certificate');
    this.clientAuth = true;
  }

  /** Mounts a client certificate (usage `client auth`) the app presents to servers that require one. */
  public presentClientCertificate(certificate: TlsCertificate): void {
    check(certificate.usages.includes(KeyUsage.CLIENT_AUTH), this, 'clientCertificate', certificate.node.path, 'use a certificate with usages [DIGITAL_SIGNATURE, CLIENT_AUTH]');
    if (this.presented) {
      check(this.presented === certificate, this, 'clientCertificate', certificate.node.path, `the workload already presents ${this.presented.node.path}`);
      return;
    }
    this.checkMountable(certificate, 'clientCertificate');
    const [cert, key] = [`${CLIENT_DIR}/tls.crt`, `${CLIENT_DIR}/tls.key`];
    this.checkEnvFree(this.mtlsEnv.clientCert, cert, 'mtlsEnv.clientCert', 'the client certificate the app presents');
    this.checkEnvFree(this.mtlsEnv.clientKey, key, 'mtlsEnv.clientKey', 'the key of that client certificate');
    this.presented = certificate;
    this.mountCertificate(this.container, certificate, 'tls-client', CLIENT_DIR, 0o440);
    this.setEnv(this.container, this.mtlsEnv.clientCert, cert, 'mtlsEnv.clientCert', 'the client certificate the app presents');
    this.setEnv(this.container, this.mtlsEnv.clientKey, key, 'mtlsEnv.clientKey', 'the key of that client certificate');
  }

  /**
   * Wires this workload as a client of `server` over verified HTTPS: both sides at once. The client trusts the
   * server's CA and gets its URL; with `mutualTls` the client also gets a client certificate from that CA and the
   * server requires one. The server is told to admit this caller (NetworkPolicy). Everything is checked before either
   * side changes.
   */
  public connectTo(server: SecureWorkload, options: ConnectOptions = {}): void {
    const cert = server.certificate;
    if (!cert) fail(this, 'connectTo', server.serviceName, `"${server.serviceName}" serves plain HTTP: give it a certificate (tls) so the call is encrypted and verified`);
    const host = `${server.serviceName}.${server.namespace}.svc`;
    check(cert.covers(host), this, 'connectTo', server.serviceName,
      `the client calls ${host} but ${cert.node.path} does not name it, so hostname verification would fail: add serviceDnsNames("${server.serviceName}", "${server.namespace}") to its dnsNames`);
    const issuer = cert.issuer;
    const bundle = issuer instanceof CaIssuer ? issuer.trustBundle : undefined;
    if (!bundle && issuer.issuerType !== IssuerType.ACME) {
      fail(this, 'connectTo', server.serviceName, `the certificate of "${server.serviceName}" comes from ${issuer.issuerType} issuer "${issuer.issuerName}", which clients cannot verify: issue it from an InternalCa (its trust bundle is mounted into clients)`);
    }
    const urlEnv = options.urlEnv ?? `${server.serviceName.toUpperCase().replace(/-/g, '_')}_URL`;
    this.checkEnvFree(urlEnv, server.url, 'connectTo urlEnv', `the URL of ${server.serviceName}`);
    if (options.mutualTls) {
      if (!bundle) fail(this, 'connectTo', server.serviceName, 'mutual TLS needs an internal CA on both sides: issue the server certificate from an InternalCa');
      check(!this.presented || this.presented.issuer === issuer, this, 'connectTo', server.serviceName,
        `this client presents a certificate from "${this.presented?.issuer.issuerName}" but "${server.serviceName}" verifies clients against "${issuer.issuerName}"`);
      if (!server.clientAuth) server.checkEnvFree(server.mtlsEnv.clientAuth, 'required', 'mtlsEnv.clientAuth', 'that clients must present a certificate');
    }
    if (bundle) this.trust(bundle);
    this.setEnv(this.container, urlEnv, server.url, 'connectTo urlEnv', `the URL of ${server.serviceName}`);
    if (options.mutualTls) {
      this.presentClientCertificate(this.presented ?? new TlsCertificate(this, 'ClientCertificate', {
        name: `${this.serviceName}-client`, commonName: this.serviceName, issuer,
        usages: [KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CLIENT_AUTH],
      }));
      server.requireClientCertificates(bundle!);
    }
    server.allowFrom(this);
  }

  /**
   * Admits the proxies of an edge that routes to this workload (their namespace) through its NetworkPolicy.
   * @param controller the namespace the edge's controller is usually installed in (its chart's), when this is another:
   * recorded on the NetworkPolicy so that the cluster requirements say where to install it
   * Experimental: the edges call it; how a NetworkPolicy admits an edge may change.
   * @experimental
   */
  public admitEdge(controllerNamespace: string, controller?: string): void {
    this.edges.add(controllerNamespace);
    if (controller && controller !== controllerNamespace && this.networkPolicy) {
      this.movedControllers.add(`${controller}=${controllerNamespace}`);
      this.networkPolicy.metadata.addAnnotation(EDGE_CONTROLLERS_ANNOTATION, [...this.movedControllers].sort().join(','));
    }
  }

  /** Admits `caller` through this workload's NetworkPolicy (when it has one). */
  public allowFrom(caller: SecureWorkload): void {
    if (!this.allowed.includes(caller)) this.allowed.push(caller);
  }

  private checkEnv(field: string, env: Record<string, string> = {}): void {
    for (const [name, value] of Object.entries(env)) {
      const problem = literalSecretProblem(name, value);
      if (problem) {
        fail(this, `${field}.${name}`, redactSecret(value), `${problem}, and a secret's value does not belong in the YAML (the Deployment is readable by anyone who can read manifests): `
          + `move it to secretEnv: { ${name}: { name: '<secret>', key: '<key>' } } (a Secret key holding the whole value)`);
      }
    }
  }

  /** A container's variables: plain values, then those read from Secret keys. */
  private envVariables(env: Record<string, string>, secretEnv: Record<string, SecretKeyRef>, container = ''): Record<string, kplus.EnvValue> {
    return {
      ...mapValues(env, (v) => kplus.EnvValue.fromValue(v)),
      ...mapValues(secretEnv, (ref, name) => kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, `SecretEnv${container}${name}`, ref.name), key: ref.key })),
    };
  }

  /** CPU and memory as cdk8s-plus takes them (its defaults where nothing is given). */
  private resources(field: string, r?: ResourceRequirements): kplus.ContainerResources | undefined {
    if (!r) return undefined;
    const millis = (f: string, v?: number) => {
      if (v === undefined) return undefined;
      check(Number.isInteger(v) && v > 0, this, `${field}.cpu.${f}`, v, 'give whole millicores above 0, e.g. 250 (a quarter of a core)');
      return kplus.Cpu.millis(v);
    };
    const bytes = (f: string, v?: Size) => {
      if (v === undefined) return undefined;
      const b = sizeBytes(v);
      check(b !== undefined && b > 0, this, `${field}.memory.${f}`, b, 'give a whole, positive size such as Size.mebibytes(256)');
      return v;
    };
    const cpu = r.cpu && { request: millis('request', r.cpu.request), limit: millis('limit', r.cpu.limit) };
    const memory = r.memory && { request: bytes('request', r.memory.request), limit: bytes('limit', r.memory.limit) };
    return { cpu, memory };
  }

  private checkMountable(certificate: TlsCertificate, field: string): void {
    check(!certificate.isCa, this, field, certificate.node.path, 'never mount a CA\'s Secret (it holds the CA key) into an app: mount its trust bundle with trust()');
    check(certificate.namespace === this.namespace, this, field, certificate.node.path,
      `the certificate's Secret is in namespace "${certificate.namespace}" but the workload runs in "${this.namespace}": create the certificate in the workload's chart`);
  }

  private mountCertificate(container: kplus.Container, certificate: TlsCertificate, volumeName: string, dir: string, mode: number): void {
    const secret = kplus.Secret.fromSecretName(this, `Secret-${volumeName}`, certificate.secretName);
    container.mount(dir, kplus.Volume.fromSecret(this, `Volume-${volumeName}`, secret, { name: volumeName, defaultMode: mode }), { readOnly: true });
    if (this.reloadStrategy === ReloadStrategy.STAKATER_RELOADER) {
      this.reloadSecrets.push(certificate.secretName);
      this.deployment.metadata.addAnnotation('secret.reloader.stakater.com/reload', this.reloadSecrets.join(','));
    }
  }

  /**
   * Ingress only from what routes to or calls this workload (edges, by their controller's namespace; callers, by
   * namespace and pod labels). With neither, no ingress at all: a rule whose `from` is empty would admit every source
   * (NetworkPolicyIngressRule: "If this field is empty or missing, this rule matches all sources").
   */
  private addNetworkPolicy(port: number): void {
    const selector = (w: SecureWorkload) => ({ matchLabels: { ...w.podLabels } });
    const sources = () => [
      ...[...this.edges].sort().map((n) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': n } } })),
      ...this.allowed.map((c) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': c.namespace } }, podSelector: selector(c) })),
    ];
    this.networkPolicy = new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.serviceName },
      spec: {
        podSelector: selector(this),
        policyTypes: ['Ingress'],
        ingress: Lazy.any({
          produce: () => {
            const from = sources();
            return from.length ? [{ ports: [{ port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' }], from }] : [];
          },
        }),
      },
    });
  }

  /** In-cluster URL of the Service, e.g. `https://api.shop.svc:443` (scheme from the appProtocol). */
  public get url(): string {
    const scheme = { 'https': 'https', 'http': 'http', 'kubernetes.io/wss': 'wss', 'kubernetes.io/ws': 'ws' }[this.appProtocol];
    return `${scheme}://${this.serviceName}${this.namespace ? `.${this.namespace}.svc` : ''}:${this.servicePort}`;
  }

}

/** The bytes of a cdk8s Size, or undefined when it is not a whole number of bytes (NaN, fractions). */
function sizeBytes(size: Size): number | undefined {
  try {
    const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
    return Number.isFinite(kib) && Number.isInteger(kib * 1024) ? kib * 1024 : undefined;
  } catch {
    return undefined; // not a whole number of KiB
  }
}

function mapValues<A, B>(o: Record<string, A>, f: (a: A, key: string) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));
}
