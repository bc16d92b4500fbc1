import 'reflect-metadata';
import { X509Certificate, webcrypto } from 'crypto';
import * as x509 from '@peculiar/x509';
import { Chart, Testing } from 'cdk8s';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
import {
  AcmeSolver, InternalCa, KeyAlgorithm, KeyUsage, LetsEncryptIssuer, NamespacedChart, Pkcs12Profile, SecureWorkload, TlsCertificate, serviceDnsNames,
} from '../../lib';
import { expectStackError, only, synthValid } from '../support';

function setup(intermediate = false) {
  const app = Testing.app();
  const cluster = new Chart(app, 'cluster', { disableResourceNameHashes: true });
  const ca = new InternalCa(cluster, 'Ca', { intermediate });
  const chart = new NamespacedChart(app, 'apps', { namespace: 'apps' });
  return { app, cluster, ca, chart };
}

describe('InternalCa', () => {
  test('self-signed bootstrap → isCA root in cert-manager → CA ClusterIssuer, issuer after its certificate', () => {
    const { cluster, ca } = setup();
    const docs = synthValid(cluster);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ClusterIssuer/internal-ca-selfsigned', 'Certificate/internal-ca-root', 'ClusterIssuer/internal-ca', 'Bundle/internal-ca',
    ]);
    const root = only(docs, 'Certificate', 'internal-ca-root');
    expect(root.metadata.namespace).toBe('cert-manager');
    expect(root.spec).toMatchObject({ isCA: true, commonName: 'internal-ca', issuerRef: { name: 'internal-ca-selfsigned', kind: 'ClusterIssuer' }, duration: '87600h' });
    expect(root.spec.usages).toBeUndefined();
    expect(only(docs, 'ClusterIssuer', 'internal-ca').spec).toEqual({ ca: { secretName: 'internal-ca-root-tls' } });
    expect(ca.issuer.issuerName).toBe('internal-ca');
  });

  test('trust-manager Bundle publishes the root certificate (never the key) to labelled namespaces', () => {
    const { cluster } = setup();
    const bundle = only(synthValid(cluster), 'Bundle', 'internal-ca');
    expect(bundle.apiVersion).toBe('trust.cert-manager.io/v1alpha1');
    expect(bundle.metadata.namespace).toBeUndefined();
    expect(bundle.spec).toEqual({
      sources: [{ secret: { name: 'internal-ca-root-tls', key: 'ca.crt' } }],
      target: { configMap: { key: 'ca.crt' }, namespaceSelector: { matchLabels: { 'trust.tls-stack/internal-ca': 'enabled' } } },
    });
  });

  test('the root keeps its key across renewals (rotationPolicy Never); intermediates and leaves get a new one each time', () => {
    const { app, ca, chart } = setup(true);
    const leaf = new TlsCertificate(chart, 'Leaf', { name: 'leaf', issuer: ca.issuer, dnsNames: ['svc.apps.svc'] });
    const docs = Testing.synth(app.node.findChild('cluster') as Chart);
    expect(only(docs, 'Certificate', 'internal-ca-root').spec.privateKey.rotationPolicy).toBe('Never');
    expect(only(docs, 'Certificate', 'internal-ca-intermediate').spec.privateKey.rotationPolicy).toBe('Always');
    expect(leaf.privateKey.rotationPolicy).toBe('Always');
    expect(only(synthValid(chart), 'Certificate', 'leaf').spec.privateKey.rotationPolicy).toBe('Always');
  });

  test('why: a leaf signed before a renewal still verifies against the renewed root only when the root kept its key', async () => {
    x509.cryptoProvider.set(webcrypto as any);
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const root = async (k: CryptoKeyPair, serial: string) => x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial, name: 'CN=internal-ca', keys: k, signingAlgorithm: alg, notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86400_000),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), await x509.SubjectKeyIdentifierExtension.create(k.publicKey)],
    });
    const before = await root(keys, '01');
    const leafKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const leaf = new X509Certificate((await x509.X509CertificateGenerator.create({
      serialNumber: '10', subject: 'CN=svc', issuer: before.subject, publicKey: leafKeys.publicKey, signingKey: keys.privateKey, signingAlgorithm: alg,
      notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86400_000), extensions: [new x509.AuthorityKeyIdentifierExtension(before.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId)],
    })).toString('pem'));
    const renewedSameKey = new X509Certificate((await root(keys, '02')).toString('pem'));
    const reKeyed = new X509Certificate((await root((await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair, '03')).toString('pem'));
    expect(leaf.checkIssued(renewedSameKey) && leaf.verify(renewedSameKey.publicKey)).toBe(true);
    expect(leaf.checkIssued(reKeyed) && leaf.verify(reKeyed.publicKey)).toBe(false);
  });

  test('optional intermediate: root issuer signs the intermediate, the leaf issuer uses the intermediate', () => {
    const { cluster, ca } = setup(true);
    const docs = synthValid(cluster);
    const inter = only(docs, 'Certificate', 'internal-ca-intermediate');
    expect(inter.spec).toMatchObject({ isCA: true, issuerRef: { name: 'internal-ca-root' } });
    expect(only(docs, 'ClusterIssuer', 'internal-ca').spec.ca.secretName).toBe('internal-ca-intermediate-tls');
    const names = docs.map((d) => d.metadata.name);
    expect(names.indexOf('internal-ca-root')).toBeLessThan(names.indexOf('internal-ca-intermediate'));
    expect(ca.issuer.issuerName).toBe('internal-ca');
  });

  test('service certificates use the in-cluster DNS names', () => {
    expect(serviceDnsNames('api', 'shop')).toEqual(['api', 'api.shop', 'api.shop.svc', 'api.shop.svc.cluster.local']);
    expect(serviceDnsNames('api', 'shop', 'corp.internal')[3]).toBe('api.shop.svc.corp.internal');
  });

  test('keystores: PKCS#12 Modern2023 by default and JKS, passwords from Secrets; RSA 4096 and IP SANs', () => {
    const { ca, chart } = setup();
    new TlsCertificate(chart, 'Api', {
      name: 'api', issuer: ca.issuer, dnsNames: ['api.example.com'], ipAddresses: ['192.168.1.100'], privateKey: { algorithm: KeyAlgorithm.RSA, size: 4096 },
      keystores: { pkcs12: { passwordSecret: { name: 'api-keystore', key: 'password' } }, jks: { passwordSecret: { name: 'api-keystore', key: 'password' } } },
    });
    const spec = only(synthValid(chart), 'Certificate', 'api').spec;
    expect(spec.keystores).toEqual({
      pkcs12: { create: true, passwordSecretRef: { name: 'api-keystore', key: 'password' }, profile: 'Modern2023' },
      jks: { create: true, passwordSecretRef: { name: 'api-keystore', key: 'password' } },
    });
    expect(JSON.stringify(spec)).not.toMatch(/"password":/);
    expect(spec.privateKey.size).toBe(4096);
    expect(spec.ipAddresses).toEqual(['192.168.1.100']);
  });

  describe('bad input', () => {
    test('client certificate from an ACME issuer', () => {
      const { chart } = setup();
      const le = new LetsEncryptIssuer(chart, 'Le', { email: 'a@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] });
      expectStackError(() => new TlsCertificate(chart, 'Client', { name: 'c', issuer: le, commonName: 'web', usages: [KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CLIENT_AUTH] }),
        'usages', 'apps/Client', 'internal CA', 'public CA');
    });
    test('keystore without a password secret', () => {
      const { ca, chart } = setup();
      expectStackError(() => new TlsCertificate(chart, 'K', { name: 'k', issuer: ca.issuer, dnsNames: ['k'], keystores: { pkcs12: { passwordSecret: undefined as any } } }),
        'keystores.pkcs12.passwordSecret', 'password');
    });
    test('legacy PKCS#12 profile', () => {
      const { ca, chart } = setup();
      expectStackError(() => new TlsCertificate(chart, 'K', { name: 'k', issuer: ca.issuer, dnsNames: ['k'], keystores: { pkcs12: { passwordSecret: { name: 'p', key: 'k' }, profile: 'LegacyDES' as Pkcs12Profile } } }),
        'keystores.pkcs12.profile', 'broken');
    });
    test('mounting the CA secret into an app', () => {
      const app = Testing.app();
      const chart = new NamespacedChart(app, 'cm', { namespace: 'cert-manager', createNamespace: false });
      const ca = new InternalCa(chart, 'Ca');
      expectStackError(() => new SecureWorkload(chart, 'W', { name: 'w', image: 'x:1', port: 8443, tls: { certificate: ca.root } }), 'tls.certificate', 'CA', 'trust()');
    });
  });
});
