import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { EdgeKind, NamespacedChart, SelfSignedIssuer, TlsStackChart } from '../../../lib';
import { checkApp } from '../../../lib/policy/gate';

const stack = (app: App, kind = EdgeKind.INGRESS_NGINX) => {
  const issuer = new SelfSignedIssuer(new Chart(app, 'issuers'), 'Self');
  return new TlsStackChart(app, 'shop', {
    namespace: 'shop', issuer, sites: [{ name: 'shop', hosts: ['shop.example.com'] }],
    apps: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', port: 8080 }], routes: [{ host: 'shop.example.com', app: 'web' }], edge: { kind },
  });
};

describe('the policy gate on every synth path', () => {
  test('app.synth() refuses a snippet annotation, names the construct, object, field and fix, and writes no YAML', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-'));
    const app = new App({ outdir });
    const chart = stack(app);
    new kplus.k8s.KubeIngress(chart, 'Legacy', {
      metadata: { name: 'legacy', annotations: { 'nginx.ingress.kubernetes.io/server-snippet': 'add_header X-Debug 1;' } },
      spec: { ingressClassName: 'nginx', rules: [{ host: 'legacy.example.com' }] },
    });
    expect(() => app.synth()).toThrow(/shop\/Legacy: Ingress legacy metadata\.annotations\["nginx\.ingress\.kubernetes\.io\/server-snippet"\]: \[snippet-annotations\] .* Fix: deliver headers with the custom-headers annotation/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('an escape hatch that turns verification off is refused and blamed on the construct that made the object', () => {
    const app = Testing.app();
    const chart = stack(app, EdgeKind.TRAEFIK);
    new ApiObject(chart, 'Transport', { apiVersion: 'traefik.io/v1alpha1', kind: 'ServersTransport', metadata: { name: 'insecure' }, spec: { insecureSkipVerify: true } });
    const edgeIngress = chart.node.findAll().find((c) => c instanceof ApiObject && c.kind === 'IngressRoute' && c.name === 'shop-shop') as ApiObject;
    edgeIngress.addJsonPatch(JsonPatch.remove('/spec/tls'));
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('shop/Transport: ServersTransport insecure spec.insecureSkipVerify: [verify-off] insecureSkipVerify is true. Fix: give rootCAs');
    expect(message).toContain('shop/Edge: IngressRoute shop-shop spec.tls: [hosts-without-tls]');
  });

  test('a change after a first synth is checked again (the cached result is only reused for identical documents)', () => {
    const app = Testing.app();
    const chart = stack(app);
    expect(() => Testing.synth(chart)).not.toThrow();
    const first = checkApp(app);
    expect(checkApp(app)).toBe(first);
    const deployment = chart.node.findAll().find((c) => c instanceof ApiObject && c.kind === 'Deployment') as ApiObject;
    deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true));
    expect(() => Testing.synth(chart)).toThrow(/shop\/App-web\/Deployment: Deployment web spec\.template\.spec\.containers\[web\]\.securityContext\.privileged: \[pod-security\] container web is privileged/);
  });

  test("documents come in the order cdk8s writes them: the tree's order without dependencies, the dependencies' with them", () => {
    const app = Testing.app();
    const chart = stack(app);
    // Nested and in the chart itself, so that the tree's order is not the order of creation by kind.
    const group = new Chart(chart, 'extra');
    const config = (scope: Chart, name: string) => new kplus.k8s.KubeConfigMap(scope, name, { metadata: { name }, data: { k: name } });
    const late = config(chart, 'late');
    config(group, 'nested');
    const early = config(chart, 'early');
    const cdk8sOrder = (c: Chart) => c.toJson().map((d: any) => `${d.kind}/${d.metadata.name}`);
    const ours = (c: Chart) => checkApp(app).charts.find((x) => x.chart === c)!.docs.map((d: any) => `${d.kind}/${d.metadata.name}`);
    const charts = () => checkApp(app).charts.map((c) => c.chart.node.path);
    expect(app.node.findAll().some((c) => c.node.dependencies.length)).toBe(false);
    expect(charts()).toEqual(app.charts.map((c) => c.node.path));
    expect(ours(chart)).toEqual(cdk8sOrder(chart));
    expect(ours(chart).filter((d) => /^ConfigMap\/(late|early)$/.test(d))).toEqual(['ConfigMap/late', 'ConfigMap/early']); // nested is its own chart's
    expect(ours(group)).toEqual(['ConfigMap/nested']);
    // A dependency reorders: what is depended on comes first.
    late.addDependency(early);
    app.node.findChild('issuers').node.addDependency(group); // charts too: the issuers' after the nested one
    expect(charts()).toEqual(app.charts.map((c) => c.node.path));
    expect(charts().indexOf('issuers')).toBeGreaterThan(charts().indexOf('shop/extra'));
    expect(ours(chart).filter((d) => /^ConfigMap\/(late|early)$/.test(d))).toEqual(['ConfigMap/early', 'ConfigMap/late']);
    expect(ours(chart)).toEqual(cdk8sOrder(chart));
  });

  test('apps without a construct of this library are not gated', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'plain');
    new kplus.k8s.KubeIngress(chart, 'Legacy', { metadata: { name: 'legacy', annotations: { 'nginx.ingress.kubernetes.io/server-snippet': 'x' } } });
    expect(() => Testing.synth(chart)).not.toThrow();
    new NamespacedChart(app, 'ours', { namespace: 'ours' });
    expect(() => Testing.synth(chart)).toThrow(/snippet-annotations/);
  });
});
