// The fault matrix: one misconfiguration per case, and exactly which verify checks must name it. Shared by the
// tests (test/verify/verify.test.ts) and the side-by-side comparison with testssl.sh (scripts/testssl-compare.sh).
import { HostExpectation } from '../../lib/verify';
import { Faults, HEADERS, LeafOptions } from './servers';

/** The public name every test certificate is for. */
export const HOST = 'app.tls-stack.test';

/** HSTS and every security header check, sorted. */
export const HEADER_CHECKS = ['http.hsts', ...Object.keys(HEADERS.headers).map((h) => `http.header.${h}`)].sort();

/** One fault: how the server is set up, and exactly which checks must fail (or could not run). */
export interface FaultCase {
  readonly label: string;
  readonly leaf?: LeafOptions & { names?: string[] };
  readonly faults?: Faults;
  /** Changes to the expectation (as the test states it). */
  readonly exp?: Partial<HostExpectation>;
  readonly timeoutMs?: number;
  readonly fail: string[];
  readonly error?: string[];
  /** What the first failing (else erroring) check must say. */
  readonly detail?: RegExp;
  /** Only the Node stack can be set up this way. */
  readonly nodeOnly?: boolean;
}

/** Suites outside the intermediate profile an RSA server can choose, in OpenSSL's order. */
const MANY_EXTRA = [
  'ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-CAMELLIA256-SHA384', 'ECDHE-RSA-AES128-SHA256', 'ECDHE-RSA-CAMELLIA128-SHA256',
  'ECDHE-RSA-AES256-SHA', 'ECDHE-RSA-AES128-SHA', 'AES256-GCM-SHA384', 'ARIA256-GCM-SHA384', 'AES128-GCM-SHA256',
  'AES256-SHA256', 'CAMELLIA256-SHA', 'AES128-SHA',
];

const RSA_2048 = { leaf: { rsaBits: 2048 }, exp: { key: { algorithm: 'RSA', size: 2048 } } };

/** Every fault both servers can show (unless nodeOnly). */
export const FAULTS: FaultCase[] = [
  { label: 'TLS 1.0 enabled', faults: { tls10: true }, fail: ['tls.TLSv1', 'tls.TLSv1.1', 'tls.ciphers'], detail: /^accepted/ },
  // Old versions with a suite outside OpenSSL's DEFAULT list: a probe offering DEFAULT would see them refused.
  { label: 'TLS 1.0 with CAMELLIA256-SHA only', ...RSA_2048, faults: { tls10With: 'CAMELLIA256-SHA' }, fail: ['tls.TLSv1', 'tls.TLSv1.1', 'tls.ciphers'], detail: /^accepted \(CAMELLIA256-SHA\), but the mozilla-intermediate-6\.0 profile forbids it$/ },
  { label: 'missing HSTS', faults: { noHsts: true }, fail: ['http.hsts'], detail: /^missing$/ },
  { label: '302 redirect', faults: { redirect302: true }, fail: ['http.redirect'], detail: /^302 → .*\(want 301 or 308\)/ },
  { label: 'expired certificate', leaf: { expired: true }, fail: ['tls.chain', 'tls.expiry'], detail: /CERT_HAS_EXPIRED/ },
  { label: 'certificate for another name', leaf: { names: ['other.tls-stack.test'] }, fail: ['tls.chain', 'tls.san'] },
  // Each class of extra suite: CBC with SHA-2, CBC with SHA-1, non-AES, static RSA key exchange (no forward secrecy).
  ...['ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA', 'CAMELLIA256-SHA', 'AES256-GCM-SHA384'].map((suite): FaultCase => ({
    label: `also accepts ${suite}`, ...RSA_2048, faults: { extraCiphers: suite }, fail: ['tls.ciphers'], detail: new RegExp(`^accepts ${suite}:`),
  })),
  // A dozen at once, several in the same offer group (verify offers the suites outside the profile in groups of
  // about ten and takes out each one the server picks): every one is named, in OpenSSL's order.
  {
    label: 'also accepts a dozen suites', ...RSA_2048, faults: { extraCiphers: MANY_EXTRA.join(':') }, fail: ['tls.ciphers'],
    // One handshake per group, and one more for each suite taken out: 8 TLS 1.2 groups and the TLS 1.3 one.
    detail: new RegExp(`^accepts ${MANY_EXTRA.join(', ')}: remove them from the server's cipher list \\(12 of \\d+ suites outside .* accepted; offered in 9 groups, 21 handshakes\\)$`),
  },
  // No key expectation (as with --url): the weak key is named anyway.
  { label: 'RSA 1024 leaf', leaf: { rsaBits: 1024 }, exp: { key: undefined }, fail: ['tls.key'], detail: /^leaf "app\.tls-stack\.test" has a RSA 1024-bit key/ },
  { label: 'SHA-1 signature', leaf: { sha1: true }, fail: ['tls.signature'], detail: /^leaf "app\.tls-stack\.test" is signed with ecdsa-with-SHA1: SHA-1 is broken/ },
  { label: 'missing intermediate', leaf: { noIntermediate: true }, fail: ['tls.chain'], detail: /UNABLE_TO_VERIFY_LEAF_SIGNATURE — .*serve the full chain/ },
  { label: 'TLS 1.3 CCM_8 suite', nodeOnly: true, faults: { tls13Ciphers: 'TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256' }, fail: ['tls.ciphers'], detail: /^accepts TLS_AES_128_CCM_8_SHA256:/ },
  { label: 'X-XSS-Protection: 1; mode=block', nodeOnly: true, faults: { xssBlock: true }, fail: ['http.header.X-XSS-Protection'], detail: /^1; mode=block, want "0"$/ },
  { label: 'ws:// also upgrades', nodeOnly: true, faults: { wsPlaintext: true }, fail: ['ws.plaintext /ws'], detail: /^ws:\/\/ upgraded in plaintext$/ },
  // Never idle, never done: an idle timeout would wait forever; the absolute one stops it, and only the page's checks
  // say so. (1 s rather than 500 ms: the suite probes share a loaded 2-core test runner.)
  { label: 'drip-feed answer to GET /', nodeOnly: true, faults: { drip: true }, timeoutMs: 1000, fail: [], error: HEADER_CHECKS, detail: /^could not run: GET .* gave no answer \(no complete answer within 1000 ms/ },
  // A far-away host: every handshake takes 300 ms, and the probes of a host together take longer than the --timeout;
  // each has its own --timeout from its start, and all pass. (1500 rather than 1000: on a loaded 2-core
  // runner a handshake sometimes needed more than 700 ms of slack.)
  { label: 'every handshake 300 ms late (a far-away host)', nodeOnly: true, faults: { slowHandshakeMs: 300 }, timeoutMs: 1500, fail: [] },
  // 24 KiB of headers (curl reads them): every header check still runs and passes.
  { label: '24 KiB of response headers', nodeOnly: true, faults: { hugeHeaders: true }, fail: [] },
  // The same on the WebSocket upgrade's 101: the upgrade still passes.
  { label: '24 KiB of headers on the 101 upgrade', nodeOnly: true, faults: { hugeUpgradeHeaders: true }, fail: [] },
];
