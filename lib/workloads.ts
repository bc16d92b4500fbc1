import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TlsCertificate } from './certificates';
import { SecretKeyRef } from './issuers';
import { check, isDnsLabel, isPort } from './policy/validation';

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
    const { enabled, dir: d, cert, key, ca } = this.names;
    const vars: Array<[string | undefined, string]> = [[enabled, 'true'], [d, dir], [cert, `${dir}/tls.crt`], [key, `${dir}/tls.key`], [ca, `${dir}/ca.crt`]];
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
}

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
  /** Service type. @default kplus.ServiceType.CLUSTER_IP */
  readonly serviceType?: kplus.ServiceType;
  /** Replicas. @default 2 */
  readonly replicas?: number;
  /** Extra plain environment variables (no secrets here: use `secretEnv`). @default none */
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
  /** Resources. @default cdk8s-plus defaults */
  readonly resources?: kplus.ContainerResources;
}

/**
 * A Deployment + Service that meets Pod Security Standards *restricted* and, when it serves TLS, mounts its
 * certificate Secret read-only as a whole directory, tells the app where the files are, probes over HTTPS,
 * restarts on renewal and labels the Service port with its `appProtocol`.
 */
export class SecureWorkload extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  /** The Service name: what callers put in URLs. */
  public readonly serviceName: string;
  public readonly servicePort: number;
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

  constructor(scope: Construct, id: string, props: SecureWorkloadProps) {
    super(scope, id);
    const tls = props.tls;
    const mountPath = tls ? tls.mountPath ?? '/etc/tls' : undefined;
    const fileMode = tls?.fileMode ?? 0o440;
    const servicePort = props.servicePort ?? (tls ? 443 : 80);
    const user = props.runAsUser ?? 10001;
    this.namespace = Chart.of(this).namespace;

    check(isDnsLabel(props.name), this, 'name', props.name, 'use an RFC 1123 label (lower-case letters, digits, "-", at most 63 characters): it becomes the Service DNS name');
    check(typeof props.image === 'string' && props.image.length > 0 && !/\s/.test(props.image), this, 'image', props.image, 'give an image reference such as "ghcr.io/org/app:1.2.3"');
    check(isPort(props.port), this, 'port', props.port, 'use a port between 1 and 65535');
    check(isPort(servicePort), this, 'servicePort', servicePort, 'use a port between 1 and 65535');
    check(Number.isInteger(user) && user > 0, this, 'runAsUser', user, 'use a non-zero UID: Pod Security Standards restricted forbids root');
    if (tls) {
      check(fileMode === 0o440 || fileMode === 0o400, this, 'tls.fileMode', `0${fileMode?.toString(8)}`, 'use 0o440 or 0o400: a private key must not be readable by other users');
      check(/^\/[^\s]*$/.test(mountPath!) && mountPath !== '/', this, 'tls.mountPath', mountPath, 'use an absolute directory such as "/etc/tls"');
      check(tls.certificate.namespace === this.namespace, this, 'tls.certificate', tls.certificate.node.path,
        `the certificate's Secret is in namespace "${tls.certificate.namespace}" but the workload runs in "${this.namespace}": create the certificate in the workload's chart`);
    }

    const protocol = this.protocol = props.protocol ?? AppProtocol.HTTP;
    this.appProtocol = protocol === AppProtocol.WEBSOCKET ? (tls ? 'kubernetes.io/wss' : 'kubernetes.io/ws') : (tls ? 'https' : 'http');
    this.serviceName = props.name;
    this.servicePort = servicePort;
    this.certificate = tls?.certificate;
    this.tlsMountPath = mountPath;

    const probe = (props.probe ?? ProbeKind.HTTP_GET) === ProbeKind.TCP
      ? kplus.Probe.fromTcpSocket({ port: props.port })
      : kplus.Probe.fromHttpGet(props.healthPath ?? '/healthz', { port: props.port, scheme: tls ? kplus.ConnectionScheme.HTTPS : kplus.ConnectionScheme.HTTP });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name },
      replicas: props.replicas ?? 2,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user, group: user, fsGroup: user },
    });
    const container = this.deployment.addContainer({
      name: props.name,
      image: props.image,
      portNumber: props.port,
      args: props.args,
      envVariables: {
        ...mapValues({ ...props.env, ...(tls ? (tls.env ?? TlsEnv.directory()).render(mountPath!) : {}) }, (v) => kplus.EnvValue.fromValue(v)),
        ...mapValues(props.secretEnv ?? {}, (ref, name) => kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, `SecretEnv${name}`, ref.name), key: ref.key })),
      },
      readiness: probe,
      liveness: probe,
      resources: props.resources,
      securityContext: {
        ensureNonRoot: true, user, group: user, privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL' as kplus.Capability] },
      },
    });
    // A read-only root filesystem still needs somewhere to write temporary files.
    container.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp'));
    if (tls) {
      const secret = kplus.Secret.fromSecretName(this, 'TlsSecret', tls.certificate.secretName);
      container.mount(mountPath!, kplus.Volume.fromSecret(this, 'TlsVolume', secret, { name: 'tls', defaultMode: fileMode }), { readOnly: true });
      if ((props.reload ?? ReloadStrategy.STAKATER_RELOADER) === ReloadStrategy.STAKATER_RELOADER) {
        this.deployment.metadata.addAnnotation('secret.reloader.stakater.com/reload', tls.certificate.secretName);
      }
    }
    // cdk8s-plus-27 cannot express seccomp; PSS restricted requires RuntimeDefault (or Localhost).
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name },
      type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      selector: this.deployment,
      ports: [{ name: tls ? 'https' : 'http', port: servicePort, targetPort: props.port }],
    });
    // cdk8s-plus-27 has no appProtocol on service ports.
    ApiObject.of(this.service).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', this.appProtocol));
  }

  /** In-cluster URL of the Service, e.g. `https://api.shop.svc:443` (scheme from the appProtocol). */
  public get url(): string {
    const scheme = { 'https': 'https', 'http': 'http', 'kubernetes.io/wss': 'wss', 'kubernetes.io/ws': 'ws' }[this.appProtocol];
    return `${scheme}://${this.serviceName}${this.namespace ? `.${this.namespace}.svc` : ''}:${this.servicePort}`;
  }

}

function mapValues<A, B>(o: Record<string, A>, f: (a: A, key: string) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));
}
