import { literalSecretProblem, mountPathProblem, redactSecret } from '../policy/validation';
import { Facts, Input, InputDoc, integer, list, quantityBytes, record, text } from './facts';
import { AppModel, NoteKind, Origin, SecretRef } from './model';

// The Services routes name and the Deployments behind them: each becomes an app (a SecureWorkload), read only when a
// route reaches it. An app keeps its image, ports, args, plain and Secret-read variables, probe, replicas and user.

const WS_PROTOCOLS = new Set(['kubernetes.io/ws', 'kubernetes.io/wss', 'ws', 'wss']);
/** Variables that turn certificate verification off (the check's verify-off rule): never carried over. */
const VERIFY_OFF: Record<string, string> = { NODE_TLS_REJECT_UNAUTHORIZED: '0', PYTHONHTTPSVERIFY: '0' };
/** Fields of a Deployment, its pod and its container that an app's spec says (or that the library sets itself). */
const READ_FIELDS = {
  deployment: new Set(['replicas', 'selector', 'template', 'strategy', 'progressDeadlineSeconds', 'minReadySeconds', 'revisionHistoryLimit']),
  pod: new Set(['containers', 'initContainers', 'volumes', 'securityContext', 'hostNetwork', 'automountServiceAccountToken', 'restartPolicy', 'dnsPolicy', 'terminationGracePeriodSeconds', 'setHostnameAsFQDN']),
  container: new Set(['name', 'image', 'ports', 'env', 'envFrom', 'args', 'command', 'readinessProbe', 'livenessProbe', 'startupProbe', 'resources', 'volumeMounts', 'securityContext', 'imagePullPolicy']),
  service: new Set(['selector', 'ports', 'type', 'clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy']),
};

/** One note for the fields of `object` an app cannot say, if it has any. */
function unsaid(facts: Facts, origin: Origin, what: string, object: Record<string, unknown>, read: Set<string>, at: { namespace: string; app: string }): void {
  const extra = Object.keys(object).filter((k) => !read.has(k));
  if (extra.length) {
    facts.note(NoteKind.CANNOT, origin, `${what} ${extra.join(', ')}`, 'settings an app\'s spec has no field for: not carried over',
      `patch them in (chart.workloads['${at.app}'].${what === 'Service' ? 'serviceObject' : 'deploymentObject'}.addJsonPatch(JsonPatch.add(...)))`, at);
  }
}

/** Pod kinds a route may reach that the library does not build (it builds Deployments). */
const OTHER_POD_KINDS = ['StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'];

/** An app resolved from a Service (and its Deployment), with the certificate Secrets its pod mounts. */
export interface ResolvedApp {
  readonly app: AppModel;
  /** Secret volumes of the app's container: a site's Secret makes the app serve that site itself. */
  readonly secretMounts: Array<{ readonly secretName: string; readonly mountPath: string }>;
  /** The Service port says WebSocket (appProtocol kubernetes.io/ws). */
  readonly serviceSaysWebsocket: boolean;
}

