import { AcmeServer } from '../issuers';
import { isDnsLabel, isEmail, isObjectName } from '../policy/validation';
import { Facts, InputDoc, Reader, goSeconds, integer, list, record, text } from './facts';
import { AcmeModel, IssuerModel, NoteKind, SelectorModel, SolverModel } from './model';

// cert-manager's ClusterIssuers, Issuers and Certificates (cert-manager.io/v1).

const KEY_ALGORITHMS = new Set(['RSA', 'ECDSA', 'Ed25519']);
const KEY_SIZES: Record<string, number[]> = { RSA: [2048, 3072, 4096], ECDSA: [256, 384], Ed25519: [] };

/** A key size the library takes for the algorithm (anything else: the algorithm's default). */
export const keySize = (algorithm: string, size: number | undefined): number | undefined => (size !== undefined && KEY_SIZES[algorithm]?.includes(size) ? size : undefined);

/** `ClusterIssuer/<name>` or `Issuer/<namespace>/<name>`: how certificates reference an issuer. */
export const issuerKey = (kind: 'ClusterIssuer' | 'Issuer', name: string, namespace?: string): string =>
  (kind === 'ClusterIssuer' ? `ClusterIssuer/${name}` : `Issuer/${namespace ?? 'default'}/${name}`);

export const certManagerReader: Reader = {
  kinds: ['ClusterIssuer', 'Issuer', 'Certificate'],
  read(input, facts) {
    for (const d of input.of('ClusterIssuer', 'Issuer')) {
      if (isObjectName(d.origin.name)) facts.issuers.push(readIssuer(d, facts));
      else facts.unusedBecause.set(d.origin.index, 'an issuer without a valid metadata.name');
    }
    for (const d of input.of('Certificate')) readCertificate(d, facts);
  },
};

/**
 * An issuer as the library can say it: a Let's Encrypt or other ACME ClusterIssuer with solvers it knows, a self-signed
 * or CA ClusterIssuer; anything else (a namespaced Issuer, Vault, an unknown DNS-01 provider) is referenced by name as an
 * ExternalIssuer and stays as it is in the cluster.
 */
function readIssuer(d: InputDoc, facts: Facts): IssuerModel {
  facts.used.add(d.origin.index);
  const kind = d.origin.kind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer';
  const { name } = d.origin;
  const key = issuerKey(kind, name, d.origin.namespace);
  const base = { key, name, issuerKind: kind, origin: d.origin } as const;
  const at = { issuer: name, namespace: d.origin.namespace };
  const external = (why: string): IssuerModel => {
    facts.note(NoteKind.CANNOT, d.origin, `${kind} ${name}`, `${why}: the spec references it by name (ExternalIssuer) and emits nothing for it`, `keep applying this ${kind} as it is`, at);
    return { ...base, type: 'external' };
  };
  if (kind === 'Issuer') return external('the library creates ClusterIssuers only');
  const spec = record(d.doc.spec);
  if ('selfSigned' in spec) return { ...base, type: 'selfSigned' };
  if ('ca' in spec) {
    const secretName = text(record(spec.ca).secretName);
    return secretName ? { ...base, type: 'ca', caSecretName: secretName } : external('a CA issuer without ca.secretName');
  }
  if (!('acme' in spec)) return external(`issuer type ${Object.keys(spec).filter((k) => k !== 'acme').join(', ') || '(none)'} is not one the library builds (ACME, selfSigned, CA)`);
  const acme = record(spec.acme);
  const server = text(acme.server) ?? '';
  const email = text(acme.email);
  if (!email || !isEmail(email)) return external('an ACME issuer without a valid email (the library needs one for the CA\'s notices)');
  if (!/^https:\/\/[^\s/]+/.test(server)) return external(`an ACME server that is not an https:// URL (${server || 'none'})`);
  if (acme.skipTLSVerify === true) {
    facts.note(NoteKind.REFUSED, d.origin, 'acme.skipTLSVerify', 'turns off verification of the ACME server\'s certificate: dropped', 'give the private ACME server\'s CA with AcmeDirectory.custom(url, { caBundle })', at);
  }
  const solvers: SolverModel[] = [];
  for (const [i, s] of list(acme.solvers).entries()) {
    const solver = readSolver(record(s));
    if (typeof solver === 'string') return external(`solvers[${i}]: ${solver}`);
    if (solver.type === 'http01Ingress' && record(record(record(s).http01).ingress).class !== undefined) {
      facts.note(NoteKind.CHANGED, d.origin, `solvers[${i}].http01.ingress.class`,
        `cert-manager's solver Ingress gets spec.ingressClassName "${solver.ingressClassName}" instead of the deprecated kubernetes.io/ingress.class annotation`, undefined, at);
    }
    solvers.push(solver);
  }
  if (!solvers.length) return external('an ACME issuer without solvers');
  const eab = record(acme.externalAccountBinding);
  const eabSecret = record(eab.keySecretRef);
  const model: AcmeModel = {
    server, email,
    accountKeySecretName: [text(record(acme.privateKeySecretRef).name)].find((n): n is string => !!n && isObjectName(n)) ?? `${name}-account-key`,
    profile: text(acme.profile),
    externalAccountBinding: text(eab.keyID) && isObjectName(text(eabSecret.name) ?? '') ? { keyId: text(eab.keyID)!, keySecret: { name: text(eabSecret.name)!, key: text(eabSecret.key) ?? 'secret' } } : undefined,
    solvers,
  };
  return { ...base, type: Object.values(AcmeServer).includes(server as AcmeServer) ? 'letsencrypt' : 'acme', acme: model };
}

