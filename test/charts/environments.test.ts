import { ENVIRONMENTS } from '../../charts/environments';
import { envDocs } from '../support';
import { schemaErrors } from '../../lib/policy/schema';

describe.each(ENVIRONMENTS.map((e) => e.name))('environment %s', (env) => {
  const charts = envDocs(env);

  test('snapshot', () => {
    expect(charts).toMatchSnapshot();
  });

  test('every document validates against its upstream schema', () => {
    for (const docs of Object.values(charts)) {
      for (const d of docs) expect([d.kind, d.metadata.name, schemaErrors(d)]).toEqual([d.kind, d.metadata.name, []]);
    }
  });

  test('every issuerRef resolves to an issuer of the environment', () => {
    const all = Object.values(charts).flat();
    const issuers = new Set(all.filter((d) => d.kind === 'ClusterIssuer').map((d) => d.metadata.name));
    for (const cert of all.filter((d) => d.kind === 'Certificate')) {
      expect(cert.spec.issuerRef.kind).toBe('ClusterIssuer');
      expect(issuers).toContain(cert.spec.issuerRef.name);
    }
  });

  test('two builds are identical (deterministic output)', () => {
    expect(envDocs(env, undefined, { fresh: true })).toEqual(charts);
  });
});