/** The app behind `service` (port `port`) in `ns`, reading its Service and Deployment if the input has them. */
export function resolveApp(input: Input, facts: Facts, ns: string, service: string, port: number | string | undefined, origin: Origin): ResolvedApp {
  const at = { namespace: ns, app: service };
  const svc = input.named('Service', ns, service);
  if (svc) facts.used.add(svc.origin.index);
  const spec = record(svc?.doc.spec);
  const ports = list(spec.ports).map(record);
  const servicePort = ports.find((p) => (typeof port === 'number' ? integer(p.port) === port : port !== undefined ? text(p.name) === port : true)) ?? (port === undefined ? ports[0] : undefined);
  if (svc && !servicePort) facts.note(NoteKind.CANNOT, origin, `port ${port} of Service ${ns}/${service}`, 'the Service has no such port: the app\'s port is a guess', 'check port and servicePort of the app', at);
  if (svc && ['LoadBalancer', 'NodePort'].includes(text(spec.type) ?? '')) {
    facts.note(NoteKind.CHANGED, svc.origin, `Service type ${text(spec.type)}`, 'a plain-HTTP app behind a LoadBalancer or NodePort is reachable around the TLS edge: the Service is ClusterIP', undefined, at);
  }
  if (svc) unsaid(facts, svc.origin, 'Service', spec, READ_FIELDS.service, at);
  if (svc && text(spec.type) === 'ExternalName') facts.note(NoteKind.CANNOT, svc.origin, 'ExternalName Service', 'a route to something outside the cluster: the library routes to its apps', 'keep applying this Service and an Ingress or route for it', at);
  const serviceSaysWebsocket = WS_PROTOCOLS.has((text(servicePort?.appProtocol) ?? '').toLowerCase());
  const number = integer(servicePort?.port) ?? (typeof port === 'number' ? port : undefined);
  const target = servicePort?.targetPort ?? number;
  const selector = record(spec.selector);
  const workload = Object.keys(selector).length ? podOwner(input, ns, selector) : undefined;
  if (workload && workload.origin.kind !== 'Deployment') {
    facts.note(NoteKind.CANNOT, workload.origin, `${workload.origin.kind} ${workload.origin.name}`, 'the library builds Deployments: the app\'s image and port are taken from it, but its kind is not', `keep applying the ${workload.origin.kind} and its Service, and route to them outside the stack`, at);
  }
  const deployment = workload?.origin.kind === 'Deployment' ? workload : undefined;
  if (deployment) facts.used.add(deployment.origin.index);
  if (deployment && deployment.origin.name !== service) {
    facts.note(NoteKind.CHANGED, deployment.origin, `Deployment ${deployment.origin.name}`, `the library names the Deployment after its Service: "${service}"`, 'delete the old Deployment once the new one runs', at);
  }
  const read = deployment ? readDeployment(deployment, target, facts, service, ns) : undefined;
  const containerPort = read?.port ?? integer(target) ?? number ?? 80;
  if (!read) {
    facts.note(NoteKind.CANNOT, svc?.origin ?? origin, `app ${service}`, `the input has no Deployment behind Service ${ns}/${service}: the library builds the Deployment and the Service itself, and the image is a placeholder`,
      'set the app\'s image (and check port and healthPath) in the spec; then stop applying the Deployment you run today', at);
  }
  const app: AppModel = {
    name: service,
    image: read?.image ?? `replace-me.invalid/${service}:0.0.0`,
    placeholder: !read?.image,
    port: containerPort,
    ...(number !== undefined && number !== 80 ? { servicePort: number } : {}),
    websocket: serviceSaysWebsocket,
    env: read?.env ?? {},
    secretEnv: read?.secretEnv ?? {},
    ...(read?.args?.length ? { args: read.args } : {}),
    probe: read?.probe ?? 'tcp',
    ...(read?.healthPath ? { healthPath: read.healthPath } : {}),
    ...(read ? { replicas: read.replicas } : {}),
    ...(read?.runAsUser !== undefined ? { runAsUser: read.runAsUser } : {}),
    ...(read?.resources ? { resources: read.resources } : {}),
    origin: deployment?.origin ?? svc?.origin ?? origin,
  };
  return { app, secretMounts: read?.secretMounts ?? [], serviceSaysWebsocket };
}

/** The workload whose pod template carries every label of the selector (first in file order). */
function podOwner(input: Input, ns: string, selector: Record<string, unknown>): InputDoc | undefined {
  return input.of('Deployment', ...OTHER_POD_KINDS).find((d) => {
    if ((d.origin.namespace ?? 'default') !== ns) return false;
    const labels = record(record(d.origin.kind === 'Pod' ? d.doc.metadata : record(record(d.doc.spec).template).metadata).labels);
    return Object.entries(selector).every(([k, v]) => text(labels[k]) === text(v));
  });
}

interface ReadDeployment {
  image?: string;
  port?: number;
  env: Record<string, string>;
  secretEnv: Record<string, SecretRef>;
  args?: string[];
  probe: 'tcp' | 'http';
  healthPath?: string;
  replicas: number;
  runAsUser?: number;
  resources?: AppModel['resources'];
  secretMounts: Array<{ secretName: string; mountPath: string }>;
}