/** One ACME solver, or why the library cannot say it. */
function readSolver(s: Record<string, unknown>): SolverModel | string {
  const sel = record(s.selector);
  if (sel.matchLabels !== undefined) return 'a selector on certificate labels (matchLabels) cannot be said: solvers select by dnsNames and dnsZones';
  const strings = (x: unknown) => list(x).map(text).filter((v): v is string => !!v);
  const selector: SelectorModel | undefined = strings(sel.dnsNames).length || strings(sel.dnsZones).length
    ? { ...(strings(sel.dnsNames).length ? { dnsNames: strings(sel.dnsNames) } : {}), ...(strings(sel.dnsZones).length ? { dnsZones: strings(sel.dnsZones) } : {}) }
    : undefined;
  const http01 = record(s.http01);
  const dns01 = record(s.dns01);
  if ('ingress' in http01) {
    const ingress = record(http01.ingress);
    if (ingress.name !== undefined) return 'an HTTP-01 solver that edits an existing Ingress (ingress.name) cannot be said';
    // No class (or not a name): cert-manager's solver Ingress then has none; build.ts gives it the edge's class.
    const cls = text(ingress.ingressClassName) ?? text(ingress.class) ?? '';
    return { type: 'http01Ingress', ingressClassName: isObjectName(cls) ? cls : '', ...(selector ? { selector } : {}) };
  }
  if ('gatewayHTTPRoute' in http01) {
    const refs = list(record(http01.gatewayHTTPRoute).parentRefs).map(record);
    const parentRefs = refs.every((r) => isObjectName(text(r.name) ?? '') && isDnsLabel(text(r.namespace) ?? ''))
      ? refs.map((r) => ({ name: text(r.name)!, namespace: text(r.namespace)!, ...(text(r.sectionName) ? { sectionName: text(r.sectionName)! } : {}) }))
      : undefined;
    return { type: 'http01Gateway', ...(parentRefs?.length ? { parentRefs } : {}), ...(selector ? { selector } : {}) };
  }
  if ('cloudflare' in dns01) {
    const token = record(record(dns01.cloudflare).apiTokenSecretRef);
    if (!isObjectName(text(token.name) ?? '')) return 'a Cloudflare solver with a global API key (apiKeySecretRef) cannot be said: use an API token';
    return { type: 'cloudflare', apiTokenSecret: { name: text(token.name)!, key: text(token.key) ?? 'api-token' }, ...(selector ? { selector } : {}) };
  }
  if ('route53' in dns01) {
    const r = record(dns01.route53);
    const region = text(r.region);
    if (!region || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return 'a Route53 solver without an AWS region cannot be said';
    if (r.accessKeyID !== undefined || r.auth !== undefined) return 'a Route53 solver with a literal accessKeyID or auth cannot be said (the library reads the key id from a Secret)';
    const id = record(r.accessKeyIDSecretRef);
    const secret = record(r.secretAccessKeySecretRef);
    const accessKey = text(id.name) && text(secret.name)
      ? { id: { name: text(id.name)!, key: text(id.key) ?? 'access-key-id' }, secret: { name: text(secret.name)!, key: text(secret.key) ?? 'secret-access-key' } }
      : undefined;
    if (!accessKey && text(secret.name)) return 'a Route53 solver with a secret key but no accessKeyIDSecretRef cannot be said';
    return { type: 'route53', region, ...(text(r.hostedZoneID) ? { hostedZoneId: text(r.hostedZoneID) } : {}), ...(text(r.role) ? { role: text(r.role) } : {}), ...(accessKey ? { accessKey } : {}), ...(selector ? { selector } : {}) };
  }
  const what = [...Object.keys(http01).map((k) => `http01.${k}`), ...Object.keys(dns01).map((k) => `dns01.${k}`)].join(', ') || 'no challenge';
  return `${what} is not a solver the library builds (HTTP-01 Ingress or Gateway, DNS-01 Cloudflare or Route53)`;
}

/** A Certificate: a site when it is a server certificate; CA and client certificates are listed as not adopted. */
function readCertificate(d: InputDoc, facts: Facts): void {
  const spec = record(d.doc.spec);
  const at = { namespace: d.origin.namespace };
  if (spec.isCA === true) {
    facts.unusedBecause.set(d.origin.index, 'a CA certificate: the library makes its own internal CA (InternalCa) and never serves a CA\'s Secret');
    return;
  }
  const usages = list(spec.usages).map(text);
  if (usages.includes('client auth') && !usages.includes('server auth')) {
    facts.unusedBecause.set(d.origin.index, 'a client certificate: the library issues client certificates from its InternalCa (apps[].calls with mutualTls)');
    return;
  }
  const secretName = text(spec.secretName);
  const dnsNames = list(spec.dnsNames).map(text).filter((n): n is string => !!n);
  if (!secretName || !isObjectName(secretName) || !dnsNames.length) {
    facts.unusedBecause.set(d.origin.index, `a Certificate without ${!secretName || !isObjectName(secretName) ? 'a valid secretName' : 'dnsNames'}: nothing for an edge to serve`);
    return;
  }
  facts.used.add(d.origin.index);
  for (const field of ['ipAddresses', 'uris', 'emailAddresses', 'commonName', 'subject', 'secretTemplate', 'keystores', 'literalSubject', 'nameConstraints', 'otherNames']) {
    if (spec[field] !== undefined) {
      facts.note(NoteKind.CANNOT, d.origin, `spec.${field}`, `a site's certificate has DNS names only: the Certificate is made without ${field}, so cert-manager issues it again`,
        field === 'keystores' ? 'set sites[].keystores' : `patch it in: chart.certificates['${d.origin.name}'].apiObject.addJsonPatch(JsonPatch.add('/spec/${field}', ...))`, at);
    }
  }
  const ref = record(spec.issuerRef);
  const group = text(ref.group) ?? 'cert-manager.io';
  const issuerName = text(ref.name);
  const key = record(spec.privateKey);
  const algorithm = text(key.algorithm);
  facts.certificates.push({
    namespace: d.origin.namespace ?? 'default',
    name: d.origin.name,
    secretName,
    dnsNames,
    issuer: issuerName && isObjectName(issuerName) && group === 'cert-manager.io' ? { name: issuerName, kind: text(ref.kind) === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer' } : undefined,
    // cert-manager's default key is RSA 2048 (pkg/util/pki/match.go, PrivateKeyMatchesSpec): said explicitly, so the
    // key in the Secret still matches and nothing is issued again.
    keyAlgorithm: algorithm && KEY_ALGORITHMS.has(algorithm) ? algorithm as 'RSA' | 'ECDSA' | 'Ed25519' : 'RSA',
    keySize: keySize(algorithm && KEY_ALGORITHMS.has(algorithm) ? algorithm : 'RSA', integer(key.size)),
    durationSeconds: goSeconds(spec.duration),
    renewBeforeSeconds: goSeconds(spec.renewBefore),
    source: 'Certificate',
    origin: d.origin,
  });
  if (issuerName && group !== 'cert-manager.io') {
    facts.note(NoteKind.CANNOT, d.origin, `issuerRef ${group}/${issuerName}`, 'an external issuer of another API group cannot be referenced by a site: the stack\'s issuer signs it', 'keep this Certificate out of the stack (remove the site) and apply it as it is', at);
  }
}
