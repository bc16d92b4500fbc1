// The files `verify` is given (--ca, --client-cert, --client-key), read and checked before any probe: a mistake is
// one line naming the option, the file and the fix, not an OpenSSL or EISDIR message from the middle of a run.
import { KeyObject, X509Certificate, createPrivateKey } from 'crypto';
import * as fs from 'fs';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The bytes of a file given to `--flag`; throws what is wrong with it. */
function read(flag: string, file: string): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new Error(`--${flag} ${file}: no such file`);
  }
  if (stat.isDirectory()) throw new Error(`--${flag} ${file}: is a directory; give a PEM file in it`);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(`--${flag} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check its permissions`, { cause: e });
  }
}

/** Every PEM certificate of a file given to `--flag`, parsed; throws when there is none or one does not parse. */
function certificates(flag: string, file: string, pem: string, fix: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (!blocks.length) throw new Error(`--${flag} ${file}: no PEM certificate in it (-----BEGIN CERTIFICATE-----); ${fix}`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new Error(`--${flag} ${file}: certificate ${i + 1} of ${blocks.length} does not parse; ${fix}`);
    }
  });
}

const DER_HINT = 'a DER file converts with openssl x509 -inform der -in FILE -out FILE.pem';

/** The CA bundle of `--ca`: at least one PEM certificate, every one of them parsing. */
export function readCa(file: string): string {
  const pem = read('ca', file).toString('latin1');
  certificates('ca', file, pem, `give the CA certificate in PEM (${DER_HINT})`);
  return pem;
}

/** `--client-cert` and `--client-key`: a PEM certificate (chain) and the unencrypted private key of its first one. */
export function readClientPair(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const cert = read('client-cert', certFile);
  const key = read('client-key', keyFile);
  const [leaf] = certificates('client-cert', certFile, cert.toString('latin1'), `give the client certificate in PEM (${DER_HINT})`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ERR_MISSING_PASSPHRASE'
      ? `--client-key ${keyFile}: the key is encrypted; give it decrypted (openssl pkey -in ${keyFile} -out client.key)`
      : `--client-key ${keyFile}: not a PEM private key; give the key of --client-cert in PEM (-----BEGIN PRIVATE KEY-----)`, { cause: e });
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new Error(`--client-key ${keyFile} does not match --client-cert ${certFile}: give the key the certificate was issued for`);
  }
  return { cert, key };
}
