// cdk8s CLI validation plugin (`cdk8s synth --validate`, configured in cdk8s.yaml). The CLI loads plain JavaScript,
// so this file registers tsx to load the TypeScript policy checks: the same checks as `npm run check`.
require('tsx/cjs');
const { Severity, checkManifests } = require('./check.ts');

class TlsPolicyValidation {
  async validate(context) {
    const docs = context.manifests.flatMap((file) => context.parseManifest(file).filter(Boolean).map((doc) => ({ file, doc })));
    const findings = checkManifests(docs);
    for (const f of findings) {
      context.report.addViolation({
        ruleName: `${f.severity}:${f.rule}`,
        recommendation: f.message,
        fix: f.fix,
        violatingResources: [{ resourceName: `${f.kind}/${f.name}`, locations: [], manifestPath: f.file }],
      });
    }
    context.report.submit(findings.some((f) => f.severity === Severity.ERROR) ? 'failure' : 'success', { documents: String(docs.length) });
  }
}

module.exports = { TlsPolicyValidation };
