import { createHash } from 'crypto';
import { BlockList, isIPv4, isIPv6 } from 'net';
import { posix } from 'path';
import type { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import type { IConstruct } from 'constructs';

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
    super(`${path}: invalid ${field} ${showValue(value)}: ${fix}`);
    this.name = 'TlsStackError';
  }
}

/** A value as an error message shows it: JSON, with a construct as its path (a construct is no JSON: it is circular). */
function showValue(value: unknown): string {
  const isConstruct = (v: unknown): v is IConstruct => typeof v === 'object' && v !== null && typeof (v as IConstruct).node?.path === 'string';
  try {
    return JSON.stringify(value, (_key, v) => (isConstruct(v) ? `<${v.node.path}>` : typeof v === 'bigint' ? `${v}` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Throws a {@link TlsStackError} for `scope`. */
export function fail(scope: IConstruct | string, field: string, value: unknown, fix: string): never {
  throw new TlsStackError(typeof scope === 'string' ? scope : scope.node.path || '<app>', field, value, fix);
}

/**
 * Every element of a spec array is there: `new Array(n)` and `[a, , b]` are valid arrays to TypeScript, and an element
 * that is not there would end in a TypeError deep inside a construct.
 */
export function present(scope: IConstruct | string, field: string, items: readonly unknown[] | undefined): void {
  if (items === undefined) return;
  check(Array.isArray(items), scope, field, items, 'give a list');
  for (let i = 0; i < items.length; i++) check(items[i] !== undefined && items[i] !== null, scope, `${field}[${i}]`, items[i], 'fill in the element, or leave it out of the list');
}

/** Throws unless `ok`. A costly `fix` (one listing every app of a stack) is given as a function: made only on failure. */
export function check(ok: boolean, scope: IConstruct | string, field: string, value: unknown, fix: string | (() => string)): void {
  if (!ok) fail(scope, field, value, typeof fix === 'string' ? fix : fix());
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** What a name must be: an RFC 1123 label (namespaces, Services), an object name (subdomain), or a host (wildcard allowed). */
export enum NameKind {
  LABEL = 'label',
  OBJECT = 'object',
  HOST = 'host',
}

/** Why `name` is not a valid name of that kind (the first problem, in words), or undefined when it is valid. */
export function nameProblem(name: unknown, kind: NameKind): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'it is empty';
  const max = kind === NameKind.LABEL ? 63 : 253;
  if (name.length > max) return `it is too long (${name.length} > ${max} characters)`;
  if (/[A-Z]/.test(name)) return 'it has upper-case letters';
  const labels = name.split('.');
  if (kind === NameKind.LABEL && labels.length > 1) return 'it has "." (a label has none)';
  if (kind === NameKind.HOST && labels[0] === '*') labels.shift();
  if (labels.some((l) => l.includes('*'))) return 'it has "*" other than as the whole first label';
  for (const l of labels) {
    if (l.length === 0) return 'it has an empty label ("..", or a leading or trailing ".")';
    // DNS caps each label at 63; Kubernetes object names (IsDNS1123Subdomain) only cap the whole name.
    if (l.length > 63 && kind !== NameKind.OBJECT) return `its label "${l.slice(0, 20)}..." is too long (${l.length} > 63 characters)`;
    if (/[^a-z0-9-]/.test(l)) return `it has characters other than a-z, 0-9, "-" and "." (${JSON.stringify(l.replace(/[a-z0-9-]/g, '').slice(0, 5))})`;
    if (l.startsWith('-') || l.endsWith('-')) return `its label "${l}" starts or ends with "-"`;
  }
  return undefined;
}

/** Throws a {@link TlsStackError} naming what is wrong with the name, then the fix, unless it is valid. */
export function checkName(scope: IConstruct | string, field: string, name: unknown, kind: NameKind, fix: string): void {
  const problem = nameProblem(name, kind);
  if (problem) fail(scope, field, name, `${problem}; ${fix}`);
}

/**
 * A derived name cut to `max` characters: unchanged when it fits, else its start and a hash of the whole, so distinct
 * long names stay distinct (`<first max-9 characters>-<8 hex>`).
 */
export function fitName(name: string, max = 253): string {
  if (name.length <= max) return name;
  return `${name.slice(0, max - 9).replace(/[-.]+$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

const LABEL_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `s` is not the name part of a label key, or a label value (`value`: empty allowed), or undefined. */
function labelPartProblem(s: string, value: boolean): string | undefined {
  if (s.length === 0) return value ? undefined : 'it is empty';
  if (s.length > 63) return `it is too long (${s.length} > 63 characters)`;
  if (/[^-A-Za-z0-9_.]/.test(s)) return `it has characters other than letters, digits, "-", "_" and "." (${JSON.stringify(s.replace(/[-A-Za-z0-9_.]/g, '').slice(0, 5))})`;
  return LABEL_PART.test(s) ? undefined : 'it starts or ends with "-", "_" or "."';
}

/**
 * Why this is not a valid Kubernetes label (key and value), or undefined. A key is an optional DNS-subdomain prefix and
 * "/", then a name of at most 63 letters, digits, "-", "_", "."; a value is empty or like that name. `value`
 * undefined checks the key only (annotation keys follow the same syntax).
 */
export function labelProblem(key: string, value?: unknown): string | undefined {
  const slash = key.indexOf('/');
  const prefixProblem = slash >= 0 ? nameProblem(key.slice(0, slash), NameKind.OBJECT) : undefined;
  const problem = prefixProblem ? `its prefix ${prefixProblem.replace(/^it /, '')}` : labelPartProblem(key.slice(slash + 1), false);
  if (problem) return `the key ${JSON.stringify(key)}: ${problem}`;
  if (value === undefined) return undefined;
  const valueProblem = typeof value === 'string' ? labelPartProblem(value, true) : 'it is not a string';
  return valueProblem && `the value of ${JSON.stringify(key)}: ${valueProblem}`;
}

/** Throws a {@link TlsStackError} for the first invalid label (or, with `keysOnly`, annotation key) of `labels`. */
export function checkLabels(scope: IConstruct | string, field: string, labels: Record<string, unknown> | undefined, keysOnly = false): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    // cdk8s cannot render an object with these own keys (its resolver takes them for a class): refused here, with the fix.
    check(key !== 'constructor' && key !== '__proto__', scope, `${field}[${JSON.stringify(key)}]`, key, 'cdk8s cannot write this key: use a prefixed key such as "example.com/constructor"');
    const problem = labelProblem(key, keysOnly ? undefined : value);
    if (problem) fail(scope, `${field}[${JSON.stringify(key)}]`, keysOnly ? key : value, `${problem}; Kubernetes labels are "prefix/name: value" with a name and value of at most 63 letters, digits, "-", "_" and "."`);
  }
}

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
  return nameProblem(name, NameKind.OBJECT) === undefined;
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

/**
 * IANA special-purpose address blocks (private, loopback, link-local, CGNAT, documentation, multicast...): never on a
 * public certificate. One list per family: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too.
 */
const SPECIAL_V4: ReadonlyArray<readonly [string, number]> = [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]];
const SPECIAL_V6: ReadonlyArray<readonly [string, number]> = [['::', 127], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]];
// Made on first use.
let special: { 4: BlockList; 6: BlockList } | undefined;
function blockList(ranges: ReadonlyArray<readonly [string, number]>, family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of ranges) list.addSubnet(net, prefix, family);
  return list;
}

/**
 * `net.isIP` (4, 6 or 0), asking the IPv6 pattern only of text with a colon: every host name is checked, and Node builds
 * its large IPv6 regular expression on the first question (~5 ms).
 */
export const ipFamily = (s: string): 0 | 4 | 6 => (s.includes(':') ? (isIPv6(s) ? 6 : 0) : isIPv4(s) ? 4 : 0);

/** A globally routable address (no private, loopback, link-local, documentation or other special-purpose block). */
export function isPublicIp(ip: string): boolean {
  const family = ipFamily(ip);
  if (family === 0) return false;
  special ??= { 4: blockList(SPECIAL_V4, 'ipv4'), 6: blockList(SPECIAL_V6, 'ipv6') };
  return !special[family].check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export function isEmail(email: string): boolean {
  return typeof email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email);
}

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Words that make a variable a secret wherever they stand in its name, or end a word of it (DBPASSWORD, APITOKEN). */
const SECRET_WORDS = /(PASSWORD|PASSWD|PASSPHRASE|SECRETS?|TOKENS?|CREDENTIALS?|APIKEYS?)$/;
/** Words that make it a secret as its last word: DB_PASS, GITHUB_PAT, PRIVATE_KEY_PEM, API_KEYS, REDIS_AUTH. */
const SECRET_LAST_WORDS = new Set(['PASS', 'PWD', 'PAT', 'AUTH', 'KEY', 'KEYS']);
/** Last words of names about a secret rather than the secret: where it is, its name or id, its lifetime, a setting. */
const NOT_SECRET_LAST_WORDS = new Set(['PATH', 'FILE', 'DIR', 'URL', 'URI', 'ENDPOINT', 'HOST', 'NAME', 'ID', 'REF', 'ENABLED', 'TTL', 'TIMEOUT', 'EXPIRY',
  'LIFETIME', 'TYPE', 'LENGTH', 'SIZE', 'ALGORITHM', 'HEADER', 'ISSUER', 'AUDIENCE', 'FORMAT', 'MODE', 'VERSION', 'POLICY', 'INTERVAL', 'ROUNDS', 'COST',
  'STRATEGY', 'COUNT', 'LIMIT', 'PERIOD', 'RULES', 'COMPLEXITY', 'REQUIRED']);
/** Keys and settings that are no secret: SORT_KEY, PRIMARY_KEY, PUBLIC_KEY..., TLS_CLIENT_AUTH (a mode). */
const NOT_SECRET_ENDINGS = /(^|_)((SORT|PRIMARY|PARTITION|CACHE|ROUTING|IDEMPOTENCY|FOREIGN|LOOKUP|GROUP|PUBLIC)_KEYS?|CLIENT_AUTH)$/;
/** A URL with a password in its userinfo (`postgres://app:hunter2@db/app`). */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)([^\s/@]+)@/i;

/**
 * Why a literal environment variable puts a secret in the YAML, or undefined. Secret-looking names: PASSWORD, SECRET,
 * TOKEN, CREDENTIALS anywhere in the name, unless its last word says it is a setting about one (PASSWORD_POLICY,
 * TOKEN_TTL); PASS, PWD, PAT, AUTH, KEY(S), or PEM after KEY, as its last word; camelCase the same (`dbPassword`).
 * Values: a URL with a password (`$(VAR)`, a reference to another variable, is not literal). A value that is an
 * absolute file path (`/etc/tls/tls.key`), a `$(VAR)` reference, a number or duration or a boolean is never a secret's.
 * The one rule of the workload props and of the document check.
 */
export function literalSecretProblem(name: string, value: unknown): string | undefined {
  // Not a secret's value: a file path, a reference to another variable, a number or duration, a boolean.
  if (typeof value !== 'string' || /^(\/[^\s]*|\$\([A-Za-z_][A-Za-z0-9_]*\)|\d+(\.\d+)?[smhd]?|true|false|)$/i.test(value)) return undefined;
  const password = URL_PASSWORD.exec(value)?.[2];
  if (password && !/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(password)) return 'its URL carries a password';
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  const last = words[words.length - 1] ?? '';
  if (NOT_SECRET_LAST_WORDS.has(last) || NOT_SECRET_ENDINGS.test(words.join('_'))) return undefined;
  // PEM is a format: a key in it is a secret (PRIVATE_KEY_PEM), a CA certificate in it is not (CA_PEM).
  const secretLast = SECRET_LAST_WORDS.has(last) || (last === 'PEM' && words.includes('KEY'));
  return words.some((w) => SECRET_WORDS.test(w)) || secretLast ? 'its name says it holds a secret' : undefined;
}

/** A literal secret as an error message may show it (messages end up in CI logs): a URL without its password, else its length. */
export function redactSecret(value: string): string {
  return URL_PASSWORD.test(value) ? value.replace(URL_PASSWORD, '$1***@') : `*** (${value.length} characters)`;
}

/** Directories a volume must not be mounted over: the container's own files would vanish. */
const SYSTEM_DIRECTORIES = new Set(['/', '/etc', '/home', '/opt', '/root', '/run', '/srv', '/tmp', '/usr', '/usr/local', '/usr/local/bin', '/usr/share', '/var', '/var/lib', '/var/run']);
/** Trees a volume must not be mounted over or anywhere in: binaries, libraries, kernel interfaces, and the CA stores (Debian, RHEL). */
const SYSTEM_TREES = /^\/(bin|sbin|boot|dev|proc|sys|lib(32|64|x32)?|usr\/(bin|sbin|libexec|lib(32|64|x32)?))(\/|$)/;
const CA_STORES = /^\/(etc\/(ssl|pki|ca-certificates)|usr\/(local\/)?share\/ca-certificates)(\/|$)/;

/** A mount path in its normal form (`//etc/./x/` → `/etc/x`), the way the kubelet resolves it. */
export function normalMountPath(path: string): string {
  return posix.normalize(path).replace(/(.)\/+$/, '$1');
}

/** Why a mount path is unsafe (not absolute, a system directory or inside a system tree), or undefined. */
export function mountPathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || !/^\/[^\s]*$/.test(path)) return 'it is not an absolute path';
  const normal = normalMountPath(path);
  const shown = normal === path.replace(/(.)\/+$/, '$1') ? normal : `${path}, that is ${normal}`;
  if (SYSTEM_DIRECTORIES.has(normal)) return `it is a system directory (${shown}): the volume would hide what the image keeps there`;
  if (SYSTEM_TREES.test(normal) || CA_STORES.test(normal)) {
    return `it is inside a system directory (${shown}), where the volume hides whatever the image keeps at that path${CA_STORES.test(normal) ? ' (here the system CA store)' : ''}`;
  }
  return undefined;
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

/**
 * A Duration in whole seconds, or a TlsStackError naming the field: cdk8s throws an error of its own (naming neither
 * construct nor prop) for NaN, Infinity or a fraction of a second.
 */
export function wholeSeconds(scope: IConstruct | string, field: string, d: Duration): number {
  let s: number | undefined;
  try {
    s = d.toSeconds();
  } catch {
    s = undefined;
  }
  if (s === undefined || !Number.isSafeInteger(s)) fail(scope, field, describe(() => `${d.toMilliseconds({ integral: false })} ms`), 'give a whole number of seconds, e.g. Duration.seconds(90) or Duration.days(30)');
  return s;
}

/** A Size in whole bytes (whole KiB: cdk8s's smallest unit), or a TlsStackError naming the field. */
export function wholeBytes(scope: IConstruct | string, field: string, size: Size): number {
  let kib: number | undefined;
  try {
    kib = size.toKibibytes();
  } catch {
    kib = undefined;
  }
  if (kib === undefined || !Number.isSafeInteger(kib)) fail(scope, field, describe(() => `${size.toKibibytes({ rounding: NONE })} KiB`), 'give a whole number of kibibytes, e.g. Size.mebibytes(100)');
  return kib * 1024;
}

/** SizeRoundingBehavior.NONE, by value: this module imports only cdk8s's types (the verifier loads it without cdk8s). */
const NONE = 2 as SizeRoundingBehavior;

/** A value's description for an error, or a plain word when even that throws. */
function describe(text: () => string): string {
  try {
    return text();
  } catch {
    return 'not a number';
  }
}

/** Renders a Duration the way cert-manager writes Go durations (`2160h`, `90m`). */
export function goDuration(d: Duration): string {
  const s = d.toSeconds();
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/**
 * Sorts text case-insensitively, then by code point: the same order on every machine (`localeCompare` follows the
 * process's locale, so SUMMARY.md could differ between a laptop and CI, and its first call loads ICU's collator, ~15 ms).
 */
export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}
