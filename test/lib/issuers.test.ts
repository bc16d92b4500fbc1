import { AcmeServer, AcmeSolver, ExternalIssuer, LetsEncryptIssuer, Route53Credentials, SelfSignedIssuer, TlsCertificate } from '../../lib';
import { expectStackError, only, scratch, synthValid } from '../support';

const http01 = AcmeSolver.http01Ingress({ ingressClassName: 'nginx' });
const cloudflare = (zones?: string[]) => AcmeSolver.cloudflare({ apiTokenSecret: { name: 'cf-token', key: 'token' }, selector: zones && { dnsZones: zones } });

describe('LetsEncryptIssuer', () => {
  test('production and staging point at the right ACME directories, cluster-scoped', () => {
    const { chart } = scratch();
    new LetsEncryptIssuer(chart, 'Prod', { email: 'ops@example.com', solvers: [http01] });
    new LetsEncryptIssuer(chart, 'Staging', { email: 'ops@example.com', server: AcmeServer.STAGING, solvers: [http01] });
    const docs = synthValid(chart);
    const prod = only(docs, 'ClusterIssuer', 'letsencrypt-prod');
    const staging = only(docs, 'ClusterIssuer', 'letsencrypt-staging');
    expect(prod.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(staging.spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(prod.spec.acme.email).toBe('ops@example.com');
    expect(prod.spec.acme.privateKeySecretRef).toEqual({ name: 'letsencrypt-prod-account-key' });
    expect(prod.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
    expect(prod.metadata.namespace).toBeUndefined();
  });

  test('DNS-01 solvers: Cloudflare token, Route53 ambient and access-key credentials, selectors', () => {
    const { chart } = scratch();
    new LetsEncryptIssuer(chart, 'I', {
      name: 'le',
      email: 'ops@example.com',
      accountKeySecretName: 'le-account',
      solvers: [
        cloudflare(['example.com']),
        AcmeSolver.route53({ region: 'eu-west-1', hostedZoneId: 'Z123', selector: { dnsNames: ['a.example.org'] } }),
        AcmeSolver.route53({ region: 'us-east-1', credentials: Route53Credentials.accessKey({ name: 'aws', key: 'id' }, { name: 'aws', key: 'secret' }) }),
      ],
    });
    const solvers = only(synthValid(chart), 'ClusterIssuer', 'le').spec.acme.solvers;
    expect(solvers[0]).toEqual({ dns01: { cloudflare: { apiTokenSecretRef: { name: 'cf-token', key: 'token' } } }, selector: { dnsZones: ['example.com'] } });
    expect(solvers[1]).toEqual({ dns01: { route53: { region: 'eu-west-1', hostedZoneID: 'Z123' } }, selector: { dnsNames: ['a.example.org'] } });
    expect(solvers[2].dns01.route53).toEqual({
      region: 'us-east-1', accessKeyIDSecretRef: { name: 'aws', key: 'id' }, secretAccessKeySecretRef: { name: 'aws', key: 'secret' },
    });
  });

  test('picks solvers like cert-manager: exact name > longest zone > no selector', () => {
    const { chart } = scratch();
    const exact = AcmeSolver.route53({ region: 'eu-west-1', selector: { dnsNames: ['x.a.example.com'] } });
    const zone = cloudflare(['a.example.com']);
    const wide = cloudflare(['example.com']);
    const le = new LetsEncryptIssuer(chart, 'I', { email: 'ops@example.com', solvers: [http01, wide, zone, exact] });
    expect(le.solverFor('x.a.example.com')).toBe(exact);
    expect(le.solverFor('y.a.example.com')).toBe(zone);
    expect(le.solverFor('b.example.com')).toBe(wide);
    expect(le.solverFor('other.org')).toBe(http01);
  });

  test('a wildcard with only HTTP-01 is a synth error that says DNS-01 is needed', () => {
    const { chart } = scratch();
    const le = new LetsEncryptIssuer(chart, 'I', { email: 'ops@example.com', solvers: [http01] });
    expectStackError(() => new TlsCertificate(chart, 'Wild', { name: 'wild', issuer: le, dnsNames: ['*.example.com'] }),
      'dnsNames', 'test/Wild', '"*.example.com"', 'DNS-01', 'HTTP-01');
  });

  test('a wildcard served by a DNS-01 zone selector is accepted', () => {
    const { chart } = scratch();
    const le = new LetsEncryptIssuer(chart, 'I', { email: 'ops@example.com', solvers: [http01, cloudflare(['example.com'])] });
    new TlsCertificate(chart, 'Wild', { name: 'wild', issuer: le, dnsNames: ['*.example.com', 'example.com'] });
    expect(only(synthValid(chart), 'Certificate').spec.dnsNames).toEqual(['*.example.com', 'example.com']);
  });

  test('a name no solver serves is a synth error', () => {
    const { chart } = scratch();
    const le = new LetsEncryptIssuer(chart, 'I', { email: 'ops@example.com', solvers: [cloudflare(['example.com'])] });
    expectStackError(() => new TlsCertificate(chart, 'C', { name: 'c', issuer: le, dnsNames: ['api.other.org'] }), 'dnsNames', 'no solver');
  });

  test('email without @ is rejected with the path, value and fix', () => {
    const { chart } = scratch();
    expectStackError(() => new LetsEncryptIssuer(chart, 'Bad', { email: 'ops.example.com', solvers: [http01] }),
      'email', 'test/Bad', '"ops.example.com"', 'mailbox');
  });

  test('no solvers, bad ingress class and bad region are rejected', () => {
    expectStackError(() => new LetsEncryptIssuer(scratch().chart, 'I', { email: 'a@b.co', solvers: [] }), 'solvers', 'http01Ingress');
    expectStackError(() => new LetsEncryptIssuer(scratch().chart, 'I', { email: 'a@b.co', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'Nginx Class' })] }),
      'solvers[0].ingressClassName', 'IngressClass');
    expectStackError(() => new LetsEncryptIssuer(scratch().chart, 'I', { email: 'a@b.co', solvers: [AcmeSolver.route53({ region: 'Ireland' })] }),
      'solvers[0].region', 'eu-west-1');
  });
});

describe('SelfSignedIssuer', () => {
  test('emits a cluster-scoped selfSigned ClusterIssuer', () => {
    const { chart } = scratch();
    new SelfSignedIssuer(chart, 'S');
    const doc = only(synthValid(chart), 'ClusterIssuer', 'selfsigned');
    expect(doc.spec).toEqual({ selfSigned: {} });
    expect(doc.metadata.namespace).toBeUndefined();
  });
});

describe('ExternalIssuer', () => {
  test('certificates can reference an issuer managed elsewhere; it emits nothing', () => {
    const { chart } = scratch();
    const ext = new ExternalIssuer(chart, 'Ext', { name: 'corp-pki', kind: 'ClusterIssuer' });
    new TlsCertificate(chart, 'C', { name: 'c', issuer: ext, dnsNames: ['c.example.com'] });
    const docs = synthValid(chart);
    expect(docs.map((d) => d.kind)).toEqual(['Certificate']);
    expect(only(docs, 'Certificate').spec.issuerRef).toEqual({ name: 'corp-pki', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });
  test('bad name', () => {
    expectStackError(() => new ExternalIssuer(scratch().chart, 'Ext', { name: 'Corp PKI' }), 'name', 'metadata.name');
  });
});
