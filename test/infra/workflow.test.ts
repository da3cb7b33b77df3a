/**
 * The deploy workflow (.github/workflows/deploy.yml): valid for GitHub Actions according to
 * action-validator (@action-validator/cli), which is shown to catch a misspelt copy; and it deploys
 * the chosen stage (manual runs: dev or prod; pushes to main: dev) through the environment of that
 * stage, passing the stage and the operations options to `cdk deploy`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './synth-app';

const run = promisify(execFile);
const WORKFLOW = join(ROOT, '.github/workflows/deploy.yml');
const VALIDATOR = join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');
const text = readFileSync(WORKFLOW, 'utf8');

async function validate(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [VALIDATOR, file], { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('deploy workflow', () => {
  it('passes action-validator', async () => {
    const result = await validate(WORKFLOW);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);

  it.each([
    ['a misspelt job key', 'runs-on: ubuntu-latest', 'runs_on: ubuntu-latest', 'runs_on'],
    ['a misspelt input type', 'type: choice', 'type: choise', '/on/workflow_dispatch'],
  ])('fails action-validator with %s', async (_label, from, to, mentioned) => {
    expect(text).toContain(from);
    const dir = mkdtempSync(join(tmpdir(), 'fluxkart-workflow-'));
    try {
      const file = join(dir, 'deploy.yml');
      writeFileSync(file, text.replace(from, to));
      const result = await validate(file);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(mentioned);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('offers dev and prod on manual runs and deploys dev on a push to main', () => {
    expect(text).toMatch(/workflow_dispatch:\n {4}inputs:\n {6}stage:\n(?: {8}.*\n)*? {8}type: choice\n {8}options: \[dev, prod\]\n {8}default: dev\n/);
    expect(text).toMatch(/push:\n {4}branches: \[main\]/);
    expect(text.match(/\$\{\{ inputs\.stage \|\| 'dev' \}\}/g)).toHaveLength(3);
    expect(text).toContain('environment: ${{ inputs.stage || \'dev\' }}');
    expect(text).toContain('group: deploy-${{ inputs.stage || \'dev\' }}');
  });

  it('passes the stage and the operations options to cdk deploy', () => {
    expect(text).toContain('args=(-c "stage=${STAGE}"');
    for (const [variable, context] of [
      ['ALARM_EMAIL', 'alarmEmail'],
      ['TABLE_NAMES', 'tableNames'],
      ['TABLE_STREAM_ARNS', 'tableStreamArns'],
      ['API_RATE_LIMIT', 'throttlingRateLimit'],
      ['API_BURST_LIMIT', 'throttlingBurstLimit'],
    ]) {
      expect(text).toContain(`${variable}: \${{ vars.${variable} }}`);
      expect(text).toContain(`args+=(-c "${context}=\${${variable}}")`);
    }
    expect(text).toContain('npx cdk deploy --require-approval never --no-notices "${args[@]}"');
  });
});
