/**
 * CDK assertions for the read and admin API: the stack (infra/identity-stack.ts, synthesized with
 * bundling skipped) creates the Cognito user pool, its client and the `admins` group, and a JWT
 * authorizer for that pool guards every admin route, by name, while /identify and /health stay
 * open (or /identify goes behind IAM when asked). The admin functions get only the DynamoDB
 * actions they need: the read function writes nothing, and only the audited actions may append to
 * the audit table.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { IdentityStack, type IdentityStackProps } from '../../infra/identity-stack';
import { nonEmpty } from '../support/non-empty';

type Resource = { Type: string; Properties: Record<string, any> };

const ADMIN_ROUTES: Record<string, string> = {
  'GET /contacts': 'AdminRead',
  'GET /contacts/{id}': 'AdminRead',
  'GET /identities/{contactId}': 'AdminRead',
  'GET /identities/{contactId}/orders': 'AdminRead',
  'POST /identities/lookup': 'AdminRead',
  'POST /identities/merge': 'AdminMerge',
  'DELETE /identities/{contactId}': 'AdminErase',
  'GET /audit': 'AdminAudit',
};

function synth(props: Omit<IdentityStackProps, 'env'> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new IdentityStack(app, 'AdminAuthTest', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Record<string, Resource> };
}

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

function route(resources: Record<string, Resource>, routeKey: string): Resource {
  const found = ofType(resources, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === routeKey);
  expect(found, routeKey).toHaveLength(1);
  return found[0]![1];
}

/** Logical id of the Lambda function a route's integration invokes. */
function target(resources: Record<string, Resource>, r: Resource): string {
  const integrationId = String(r.Properties.Target['Fn::Join'][1][1].Ref);
  const uri = resources[integrationId]!.Properties.IntegrationUri;
  return String(uri['Fn::GetAtt'][0]);
}

const base = synth();
const iam = synth({ identifyAuthorization: 'iam' });

describe('admin access control in the stack', () => {
  it('creates a user pool without self sign-up, an app client and the admins group', () => {
    const pools = ofType(base.resources, 'AWS::Cognito::UserPool');
    expect(pools).toHaveLength(1);
    const [poolId, pool] = pools[0]!;
    expect(pool.Properties.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    base.template.hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: { Ref: poolId } });
    base.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admins', UserPoolId: { Ref: poolId } });
  });

  it('guards every admin route with one JWT authorizer whose issuer is the pool and audience its client', () => {
    const authorizers = ofType(base.resources, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    const [poolId] = ofType(base.resources, 'AWS::Cognito::UserPool')[0]!;
    // The scripts' client and the console's (infra/auth/console-auth.ts).
    const clientIds = [base.stack.userPoolClient, base.stack.consoleAuth.client].map((c) => base.stack.resolve(c.userPoolClientId));
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: clientIds },
    });
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain(`"Ref":"${poolId}"`);
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain('https://cognito-idp.');

    for (const [routeKey, fn] of Object.entries(ADMIN_ROUTES)) {
      for (const s of [base, iam]) {
        const r = route(s.resources, routeKey);
        expect(r.Properties, routeKey).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
        expect(target(s.resources, r), routeKey).toMatch(new RegExp(`^${fn}Function[0-9A-F]{8}$`));
      }
    }
  });

  it('leaves /identify and /health open, and puts /identify behind IAM when identifyAuthorization is iam', () => {
    for (const key of ['POST /identify', 'GET /health', '$default']) {
      expect(route(base.resources, key).Properties.AuthorizationType, key).toBe('NONE');
      expect(route(base.resources, key).Properties.AuthorizerId, key).toBeUndefined();
    }
    expect(route(iam.resources, 'POST /identify').Properties.AuthorizationType).toBe('AWS_IAM');
    expect(route(iam.resources, 'GET /health').Properties.AuthorizationType).toBe('NONE');
  });

  it('grants the admin functions only the DynamoDB actions they need', () => {
    /** DynamoDB actions per table logical id, for the function whose id starts with `fn`. */
    const grants = (fn: string) => {
      const out: Record<string, string[]> = {};
      for (const [, policy] of nonEmpty(ofType(base.resources, 'AWS::IAM::Policy'), 'IAM policies')) {
        if (!policy.Properties.Roles.some((role: any) => String(role.Ref).startsWith(`${fn}Function`))) continue;
        for (const statement of nonEmpty<any>(policy.Properties.PolicyDocument.Statement, 'policy statements')) {
          const actions = [statement.Action].flat().filter((a: string) => a.startsWith('dynamodb:'));
          if (actions.length === 0) continue;
          const table = String([statement.Resource].flat()[0]['Fn::GetAtt'][0]).replace(/Table[0-9A-F]{8}$/, '');
          out[table] = [...(out[table] ?? []), ...actions].sort();
        }
      }
      return out;
    };
    const WRITES = /PutItem|UpdateItem|DeleteItem|BatchWriteItem/;
    expect(grants('AdminRead').Contacts).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
    expect(Object.values(grants('AdminRead')).flat().filter((a) => WRITES.test(a))).toEqual([]);
    expect(grants('AdminRead')).not.toHaveProperty('Audit');
    expect(grants('AdminAudit')).toEqual({ Audit: ['dynamodb:Query'], Counters: ['dynamodb:GetItem'] });
    expect(grants('AdminMerge').Audit).toEqual(['dynamodb:PutItem']);
    expect(grants('AdminErase').Audit).toEqual(['dynamodb:PutItem']);
    expect(grants('AdminErase').Emails).toContain('dynamodb:DeleteItem');
    // A customer's orders: read by the console's orders panel, their contact data cleared by the erasure.
    expect(grants('AdminRead').Orders).toEqual(['dynamodb:BatchGetItem']);
    expect(grants('AdminErase').Orders).toEqual(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
    expect(grants('AdminMerge')).not.toHaveProperty('Orders');
    expect(grants('Identify')).not.toHaveProperty('Audit');
    for (const fn of ['AdminRead', 'AdminMerge', 'AdminErase', 'AdminAudit']) {
      expect(Object.values(grants(fn)).flat(), fn).not.toContain('dynamodb:Scan');
    }
  });
});
