/**
 * CDK assertions for the console's sign-in (infra/auth/console-auth.ts in infra/identity-stack.ts):
 * a Cognito domain on the admin user pool, the console's app client (code grant only, no secret,
 * openid/email/profile, the site distribution's callback and sign-out URLs), Cognito's origins in
 * the site's CSP, the scripts' AdminClient without OAuth, and a JWT authorizer that accepts both
 * clients' tokens.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { describe, expect, it } from 'vitest';
import { ConsoleAuth } from '../../infra/auth/console-auth';
import { IdentityStack } from '../../infra/identity-stack';

type Resource = { Type: string; Properties: Record<string, any> };
const ofType = (template: Template, type: string) =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

describe('console sign-in in the stack', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new IdentityStack(app, 'ConsoleAuthTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const template = Template.fromStack(stack);
  const clients = ofType(template, 'AWS::Cognito::UserPoolClient');
  const [poolId] = ofType(template, 'AWS::Cognito::UserPool')[0]!;
  const consoleClient = clients.find(([id]) => id.startsWith('ConsoleAuthClient'));
  const adminClient = clients.find(([id]) => id.startsWith('AdminUserPoolAdminClient'));

  it('gives the admin user pool a Cognito domain (the hosted sign-in)', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const [, domain] = ofType(template, 'AWS::Cognito::UserPoolDomain')[0]!;
    expect(domain.Properties.UserPoolId).toEqual({ Ref: poolId });
    expect(domain.Properties.Domain).toBe('fluxkart-123456789012');
  });

  it("has the console's own client: code grant only, no secret, OIDC scopes, the site's URLs", () => {
    expect(consoleClient, 'console client').toBeDefined();
    const p = consoleClient![1].Properties;
    expect(p.UserPoolId).toEqual({ Ref: poolId });
    expect(p.GenerateSecret).toBe(false);
    expect(p.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(p.AllowedOAuthFlows).toEqual(['code']); // no implicit grant; the console adds PKCE (S256)
    expect([...p.AllowedOAuthScopes].sort()).toEqual(['email', 'openid', 'profile']);
    // The site's distribution (infra/site/), wired by the stack.
    const [distributionId] = ofType(template, 'AWS::CloudFront::Distribution')[0]!;
    const siteUrl = (suffix: string) => [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, suffix]] }];
    expect(p.CallbackURLs).toEqual(siteUrl('/admin/callback'));
    expect(p.LogoutURLs).toEqual(siteUrl('/admin/'));
    expect(p.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(p.PreventUserExistenceErrors).toBe('ENABLED');
  });

  it('keeps the scripts client without OAuth and lets the JWT authorizer accept both clients', () => {
    const p = adminClient![1].Properties;
    expect(p.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(p.AllowedOAuthFlows).toBeUndefined();
    expect(p.CallbackURLs).toBeUndefined();
    const [, authorizer] = ofType(template, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([{ Ref: adminClient![0] }, { Ref: consoleClient![0] }]);
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain('cognito-idp.eu-west-1.amazonaws.com');
  });

  it("lets the site's CSP reach Cognito (discovery and JWKS at the issuer, the token endpoint at the domain)", () => {
    const [, policy] = ofType(template, 'AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const csp = JSON.stringify(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy);
    expect(csp).toContain('https://cognito-idp.eu-west-1.amazonaws.com');
    expect(csp).toContain('.auth.eu-west-1.amazoncognito.com');
  });

  it("exposes what the console's /config.json needs", () => {
    const config = stack.resolve(stack.consoleAuth.runtimeConfig);
    expect(config.scope).toBe('openid email profile');
    expect(config.clientId).toEqual({ Ref: consoleClient![0] });
    expect(JSON.stringify(config.authority)).toContain('https://cognito-idp.eu-west-1.amazonaws.com/');
    expect(JSON.stringify(config.signOutUrl)).toContain('.auth.eu-west-1.amazoncognito.com/logout');
    template.hasOutput('ConsoleClientId', {});
    template.hasOutput('ConsoleSignInDomain', {});
  });

  it('allows only the local console until a site URL is added', () => {
    const bare = new Stack(new App(), 'Bare', { env: { account: '123456789012', region: 'eu-west-1' } });
    new ConsoleAuth(bare, 'ConsoleAuth', { userPool: new UserPool(bare, 'Pool'), domainPrefix: 'fluxkart-test' });
    const t = Template.fromStack(bare);
    const [, client] = ofType(t, 'AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties.CallbackURLs).toEqual(['http://localhost:3000/admin/callback']);
    expect(ofType(t, 'AWS::Cognito::UserPoolDomain')[0]![1].Properties.Domain).toBe('fluxkart-test');
  });
});
