/**
 * Test helpers for the infra tests of stages, monitoring and cdk-nag:
 * - `synthStack`: the stack in-process with bundling skipped, like test/infra/stack.test.ts;
 * - `synthApp`: the real CDK app (infra/app.ts, cdk-nag included) run the way the CDK CLI runs it,
 *   in a child process with CDK_CONTEXT_JSON (cdk.json's context plus the given values) and
 *   CDK_OUTDIR, bundling skipped; returns the exit code, stderr, the templates and cdk-nag's report.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { IdentityStack, type IdentityStackProps } from '../../infra/identity-stack';

export type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, any>;
};

export const ROOT = resolve(import.meta.dirname, '../..');

export function synthStack(props: Omit<IdentityStackProps, 'env'> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new IdentityStack(app, 'OpsTest', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  return { stack, template, resources };
}

export function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

export interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}

export interface AppSynth {
  code: number;
  stderr: string;
  templates: Record<string, { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> }>;
  violations: Violation[];
}

const run = promisify(execFile);

export async function synthApp(context: Record<string, unknown>): Promise<AppSynth> {
  const outdir = mkdtempSync(join(tmpdir(), 'fluxkart-app-'));
  try {
    const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const env = {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context }),
      CDK_DEFAULT_ACCOUNT: '123456789012',
      CDK_DEFAULT_REGION: 'eu-west-1',
    };
    let code = 0;
    let stderr = '';
    try {
      await run(join(ROOT, 'node_modules/.bin/tsx'), ['infra/app.ts'], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      const e = error as { code?: number; stderr?: string };
      code = typeof e.code === 'number' ? e.code : 1;
      stderr = e.stderr ?? String(error);
    }
    const templates: AppSynth['templates'] = {};
    const manifestFile = join(outdir, 'manifest.json');
    if (existsSync(manifestFile)) {
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
        artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
      };
      for (const [name, artifact] of Object.entries(manifest.artifacts)) {
        if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
          templates[name] = JSON.parse(readFileSync(join(outdir, artifact.properties.templateFile), 'utf8'));
        }
      }
    }
    const reportFile = join(outdir, 'validation-report.json');
    const violations = existsSync(reportFile)
      ? (JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: { violations: Violation[] }[] }).pluginReports.flatMap(
          (p) => p.violations,
        )
      : [];
    return { code, stderr, templates, violations };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** One line per finding: rule id, severity and construct path (what to fix or acknowledge). */
export function describeViolations(violations: Violation[]): string {
  return violations
    .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} (${v.severity}) at ${c.constructPath}`))
    .join('\n');
}
