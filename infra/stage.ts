/**
 * Deployment stages (`-c stage=dev|prod`) and what each one changes. Only settings that differ
 * between stages live here; everything else is the same in both (alarms, dashboard, topic, API).
 *
 * - `prod`: tables with deletion protection, point-in-time recovery and RETAIN (they survive the
 *   stack), the user pool retained, logs kept one month. Stack name `FluxKartIdentity`, the name
 *   the stack had before stages existed, so an existing deployment keeps being updated in place.
 * - `dev` (the default, so a deploy without `-c stage` can never touch production): tables and user
 *   pool deleted with the stack, no PITR, logs kept one week. Stack name `FluxKartIdentity-dev`.
 *
 * No AWS types of the service here beyond the CDK enums the settings are expressed in.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** The stage of a synth without `-c stage=...`. */
export const DEFAULT_STAGE: StageName = 'dev';

export interface StageSettings {
  /** CloudFormation stack name (the `stackName` context still overrides it). */
  stackName: string;
  /** Removal policy of the DynamoDB tables and the Cognito user pool. */
  dataRemovalPolicy: RemovalPolicy;
  /** DynamoDB deletion protection on every table. */
  deletionProtection: boolean;
  /** DynamoDB point-in-time recovery on every table. */
  pointInTimeRecovery: boolean;
  /** Retention of the function log groups and the API access logs. */
  logRetention: RetentionDays;
}

export const STAGE_SETTINGS: Record<StageName, StageSettings> = {
  prod: {
    stackName: 'FluxKartIdentity',
    dataRemovalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    pointInTimeRecovery: true,
    logRetention: RetentionDays.ONE_MONTH,
  },
  dev: {
    stackName: 'FluxKartIdentity-dev',
    dataRemovalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    pointInTimeRecovery: false,
    logRetention: RetentionDays.ONE_WEEK,
  },
};

/** The stage named by a context value; anything but dev or prod is refused with a clear message. */
export function parseStage(raw: unknown): StageName {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_STAGE;
  if (typeof raw === 'string' && (STAGES as readonly string[]).includes(raw)) return raw as StageName;
  throw new Error(
    `Context stage must be one of ${STAGES.join(', ')} (got ${JSON.stringify(raw)}); e.g. npm run deploy -- -c stage=prod`,
  );
}
