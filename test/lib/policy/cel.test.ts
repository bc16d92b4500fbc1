import * as fs from 'fs';
import * as path from 'path';
import { CelSite, celErrors } from '../../../lib/policy/cel';
import { Severity, checkManifests } from '../../../lib/policy/check';
import { validateDocument } from '../../../lib/policy/schema';
import { envDocs } from '../../support';

const prod = Object.values(envDocs('prod')).flat();
const copy = (d: any) => JSON.parse(JSON.stringify(d));
const redirect = () => copy(prod.find((d) => d.kind === 'HTTPRoute' && d.spec.rules[0].filters?.[0]?.type === 'RequestRedirect'));

describe('CEL rules of the upstream CRDs', () => {
  test('transition rules (oldSelf) are left out: a manifest has no old object; the others are all there', () => {
    // The upstream CRD has a transition rule (read where ../shared is beside the checkout, as in CI).
    const crdFile = path.join(__dirname, '../../../../shared/crds/gateway-api-v1.6.1-standard/gateway.networking.k8s.io_gatewayclasses.yaml');
    if (fs.existsSync(crdFile)) expect(fs.readFileSync(crdFile, 'utf8')).toContain('rule: self == oldSelf');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated JavaScript without declarations
    const sites: CelSite[] = require('../../../imports/validators/gateway.networking.k8s.io/v1/GatewayClass.js').cel;
    const rules = sites.flatMap((s) => s.rules);
    expect(rules.filter((r) => /oldSelf/.test(r.rule))).toEqual([]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated JavaScript without declarations
    const route: CelSite[] = require('../../../imports/validators/gateway.networking.k8s.io/v1/HTTPRoute.js').cel;
    expect(route.flatMap((s) => s.rules).length).toBeGreaterThan(20);
    const gc = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'eg' }, spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' } };
    expect(validateDocument(gc)).toEqual({ schema: [], cel: [], celUnknown: [] });
  });

  test('every shipped Gateway API document satisfies them', () => {
    const gatewayDocs = prod.filter((d) => d.apiVersion.startsWith('gateway.'));
    expect(gatewayDocs.length).toBeGreaterThan(5);
    for (const d of gatewayDocs) expect([d.kind, d.metadata.name, validateDocument(d)]).toEqual([d.kind, d.metadata.name, { schema: [], cel: [], celUnknown: [] }]);
  });

  test('two RequestRedirect filters in one rule are caught (ajv alone accepts them)', () => {
    const route = redirect();
    route.spec.rules[0].filters.push(copy(route.spec.rules[0].filters[0]));
    const r = validateDocument(route);
    expect(r.schema).toEqual([]);
    expect(r.cel).toEqual([{ field: 'spec.rules[0].filters', message: 'RequestRedirect filter cannot be repeated' }]);
    const findings = checkManifests([{ file: 'x/a.yaml', doc: route }]).filter((f) => f.rule === 'cel');
    expect(findings).toEqual([expect.objectContaining({ severity: Severity.ERROR, field: 'spec.rules[0].filters', message: expect.stringContaining('RequestRedirect filter cannot be repeated') })]);
  });

  test('a redirect filter next to backendRefs is refused', () => {
    const route = redirect();
    route.spec.rules[0].backendRefs = [{ name: 'web', port: 80 }];
    expect(validateDocument(route).cel.map((c) => c.message)).toEqual([expect.stringMatching(/RequestRedirect filter must not be used together with backendRefs/)]);
  });

  test('rules see the schema defaults, as in the API server: a path match without a type is a PathPrefix and must start with /', () => {
    const route = copy(prod.find((d) => d.kind === 'HTTPRoute' && d.spec.rules[0].backendRefs));
    route.spec.rules[0].matches = [{ path: { value: 'no-slash' } }];
    expect(validateDocument(route).cel).toEqual([{ field: 'spec.rules[0].matches[0].path', message: expect.stringMatching(/must be an absolute path/) }]);
    expect(route.spec.rules[0].matches[0].path.type).toBeUndefined(); // the document itself is not modified
  });

  test('the IP library: a TLSRoute hostname may not be an IP address', () => {
    const tlsRoute = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'TLSRoute', metadata: { name: 't', namespace: 'n' }, spec: { parentRefs: [{ name: 'g' }], hostnames: ['10.0.0.1'], rules: [{ backendRefs: [{ name: 's', port: 443 }] }] } };
    expect(validateDocument(tlsRoute).cel.map((c) => c.field)).toContain('spec.hostnames');
  });

  test('a rule with a function the evaluator lacks is reported, not guessed; a parse error too', () => {
    const sites = [{ path: ['spec'], rules: [{ rule: 'quantity(self.size).isGreaterThan(quantity("1Gi"))', message: 'too big' }, { rule: 'self.(', message: 'bad' }] }];
    const r = celErrors({ spec: { size: '2Gi' } }, sites);
    expect(r.cel).toEqual([]);
    expect(r.celUnknown).toEqual([
      { field: 'spec', message: expect.stringMatching(/^rule not evaluated \(unbound function: .*\): quantity/) },
      { field: 'spec', message: expect.stringMatching(/^rule not evaluated .*: self\.\($/) },
    ]);
  });
  test('results are kept by rule and value: the same value gives the same answer, a different one is evaluated afresh', () => {
    const sites: CelSite[] = [{ path: ['spec', 'ports', '[]'], rules: [{ rule: 'self.port < 1024 || self.name.matches("^high-")', message: 'a high port needs a high- name' }] }];
    const doc = (ports: Array<{ name: string; port: number }>) => ({ spec: { ports } });
    // Twice each, in both orders: a cached result never leaks to another value (nor does the compiled pattern).
    for (let i = 0; i < 2; i++) {
      expect(celErrors(doc([{ name: 'web', port: 80 }, { name: 'web', port: 8080 }]), sites).cel).toEqual([{ field: 'spec.ports[1]', message: 'a high port needs a high- name' }]);
      expect(celErrors(doc([{ name: 'high-web', port: 8080 }, { name: 'web', port: 80 }]), sites).cel).toEqual([]);
      expect(celErrors(doc([{ name: 'web', port: 8080 }]), sites).cel).toEqual([{ field: 'spec.ports[0]', message: 'a high port needs a high- name' }]);
    }
  });
});
