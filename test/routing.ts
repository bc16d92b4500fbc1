/**
 * Where a request for `host` + `path` goes, read from the YAML with each controller's own precedence: the Service as
 * "namespace/name", undefined when nothing serves it, "ambiguous" when the controller's rules cannot tell. Each
 * Gateway, and each controller (one Traefik, one ingress-nginx), is an address of its own, and DNS prefers the exact
 * record to the wildcard one: the address with an exact hostname wins, then one with a matching wildcard.
 */
export function routeOf(docs: any[], host: string, path: string): string | undefined {
  const nsOf = (d: any) => d.metadata?.namespace ?? 'default';
  // Exact beats any wildcard, and a longer wildcard beats a shorter one (nginx, Gateway API, DNS).
  const hostMatch = (pattern: string) => (pattern === host ? 1000 : pattern.startsWith('*.') && host.endsWith(pattern.slice(1)) ? pattern.length : 0);
  const prefixOf = (prefix: string) => prefix === '/' || path === prefix || path.startsWith(`${prefix.replace(/\/$/, '')}/`);
  type Candidate = { specificity: number; resolve: () => string | undefined };
  const best = (xs: Candidate[]): string | undefined => {
    const top = Math.max(0, ...xs.map((x) => x.specificity));
    const chosen = xs.filter((x) => top > 0 && x.specificity === top);
    const targets = new Set(chosen.map((x) => x.resolve()));
    return targets.size > 1 ? 'ambiguous' : [...targets][0];
  };
  const byPath = (paths: Array<[string, string]>) => {
    const hits = paths.filter(([p]) => prefixOf(p)).sort((a, b) => b[0].length - a[0].length);
    return hits.length > 1 && hits[0][0].length === hits[1][0].length && hits[0][1] !== hits[1][1] ? 'ambiguous' : hits[0]?.[1];
  };
  const addresses: Candidate[] = [];
  // ingress-nginx: one server per host, the exact server_name before the wildcard; paths of every Ingress merged, longest prefix first.
  const ingressRules = docs.filter((d) => d.kind === 'Ingress' && d.metadata.annotations?.['nginx.ingress.kubernetes.io/ssl-passthrough'] !== 'true')
    .flatMap((d) => d.spec.rules.map((r: any) => ({ host: r.host, paths: r.http.paths.map((p: any) => [p.path, `${nsOf(d)}/${p.backend.service.name}`]) })));
  if (ingressRules.length) {
    const candidates = ingressRules.map((r) => ({ specificity: hostMatch(r.host), host: r.host, paths: r.paths }));
    const top = Math.max(...candidates.map((x) => x.specificity));
    const server = candidates.filter((x) => x.specificity === top && top > 0);
    addresses.push({ specificity: top, resolve: () => byPath(server.flatMap((x) => x.paths)) });
  }
  // Traefik: every router on websecure; the highest priority wins (default: the rule's length).
  const routers = docs.filter((d) => d.kind === 'IngressRoute' && d.spec.entryPoints.includes('websecure')).flatMap((d) => d.spec.routes.map((r: any) => ({ ...r, ns: nsOf(d) })));
  if (routers.length) {
    const matches = (rule: string) => {
      const hostRule = /Host\(`([^`]+)`\)|HostRegexp\(`([^`]+)`\)/.exec(rule)!;
      const prefix = /PathPrefix\(`([^`]+)`\)/.exec(rule)?.[1] ?? '/';
      const hostOk = hostRule[1] !== undefined ? hostRule[1] === host : new RegExp(hostRule[2]).test(host);
      return hostOk && path.startsWith(prefix) ? (hostRule[1] !== undefined ? 1000 : hostRule[2].length) : 0;
    };
    const hit = routers.filter((r) => matches(r.match) > 0);
    addresses.push({
      specificity: Math.max(0, ...hit.map((r) => matches(r.match))),
      resolve: () => {
        const top = Math.max(...hit.map((r) => r.priority ?? r.match.length));
        const winners = new Set(hit.filter((r) => (r.priority ?? r.match.length) === top).map((r) => `${r.ns}/${r.services[0].name}`));
        return winners.size > 1 ? 'ambiguous' : [...winners][0];
      },
    });
  }
  // Gateway API: per Gateway (with the ListenerSets attached to it), the exact listener hostname before the wildcard,
  // then the routes attached to that listener: longest path prefix.
  for (const gw of docs.filter((d) => d.kind === 'Gateway')) {
    const sets = docs.filter((d) => d.kind === 'ListenerSet' && d.spec.parentRef.name === gw.metadata.name && (d.spec.parentRef.namespace ?? nsOf(d)) === nsOf(gw));
    const listeners = [{ owner: gw, kind: 'Gateway' }, ...sets.map((ls) => ({ owner: ls, kind: 'ListenerSet' }))]
      .flatMap(({ owner, kind }) => (owner.spec.listeners ?? []).filter((l: any) => l.protocol === 'HTTPS').map((l: any) => ({ ...l, owner, kind })));
    const top = Math.max(0, ...listeners.map((l) => hostMatch(l.hostname)));
    const chosen = listeners.filter((l) => top > 0 && hostMatch(l.hostname) === top);
    addresses.push({
      specificity: top,
      resolve: () => byPath(docs.filter((d) => d.kind === 'HTTPRoute').flatMap((route) => (route.spec.parentRefs.some((p: any) => chosen.some((l) =>
        p.name === l.owner.metadata.name && (p.kind ?? 'Gateway') === l.kind && p.sectionName === l.name && (p.namespace ?? nsOf(route)) === nsOf(l.owner)))
        ? route.spec.rules.map((r: any) => [r.matches[0].path.value, `${nsOf(route)}/${r.backendRefs[0].name}`] as [string, string]) : []))),
    });
  }
  return best(addresses);
}
