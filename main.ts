import * as fs from 'fs';
import { ENVIRONMENTS, buildEnvironment } from './charts/environments';

// Build every environment first: a bad spec anywhere throws here, before a single file is written.
const apps = ENVIRONMENTS.map((env) => buildEnvironment(env));
for (const app of apps) {
  fs.rmSync(app.outdir, { recursive: true, force: true });
  app.synth();
}
