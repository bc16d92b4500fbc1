import type { Manifest } from './manifest';

/**
 * Settings that live in a controller, not in any object an edge writes: ingress-nginx reads HSTS, TLS protocols and
 * ciphers and the response headers `custom-headers` may set only from its own ConfigMap
 * (internal/ingress/controller/config/config.go), and Traefik serves a wildcard host (a HostRegexp rule, which names no
 * domain) with its default TLS options (pkg/server/router/tcp/manager.go: "the TLS options applied for this router will
 * depend on the SNI of each request"). The edges state what they need here; the cluster requirements (SUMMARY.md) list
 * it until the App carries it, and the gate refuses two edges that need different values from one controller.
 */

/** On an ingress-nginx edge's headers ConfigMap: `{"ingressClassName": ..., "config": {key: value}}`, what the edge needs in the controller's ConfigMap. */
export const NGINX_CONTROLLER_CONFIG_ANNOTATION = 'tls-stack/ingress-nginx-controller-config';

/**
 * On a workload's NetworkPolicy that admits an edge's controller from a namespace other than its chart's usual one:
 * `<usual namespace>=<namespace>`, comma-separated (`ingress-nginx=edge-nginx`), so that the cluster requirements say
 * where to install the controller.
 */
export const EDGE_CONTROLLERS_ANNOTATION = 'tls-stack/edge-controllers';

/** The namespaces a NetworkPolicy admits the controller usually installed in `usual` from. */
export function admittedControllerNamespaces(policy: Manifest, usual: string): string[] {
  const moved = String(policy?.metadata?.annotations?.[EDGE_CONTROLLERS_ANNOTATION] ?? '').split(',')
    .map((e) => e.split('=')).filter(([from, to]) => from === usual && to).map(([, to]) => to);
  const admitsUsual = JSON.stringify(policy?.spec?.ingress ?? []).includes(`"kubernetes.io/metadata.name":"${usual}"`);
  return [...new Set([...moved, ...(admitsUsual ? [usual] : [])])].sort();
}

/** Keys merged rather than agreed on: the union of the headers, and use-forwarded-headers when any edge needs it. */
const UNION_KEYS = new Set(['global-allowed-response-headers']);
const ANY_KEYS = new Set(['use-forwarded-headers']);

/** What an ingress-nginx edge needs, read from its annotation (undefined when it has none or it is not the library's). */
export function nginxControllerNeeds(doc: Manifest): { ingressClassName: string; config: Record<string, string> } | undefined {
  const raw = doc?.metadata?.annotations?.[NGINX_CONTROLLER_CONFIG_ANNOTATION];
  if (typeof raw !== 'string') return undefined;
  try {
    const v = JSON.parse(raw);
    const valid = typeof v?.ingressClassName === 'string' && v.config && typeof v.config === 'object' && Object.values(v.config).every((x) => typeof x === 'string');
    return valid ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A key two edges need different values of. */
export interface SettingConflict {
  readonly key: string;
  readonly values: readonly [string, string];
  /** Indexes of the needs holding the two values. */
  readonly needs: readonly [number, number];
}

/**
 * The controller ConfigMap entries that serve every one of `needs`, and the keys they disagree on (the first value
 * wins in `config`). Response headers are a union, use-forwarded-headers is on when any needs it.
 */
export function mergeControllerConfig(needs: ReadonlyArray<Record<string, string>>): { config: Record<string, string>; conflicts: SettingConflict[] } {
  const config: Record<string, string> = {};
  const conflicts: SettingConflict[] = [];
  const from = new Map<string, number>();
  needs.forEach((need, i) => {
    for (const [key, value] of Object.entries(need)) {
      if (UNION_KEYS.has(key)) config[key] = [...new Set([...(config[key] ?? '').split(','), ...value.split(',')].filter(Boolean))].sort().join(',');
      else if (ANY_KEYS.has(key)) config[key] = config[key] === 'true' || value === 'true' ? 'true' : value;
      else if (!from.has(key)) {
        from.set(key, i);
        config[key] = value;
      } else if (config[key] !== value) conflicts.push({ key, values: [config[key], value], needs: [from.get(key)!, i] });
    }
  });
  return { config, conflicts };
}

/** Whether a controller ConfigMap's data gives every entry of `needed` (response headers: a superset). */
export function satisfiesControllerConfig(data: Record<string, string> | undefined, needed: Record<string, string>): boolean {
  return Object.entries(needed).every(([key, value]) => {
    const have = data?.[key];
    if (have === undefined) return false;
    if (UNION_KEYS.has(key)) return value.split(',').filter(Boolean).every((h) => have.split(',').map((x) => x.trim().toLowerCase()).includes(h.toLowerCase()));
    return have === value;
  });
}

/** Whether an IngressRoute route's rule names no domain (a HostRegexp without Host): Traefik's default TLS options serve its handshakes. */
export function namesNoDomain(match: unknown): boolean {
  const rule = String(match ?? '');
  return /HostRegexp\(/.test(rule) && !/(^|[^A-Za-z])Host\(/.test(rule);
}

/** The parts of a Traefik TLSOption its default must equal to serve a wildcard host as the option does. */
export function traefikHandshakeOptions(option: Manifest): Record<string, unknown> {
  const s = option?.spec ?? {};
  return { minVersion: s.minVersion ?? 'VersionTLS12', cipherSuites: s.cipherSuites ?? [], sniStrict: s.sniStrict ?? false };
}