function readDeployment(d: InputDoc, target: unknown, facts: Facts, app: string, ns: string): ReadDeployment {
  const o = d.origin;
  const at = { namespace: ns, app };
  const spec = record(d.doc.spec);
  const pod = record(record(spec.template).spec);
  const containers = list(pod.containers).map(record);
  const byPort = containers.find((c) => list(c.ports).some((p) => (typeof target === 'string' ? text(record(p).name) === target : integer(record(p).containerPort) === integer(target))));
  const c = byPort ?? containers[0] ?? {};
  const named = typeof target === 'string' ? list(c.ports).map(record).find((p) => text(p.name) === target) : undefined;
  const port = integer(named?.containerPort) ?? integer(target) ?? integer(record(list(c.ports)[0]).containerPort);
  unsaid(facts, o, 'Deployment', spec, READ_FIELDS.deployment, at);
  unsaid(facts, o, 'pod', pod, READ_FIELDS.pod, at);
  unsaid(facts, o, `container ${text(c.name) ?? ''}`.trim(), c, READ_FIELDS.container, at);
  for (const other of containers.filter((x) => x !== c)) {
    facts.note(NoteKind.CANNOT, o, `container ${text(other.name)}`, 'a second container (a sidecar): an app\'s spec has one', `add it with chart.workloads['${app}'].addContainer({ name, image, ... }) (it runs as restricted as the app)`, at);
  }
  if (list(pod.initContainers).length) facts.note(NoteKind.CANNOT, o, 'initContainers', 'init containers: an app\'s spec has none', 'patch them in with chart.workloads[...].deploymentObject.addJsonPatch', at);
  if (c.command !== undefined) facts.note(NoteKind.CANNOT, o, `container ${text(c.name)} command`, 'the image\'s entrypoint is kept: an app\'s spec has args only', 'patch it in with deploymentObject.addJsonPatch(JsonPatch.add(\'/spec/template/spec/containers/0/command\', [...]))', at);
  if (list(c.envFrom).length) facts.note(NoteKind.CANNOT, o, 'envFrom', 'variables from a whole ConfigMap or Secret', 'list them in env or secretEnv', at);
  if (pod.hostNetwork === true || record(c.securityContext).privileged === true) {
    facts.note(NoteKind.REFUSED, o, 'hostNetwork / privileged', 'Pod Security Standards restricted: the app runs unprivileged in its own network namespace', undefined, at);
  }

  const env: Record<string, string> = {};
  const secretEnv: Record<string, SecretRef> = {};
  for (const e of list(c.env).map(record)) {
    const name = text(e.name);
    if (!name) continue;
    const secretRef = record(record(e.valueFrom).secretKeyRef);
    if (e.valueFrom !== undefined) {
      if (text(secretRef.name) && text(secretRef.key)) secretEnv[name] = { name: text(secretRef.name)!, key: text(secretRef.key)! };
      else facts.note(NoteKind.CANNOT, o, `env ${name}`, 'a variable from a ConfigMap, a field or a resource', 'patch it in with deploymentObject.addJsonPatch', at);
      continue;
    }
    const value = text(e.value) ?? '';
    if (VERIFY_OFF[name] === value) {
      facts.note(NoteKind.REFUSED, o, `env ${name}=${value}`, 'turns certificate verification off: dropped', 'trust the CA instead (apps[].calls mounts the internal CA bundle; NODE_EXTRA_CA_CERTS)', at);
      continue;
    }
    const problem = literalSecretProblem(name, value);
    if (problem) {
      const key = name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
      secretEnv[name] = { name: `${app}-env`, key };
      facts.note(NoteKind.REFUSED, o, `env ${name}`, `a literal secret (${redactSecret(value)}: ${problem}): the spec reads it from Secret ${app}-env, key ${key}`,
        `create it: kubectl -n ${ns} create secret generic ${app}-env --from-literal=${key}=...`, at);
      continue;
    }
    env[name] = value;
  }

  const probe = record(c.readinessProbe ?? c.livenessProbe);
  const httpGet = record(probe.httpGet);
  let kind: 'tcp' | 'http' = 'tcp';
  let healthPath: string | undefined;
  if (text(httpGet.path) !== undefined || probe.httpGet !== undefined) {
    kind = 'http';
    healthPath = text(httpGet.path) ?? '/';
    if (text(httpGet.scheme) === 'HTTPS') facts.note(NoteKind.CHANGED, o, 'probe scheme HTTPS', 'the app is probed over HTTP unless it serves a site\'s certificate itself', undefined, at);
  } else if (probe.tcpSocket === undefined) {
    facts.note(c.readinessProbe || c.livenessProbe ? NoteKind.CANNOT : NoteKind.ADDED, o, 'probe',
      c.readinessProbe || c.livenessProbe ? 'an exec or gRPC probe: the app gets a TCP probe of its port' : 'the app had no probe: it gets a TCP probe of its port', 'set healthPath for an HTTP probe', at);
  }

  const user = integer(record(c.securityContext).runAsUser) ?? integer(record(pod.securityContext).runAsUser);
  const secretVolumes = new Map(list(pod.volumes).map(record).filter((v) => text(record(v.secret).secretName)).map((v) => [text(v.name), text(record(v.secret).secretName)!]));
  const secretMounts: ReadDeployment['secretMounts'] = [];
  for (const m of list(c.volumeMounts).map(record)) {
    const secretName = secretVolumes.get(text(m.name));
    const mountPath = text(m.mountPath) ?? '';
    if (secretName && !mountPathProblem(mountPath) && !m.subPath) secretMounts.push({ secretName, mountPath });
    else if (mountPath !== '/tmp') facts.note(NoteKind.CANNOT, o, `volume mount ${mountPath}`, 'a volume the library does not mount (it mounts /tmp and the certificates)', 'patch it in with deploymentObject.addJsonPatch (the read-only root filesystem stays)', at);
  }
  return {
    image: text(c.image), port, env, secretEnv,
    ...(list(c.args).length ? { args: list(c.args).map((a) => text(a) ?? '') } : {}),
    probe: kind, ...(healthPath && healthPath !== '/healthz' ? { healthPath } : {}),
    replicas: integer(spec.replicas) ?? 1,
    ...(user !== undefined && user > 0 ? { runAsUser: user } : {}),
    resources: resources(record(c.resources), facts, o, at),
    secretMounts,
  };
}

