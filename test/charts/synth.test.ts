import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { ENVIRONMENTS } from '../../charts/environments';
import { synthEnvironments } from '../../charts/synth';
import { TlsStackError } from '../../lib';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));

describe('synthEnvironments', () => {
  const out = tmp();
  synthEnvironments(ENVIRONMENTS, out);

  test('writes one file per chart, a kustomization listing them, and SUMMARY.md per environment', () => {
    for (const env of ENVIRONMENTS) {
      const dir = path.join(out, env.name);
      const yamls = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
      expect(parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: yamls });
      expect(fs.existsSync(path.join(dir, 'SUMMARY.md'))).toBe(true);
    }
  });

  test('the committed dist/ is byte-identical to a fresh synth (deterministic, not stale)', () => {
    const dist = path.join(__dirname, '..', '..', 'dist');
    for (const env of ENVIRONMENTS) {
      for (const f of fs.readdirSync(path.join(out, env.name))) {
        expect([f, fs.readFileSync(path.join(dist, env.name, f), 'utf8')]).toEqual([f, fs.readFileSync(path.join(out, env.name, f), 'utf8')]);
      }
    }
  });

  test('SUMMARY.md: hosts → edge → certificate → issuer → secret → backend, mTLS links and a Mermaid graph', () => {
    const summary = fs.readFileSync(path.join(out, 'prod', 'SUMMARY.md'), 'utf8');
    expect(summary).toContain('| api.analytics.example.com | /, /ws | GatewayApi `analytics` | mozilla-intermediate-6.0 | max-age=31536000; includeSubDomains | api | letsencrypt-prod | analytics/api-tls | ECDSA 256 | 2160h / 720h | api-gateway:80 | /ws | - |');
    expect(summary).toMatch(/\| services-server \| naaccord \| https :8001 \| .* \| yes \| web-server \|/);
    expect(summary).toContain('```mermaid');
    expect(summary).toMatch(/naaccord_App_web_server -- "mTLS" --> naaccord_App_services_server/);
  });

  (spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0 ? test : test.skip)('kubectl kustomize renders every environment', () => {
    for (const env of ENVIRONMENTS) {
      const r = spawnSync('kubectl', ['kustomize', path.join(out, env.name)], { encoding: 'utf8' });
      expect([env.name, r.status, r.stderr]).toEqual([env.name, 0, '']);
      expect(r.stdout).toContain('kind: Certificate');
    }
  });

  test('a bad spec writes nothing, not even for the good environments', () => {
    const dir = tmp();
    const bad = { ...ENVIRONMENTS[2], name: 'broken', domain: 'Not A Domain' };
    expect(() => synthEnvironments([ENVIRONMENTS[0], bad], dir)).toThrow(TlsStackError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
