/**
 * Stages (infra/stage.ts): prod keeps its data (deletion protection, PITR, RETAIN, one-month logs),
 * dev is disposable (tables and user pool destroyed with the stack, no PITR, one-week logs); the
 * app defaults to dev, names the stacks per stage and refuses an unknown stage with a clear message.
 * Also the operations context of the app: alarmEmail and tables used by name (PITR restore).
 */
import { describe, expect, it } from 'vitest';
import { parseAlarmEmail, parseExistingTables } from '../../infra/ops-context';
import { DEFAULT_STAGE, parseStage, STAGE_SETTINGS } from '../../infra/stage';
import { TABLE_KEYS, TABLES } from '../../lib/tables';
import { ofType, synthApp, synthStack } from './synth-app';

const prod = synthStack({ stage: 'prod' });
const dev = synthStack({ stage: 'dev' });
const unstaged = synthStack();

function tables(s: ReturnType<typeof synthStack>) {
  const found = ofType(s.resources, 'AWS::DynamoDB::Table');
  expect(found).toHaveLength(TABLE_KEYS.length);
  return found;
}

describe('prod', () => {
  it('keeps every table: deletion protection, point-in-time recovery, retained on delete and replace', () => {
    for (const [id, table] of tables(prod)) {
      expect(table.Properties, id).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect(table.DeletionPolicy, id).toBe('Retain');
      expect(table.UpdateReplacePolicy, id).toBe('Retain');
    }
  });

  it('retains the user pool and keeps function and access logs one month', () => {
    const pools = ofType(prod.resources, 'AWS::Cognito::UserPool');
    expect(pools).toHaveLength(1);
    expect(pools[0]![1].DeletionPolicy).toBe('Retain');
    const groups = ofType(prod.resources, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(1);
    for (const [id, group] of groups) expect(group.Properties.RetentionInDays, id).toBe(30);
  });

  it('is what the stack builds when no stage is given (the stack never destroys data by default)', () => {
    expect(unstaged.stack.stageName).toBe('prod');
    expect(unstaged.template.toJSON()).toEqual(prod.template.toJSON());
  });
});

describe('dev', () => {
  it('destroys its tables with the stack: no deletion protection, no PITR', () => {
    for (const [id, table] of tables(dev)) {
      expect(table.Properties.DeletionProtectionEnabled, id).toBe(false);
      expect(table.Properties.PointInTimeRecoverySpecification, id).toEqual({ PointInTimeRecoveryEnabled: false });
      expect(table.DeletionPolicy, id).toBe('Delete');
      expect(table.UpdateReplacePolicy, id).toBe('Delete');
    }
  });

  it('destroys its user pool and keeps logs one week', () => {
    expect(ofType(dev.resources, 'AWS::Cognito::UserPool')[0]![1].DeletionPolicy).toBe('Delete');
    const groups = ofType(dev.resources, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(1);
    for (const [id, group] of groups) expect(group.Properties.RetentionInDays, id).toBe(7);
  });

  it('has the same alarms, topic and dashboard as prod', () => {
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::SNS::Topic', 'AWS::CloudWatch::Dashboard', 'AWS::Lambda::Function']) {
      expect(ofType(dev.resources, type).length, type).toBe(ofType(prod.resources, type).length);
      expect(ofType(dev.resources, type).length, type).toBeGreaterThan(0);
    }
  });
});

describe('stage context', () => {
  it('defaults to dev, accepts dev and prod, and refuses anything else with a clear message', () => {
    expect(DEFAULT_STAGE).toBe('dev');
    expect(parseStage(undefined)).toBe('dev');
    expect(parseStage('')).toBe('dev');
    expect(parseStage('dev')).toBe('dev');
    expect(parseStage('prod')).toBe('prod');
    for (const bad of ['qa', 'Prod', 'production', 1, true]) {
      expect(() => parseStage(bad), String(bad)).toThrow(/^Context stage must be one of dev, prod \(got .+\); e\.g\. npm run deploy -- -c stage=prod$/);
    }
  });

  it('names the stacks per stage; prod keeps the name the stack had before stages', () => {
    expect(STAGE_SETTINGS.prod.stackName).toBe('FluxKartIdentity');
    expect(STAGE_SETTINGS.dev.stackName).toBe('FluxKartIdentity-dev');
  });

  // That the app without -c stage synthesizes exactly FluxKartIdentity-dev is checked by
  // test/infra/nag.test.ts, on the same child-process synth it runs cdk-nag's dev case on.
  it('the app fails on an unknown stage naming the choices', async () => {
    const bad = await synthApp({ stage: 'staging' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Context stage must be one of dev, prod (got "staging")');
    expect(bad.templates).toEqual({});
  }, 180_000);
});

describe('alarmEmail context', () => {
  it('accepts one address or nothing, and refuses anything else', () => {
    expect(parseAlarmEmail(undefined)).toBeUndefined();
    expect(parseAlarmEmail('')).toBeUndefined();
    expect(parseAlarmEmail('oncall@fluxkart.example')).toBe('oncall@fluxkart.example');
    for (const bad of ['oncall', 'a@b', 'a b@c.de', 'a@b.c,d@e.f ', 42]) {
      expect(() => parseAlarmEmail(bad), String(bad)).toThrow(/^Context alarmEmail must be one email address/);
    }
  });
});

describe('tables used by name (restore from point-in-time recovery)', () => {
  const restored = synthStack({
    stage: 'prod',
    existingTables: { contacts: { tableName: 'FluxKartIdentity-Contacts-restored' } },
  });

  it('drops the stack own table of that key and points functions, grants and alarms at the named one', () => {
    expect(ofType(restored.resources, 'AWS::DynamoDB::Table')).toHaveLength(TABLE_KEYS.length - 1);
    const identify = restored.resources[restored.stack.getLogicalId(restored.stack.functions.identify.function.node.defaultChild as never)]!;
    expect(identify.Properties.Environment.Variables[TABLES.contacts.envVar]).toBe('FluxKartIdentity-Contacts-restored');
    expect(identify.Properties.Environment.Variables[TABLES.emails.envVar]).toEqual({ Ref: expect.stringMatching(/^EmailsTable/) });
    const policies = JSON.stringify(ofType(restored.resources, 'AWS::IAM::Policy'));
    expect(policies).toContain(':table/FluxKartIdentity-Contacts-restored');
    const alarms = JSON.stringify(ofType(restored.resources, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toContain('"Value":"FluxKartIdentity-Contacts-restored"');
  });

  it('parses tableNames and tableStreamArns as JSON objects by table key, refusing unknown tables and bad values', () => {
    expect(parseExistingTables(undefined, undefined)).toBeUndefined();
    expect(parseExistingTables('{"contacts":"c-restored","emails":"e-restored"}', undefined)).toEqual({
      contacts: { tableName: 'c-restored' },
      emails: { tableName: 'e-restored' },
    });
    const arn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/c-restored/stream/2026-12-01T00:00:00.000';
    expect(parseExistingTables({ contacts: 'c-restored' }, JSON.stringify({ contacts: arn }))).toEqual({
      contacts: { tableName: 'c-restored', tableStreamArn: arn },
    });
    expect(() => parseExistingTables('{"invoices":"x-restored"}', undefined)).toThrow(/unknown table "invoices"/);
    expect(() => parseExistingTables('{"contacts":"a b"}', undefined)).toThrow(/tableNames\.contacts must be a DynamoDB table name/);
    expect(() => parseExistingTables('contacts=x', undefined)).toThrow(/must be a JSON object/);
    expect(() => parseExistingTables('["x"]', undefined)).toThrow(/must be a JSON object/);
    expect(() => parseExistingTables(undefined, JSON.stringify({ contacts: arn }))).toThrow(/needs tableNames\.contacts/);
    expect(() => parseExistingTables('{"contacts":"c-restored"}', '{"contacts":"not-an-arn"}')).toThrow(/stream ARN/);
  });
});
