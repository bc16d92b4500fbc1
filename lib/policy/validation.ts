import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * The one error type the library throws for bad input. It names the construct path, the field, the bad value
 * and the fix, and it is thrown while the construct tree is built, so nothing is written.
 */
export class TlsStackError extends Error {
  constructor(
    /** Construct path of the construct that rejected the input. */
    public readonly path: string,
    /** The prop (dotted path) that holds the bad value. */
    public readonly field: string,
    /** The bad value, as given. */
    public readonly value: unknown,
    /** What to do instead. */
    public readonly fix: string,
  ) {
    super(`${path}: invalid ${field} ${JSON.stringify(value)}: ${fix}`);
    this.name = 'TlsStackError';
  }
}

/** Throws a {@link TlsStackError} for `scope`. */
export function fail(scope: IConstruct | string, field: string, value: unknown, fix: string): never {
  throw new TlsStackError(typeof scope === 'string' ? scope : scope.node.path || '<app>', field, value, fix);
}

/** Throws unless `ok`. */
export function check(ok: boolean, scope: IConstruct | string, field: string, value: unknown, fix: string): void {
  if (!ok) fail(scope, field, value, fix);
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** RFC 1123 DNS name (lower case), optionally with a single leading `*.` label. */
export function isDnsName(name: string, allowWildcard = true): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels[0] === '*' && allowWildcard) labels.shift();
  return labels.length > 0 && labels.every((l) => LABEL.test(l));
}

/** RFC 1123 label: what Kubernetes accepts as a Service or Namespace name. */
export function isDnsLabel(name: string): boolean {
  return typeof name === 'string' && LABEL.test(name);
}

/** A Kubernetes object name (RFC 1123 subdomain). */
export function isObjectName(name: string): boolean {
  return isDnsName(name, false);
}

export function isWildcard(name: string): boolean {
  return name.startsWith('*.');
}

/** True when certificate name `pattern` (possibly `*.zone`) covers `host`. */
export function nameCovers(pattern: string, host: string): boolean {
  if (!isWildcard(pattern)) return pattern === host;
  const zone = pattern.slice(1); // ".zone"
  return host.endsWith(zone) && !host.slice(0, -zone.length).includes('.') && host.length > zone.length;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export function isIpAddress(ip: string): boolean {
  if (IPV4.test(ip)) return true;
  // IPv6: hex groups with at most one '::'
  return /^[0-9a-f:]+$/i.test(ip) && ip.includes(':') && (ip.match(/::/g) ?? []).length <= 1 && ip.split(':').length <= 8;
}

export function isEmail(email: string): boolean {
  return typeof email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email);
}

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Groups items by key, keeping first-seen key order (one pass: no per-key scans). */
export function groupBy<T, K>(items: Iterable<T>, key: (t: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Renders a Duration the way cert-manager writes Go durations (`2160h`, `90m`). */
export function goDuration(d: Duration): string {
  const s = d.toSeconds();
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
