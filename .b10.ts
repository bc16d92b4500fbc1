import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { AcmeServer, AcmeSolver, AppProtocol, EdgeKind, LetsEncryptIssuer, TlsStackChart, writeApps } from './lib';
import { checkApp } from './lib/policy/gate';
const T = () => performance.now();
const t0 = T();
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'b10-'));
const app = new App({ outdir: out, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
const cluster = new Chart(app, 'cluster-issuers', { disableResourceNameHashes: true });
const issuer = new LetsEncryptIssuer(cluster, 'Le', { server: AcmeServer.PRODUCTION, email: 'ops@example.com', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] });
const apps = Array.from({ length: 10 }, (_, i) => i);
new TlsStackChart(app, 'stack', {
  namespace: 'bench', issuer,
  sites: apps.map((i) => ({ name: `app-${i}`, hosts: [`app-${i}.example.com`] })),
  apps: apps.map((i) => ({ name: `app-${i}`, image: 'ghcr.io/example/app:1.0.0', port: 8080, protocol: i % 10 ? AppProtocol.HTTP : AppProtocol.WEBSOCKET, networkPolicy: true })),
  routes: apps.map((i) => ({ host: `app-${i}.example.com`, app: `app-${i}`, path: i % 10 ? '/' : '/ws', websocket: i % 10 === 0 })),
  edge: { kind: EdgeKind.INGRESS_NGINX },
});
const t1 = T();
checkApp(app);
const t2 = T();
checkApp(app);
const t3 = T();
writeApps([{ app, title: 'bench' }]);
const t4 = T();
console.log({ build: (t1 - t0).toFixed(0), check: (t2 - t1).toFixed(0), check2: (t3 - t2).toFixed(0), write: (t4 - t3).toFixed(0) });
