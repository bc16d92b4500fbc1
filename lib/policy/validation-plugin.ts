import { ManifestDoc, Severity, checkManifests } from './check';
import type { Manifest } from './manifest';

/** The part of cdk8s-cli's `ValidationContext` the plugin uses (cdk8s-cli/lib/plugins/validation.d.ts). */
export interface PluginValidationContext {
  readonly manifests: readonly string[];
  parseManifest(manifestPath: string): Manifest[];
  readonly report: {
    addViolation(violation: { ruleName: string; recommendation: string; fix: string; violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }> }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
}

/**
 * The `cdk8s synth --validate` plugin: the same schema and TLS-policy checks as `cdk8s-tls check`, over the files the
 * CLI wrote. In `cdk8s.yaml`:
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-secure-tls
 *     class: TlsPolicyValidation
 *     version: 0.1.0
 * ```
 *
 * Experimental: cdk8s's validation plugin interface is itself experimental.
 * @experimental
 */
export class TlsPolicyValidation {
  public async validate(context: PluginValidationContext): Promise<void> {
    const docs = context.manifests.flatMap((file) => context.parseManifest(file).filter(Boolean).map((doc): ManifestDoc => ({ file, doc })));
    const findings = checkManifests(docs);
    for (const f of findings) {
      context.report.addViolation({
        ruleName: `${f.severity}:${f.rule}`,
        recommendation: f.field ? `${f.field}: ${f.message}` : f.message,
        fix: f.fix,
        violatingResources: [{ resourceName: `${f.kind}/${f.name}`, locations: f.field ? [f.field] : [], manifestPath: f.file }],
      });
    }
    context.report.submit(findings.some((f) => f.severity === Severity.ERROR) ? 'failure' : 'success', { documents: String(docs.length) });
  }
}