/** CPU in millicores and memory in bytes (whole KiB), where the input gives them. */
function resources(r: Record<string, unknown>, facts: Facts, o: Origin, at: { namespace: string; app: string }): AppModel['resources'] {
  const cpu = (x: unknown) => {
    const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(text(x) ?? '');
    if (!m) return undefined;
    const millis = m[2] ? Number(m[1]) : Number(m[1]) * 1000;
    return Number.isInteger(millis) && millis > 0 ? millis : undefined;
  };
  const memory = (x: unknown) => {
    const b = quantityBytes(x);
    if (b === undefined) return undefined;
    const kib = Math.ceil(b / 1024) * 1024;
    if (kib !== b) facts.note(NoteKind.CHANGED, o, `memory ${text(x)}`, `rounded up to ${kib / 1024} KiB`, undefined, at);
    return kib;
  };
  const req = record(r.requests);
  const lim = record(r.limits);
  const c = { request: cpu(req.cpu), limit: cpu(lim.cpu) };
  const mem = { request: memory(req.memory), limit: memory(lim.memory) };
  const clean = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as T;
  const out = { ...(c.request || c.limit ? { cpu: clean(c) } : {}), ...(mem.request || mem.limit ? { memory: clean(mem) } : {}) };
  if (!out.cpu && !out.memory) facts.note(NoteKind.ADDED, o, 'resources', 'none in the input: the library\'s defaults (CPU request 1, limit 1.5; memory request 512 MiB, limit 2 GiB)', 'set apps[].resources', at);
  return Object.keys(out).length ? out : undefined;
}
