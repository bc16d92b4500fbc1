import { envDocs, only } from '../support';

describe.each([
  ['dev', 'chat.dev.example.com', 'selfsigned', undefined],
  ['staging', 'chat.staging.example.com', 'letsencrypt-staging', 'https://acme-staging-v02.api.letsencrypt.org/directory'],
  ['prod', 'chat.example.com', 'letsencrypt-prod', 'https://acme-v02.api.letsencrypt.org/directory'],
])('TinyChat in %s', (env, host, issuerName, server) => {
  const { tinychat: docs, 'cluster-issuers': issuers } = envDocs(env);

  test('certificate for the chat host from the environment issuer, ECDSA P-256', () => {
    const cert = only(docs, 'Certificate', 'tinychat');
    expect(cert.metadata.namespace).toBe('tinychat');
    expect(cert.spec.dnsNames).toEqual([host]);
    expect(cert.spec.issuerRef.name).toBe(issuerName);
    expect(cert.spec.privateKey).toMatchObject({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
  });

  test('ACME environments solve the chat host with DNS-01 (it is not behind the ingress)', () => {
    const issuer = only(issuers, 'ClusterIssuer', issuerName);
    if (!server) return expect(issuer.spec).toEqual({ selfSigned: {} });
    expect(issuer.spec.acme.server).toBe(server);
    const dns01 = issuer.spec.acme.solvers.find((s: any) => s.selector?.dnsNames?.includes(host));
    expect(dns01.dns01.cloudflare.apiTokenSecretRef).toEqual({ name: 'cloudflare-api-token', key: 'api-token' });
  });

  test('server: USE_SSL with the full chain and key, TLS only on 8765, read-only mount', () => {
    const deployment = only(docs, 'Deployment', 'tinychat');
    const spec = deployment.spec.template.spec;
    const c = spec.containers[0];
    const env = Object.fromEntries(c.env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ USE_SSL: 'true', SSL_CERT_PATH: '/etc/tinychat/tls/tls.crt', SSL_KEY_PATH: '/etc/tinychat/tls/tls.key' });
    expect(c.env.find((e: any) => e.name === 'MOD_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'tinychat-moderator', key: 'password' });
    expect(c.ports).toEqual([{ containerPort: 8765 }]);
    const vol = spec.volumes.find((v: any) => v.secret?.secretName === 'tinychat-tls');
    expect(vol.secret.defaultMode).toBe(0o440);
    expect(c.volumeMounts.find((m: any) => m.name === vol.name)).toEqual({ name: vol.name, mountPath: '/etc/tinychat/tls', readOnly: true });
    expect(deployment.metadata.annotations['secret.reloader.stakater.com/reload']).toBe('tinychat-tls');
    expect(deployment.spec.replicas).toBe(1);
  });

  test('exposed on 443 by a LoadBalancer with appProtocol kubernetes.io/wss', () => {
    const svc = only(docs, 'Service', 'tinychat');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 8765, appProtocol: 'kubernetes.io/wss' }]);
  });
});
