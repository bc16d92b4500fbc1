// Certificate quality for `verify`: the key and the signature algorithm of every certificate in a served chain.
import { X509Certificate } from 'crypto';
import type { DetailedPeerCertificate } from 'tls';

/** One certificate of a chain, leaf first. */
export interface ChainCertificate {
  /** "leaf", "intermediate" or "root" (self-signed). */
  readonly role: 'leaf' | 'intermediate' | 'root';
  /** Subject CN (or the whole subject). */
  readonly name: string;
  /** "RSA", "ECDSA", "Ed25519", "Ed448", "DSA", … */
  readonly keyType: string;
  readonly keyBits?: number;
  /** Signature algorithm name, e.g. "ecdsa-with-SHA256" (the OID when unknown). */
  readonly signature: string;
  /** The signature's hash when it is broken ("SHA-1", "MD5"). */
  readonly brokenHash?: string;
  readonly knownSignature: boolean;
}

/** The leaf and its issuers as Node links them (peer-sent certificates, completed from the trust store). */
export function chainOf(leaf: DetailedPeerCertificate): ChainCertificate[] {
  const certs: DetailedPeerCertificate[] = [];
  for (let c: DetailedPeerCertificate | undefined = leaf; c?.raw && !certs.includes(c); c = c.issuerCertificate) certs.push(c);
  return certs.map((c, i) => {
    const x = new X509Certificate(c.raw);
    const type = x.publicKey.asymmetricKeyType ?? 'unknown';
    const selfSigned = x.subject === x.issuer;
    const oid = signatureOid(c.raw);
    const [signature, brokenHash] = SIGNATURES[oid] ?? [oid];
    return {
      role: i === 0 ? 'leaf' : selfSigned ? 'root' : 'intermediate',
      name: String(c.subject?.CN ?? x.subject.replace(/\n/g, ', ')),
      keyType: KEY_TYPES[type] ?? type,
      keyBits: c.bits ?? x.publicKey.asymmetricKeyDetails?.modulusLength,
      signature, brokenHash, knownSignature: oid in SIGNATURES,
    };
  });
}

const KEY_TYPES: Record<string, string> = { 'rsa': 'RSA', 'rsa-pss': 'RSA', 'ec': 'ECDSA', 'ed25519': 'Ed25519', 'ed448': 'Ed448', 'dsa': 'DSA' };

/** Minimum sizes (Mozilla 6.0, NIST SP 800-57: 112-bit security). */
const MIN_BITS: Record<string, number> = { RSA: 2048, ECDSA: 256 };

/** Why this certificate's key is weak, or undefined. */
export function keyWeakness(c: ChainCertificate): string | undefined {
  if (c.keyType === 'DSA') return `${c.role} "${c.name}" has a DSA key: DSA is deprecated, use ECDSA P-256 or RSA 2048+`;
  const min = MIN_BITS[c.keyType];
  if (min && (c.keyBits ?? 0) < min) return `${c.role} "${c.name}" has a ${c.keyType} ${c.keyBits}-bit key: use ${c.keyType} ${min} bits or more`;
  if (!min && !['Ed25519', 'Ed448'].includes(c.keyType)) return `${c.role} "${c.name}" has an unrecognised key type ${c.keyType}`;
  return undefined;
}

/** Why this certificate's signature is weak, or undefined. A self-signed root's own signature is not checked. */
export function signatureWeakness(c: ChainCertificate): string | undefined {
  if (c.role === 'root') return undefined;
  if (!c.knownSignature) return `${c.role} "${c.name}" is signed with an unrecognised algorithm (OID ${c.signature})`;
  if (c.brokenHash) return `${c.role} "${c.name}" is signed with ${c.signature}: ${c.brokenHash} is broken (collisions); reissue it signed with SHA-256 or better`;
  return undefined;
}

/** Signature algorithm OIDs: name, and the broken hash if any. */
const SIGNATURES: Record<string, [name: string, brokenHash?: string]> = {
  '1.2.840.113549.1.1.2': ['md2WithRSAEncryption', 'MD2'],
  '1.2.840.113549.1.1.4': ['md5WithRSAEncryption', 'MD5'],
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'SHA-1'],
  '1.2.840.113549.1.1.10': ['RSASSA-PSS'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption'],
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'SHA-1'],
  '1.2.840.10045.4.3.1': ['ecdsa-with-SHA224'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512'],
  '1.2.840.10040.4.3': ['dsa-with-SHA1', 'SHA-1'],
  '1.3.101.112': ['Ed25519'],
  '1.3.101.113': ['Ed448'],
};

/** The signatureAlgorithm OID of a DER certificate: SEQUENCE { tbsCertificate, SEQUENCE { OID, … }, BIT STRING }. */
export function signatureOid(der: Buffer): string {
  let p = 0;
  const header = () => {
    p++; // tag
    let len = der[p++];
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[p++];
    }
    return len;
  };
  header(); // Certificate
  const tbs = header(); // tbsCertificate, skipped
  p += tbs;
  header(); // AlgorithmIdentifier
  const length = header(); // OBJECT IDENTIFIER
  const bytes = der.subarray(p, p + length);
  const arcs = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let v = 0;
  for (const b of bytes.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}
