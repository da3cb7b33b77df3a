/**
 * CDK assertions on the site (infra/site/): a private, encrypted bucket reachable only through
 * CloudFront's origin access control, the response headers policy (CSP without inline scripts,
 * HSTS, frame-ancestors 'none'), the SPA fallback on the S3 behaviour only (no distribution-wide
 * error pages), the API's routes on the same origin (so no CORS at all), config.json written at
 * deploy time from the stack's values, the checkout function's least-privilege grants, and the
 * `site: false` option. Bundling skipped; web/dist is built by the test run's global setup.
 */
import { runInNewContext } from 'node:vm';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { IdentityStack, type IdentityStackProps } from '../../infra/identity-stack';
import { apiPathPatterns, StorefrontSite } from '../../infra/site';
import { SPA_FALLBACK_CODE } from '../../infra/site/spa-fallback';
import { pageFor } from '../../lib/local/static';
import { FUNCTIONS, ROUTES } from '../../lib/routes';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;

function synth(props: Omit<IdentityStackProps, 'env'> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new IdentityStack(app, 'SiteTest', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Resources };
}

const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('site', () => {
  const { stack, template, resources } = synth({
    site: { oidc: { authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example', clientId: 'console-client' }, connectSources: ['https://fluxkart.auth.eu-west-1.amazoncognito.com'] },
  });
  const siteBucketId = stack.getLogicalId(stack.site!.bucket.node.defaultChild as any);
  const distribution = ofType(resources, 'AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig;

  it('keeps the pages in a private, encrypted, SSL-only bucket with access logs', () => {
    const bucket = resources[siteBucketId]!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.LoggingConfiguration.DestinationBucketName).toBeDefined();
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    for (const [, b] of ofType(resources, 'AWS::S3::Bucket')) expect(b.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
  });

  it('lets only this distribution read the bucket, through origin access control', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const policy = ofType(resources, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === siteBucketId)![1].Properties.PolicyDocument;
    const statements = policy.Statement as any[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const read = statements.find((s) => s.Principal?.Service === 'cloudfront.amazonaws.com')!;
    expect(read.Action).toBe('s3:GetObject');
    expect(read.Condition.StringEquals['AWS:SourceArn']).toBeDefined();
    expect(statements.filter((s) => s.Effect === 'Allow' && s.Principal === '*')).toEqual([]);
    expect(distribution.Origins.find((o: any) => o.S3OriginConfig)!.OriginAccessControlId).toBeDefined();
  });

  it('sends the security headers: a CSP without inline scripts, HSTS, no framing', () => {
    const [, policy] = ofType(resources, 'AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp: string = security.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' https://fluxkart.auth.eu-west-1.amazoncognito.com https://cognito-idp.eu-west-1.amazonaws.com");
    expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: ofType(resources, 'AWS::CloudFront::ResponseHeadersPolicy')[0]![0] });
  });

  it('routes every API path to the HTTP API on the same origin, uncached, all methods', () => {
    const patterns = apiPathPatterns(ROUTES);
    expect(patterns).toEqual(expect.arrayContaining(['/checkout', '/identify', '/health', '/contacts', '/contacts/*', '/identities/*', '/audit']));
    const behaviors = distribution.CacheBehaviors as any[];
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual([...patterns].sort());
    const apiOrigin = distribution.Origins.find((o: any) => o.CustomOriginConfig)!;
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('execute-api');
    for (const b of behaviors) {
      expect(b.TargetOriginId).toBe(apiOrigin.Id);
      expect(b.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE', 'OPTIONS']));
      expect(b.ViewerProtocolPolicy).toBe('https-only');
      expect(b.FunctionAssociations).toBeUndefined();
    }
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ DefaultTTL: 0, MinTTL: 0, ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] } }) }),
    });
    // Every path of the route table reaches the API (the SPA fallback never sees it).
    for (const route of ROUTES) {
      const path = route.path.replace(/\{\w+\}/g, '42');
      expect(patterns.some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : path === p)), path).toBe(true);
    }
  });

  it('never turns an API error into a page: no distribution-wide error responses; fallback on the S3 behaviour only', () => {
    expect(distribution.CustomErrorResponses).toBeUndefined();
    expect(distribution.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] } },
    ]);
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }) });
    expect(distribution.Logging.Bucket).toBeDefined();
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('requires TLS 1.2 (2021 policy) on a custom domain', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const certStack = new Stack(app, 'Certs', { env: { account: '123456789012', region: 'us-east-1' } });
    const certificate = Certificate.fromCertificateArn(certStack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    const custom = synth({ site: { domainNames: ['shop.fluxkart.example'], certificate } });
    const config = ofType(custom.resources, 'AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig;
    expect(config.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  });

  it('the CloudFront Function rewrites exactly as the local server does', () => {
    const handler = runInNewContext(`${SPA_FALLBACK_CODE}; handler`) as (e: { request: { uri: string } }) => { uri: string };
    for (const uri of ['/', '/admin', '/admin/', '/admin/identities/42', '/admin/audit', '/admin/logo.svg', '/assets/storefront-x.js', '/index.html', '/config.json', '/nope']) {
      expect(handler({ request: { uri } }).uri, uri).toBe(pageFor(uri));
    }
  });

  it('writes config.json at deploy time from the stack (API base, OIDC) and invalidates the cache', () => {
    const deployments = ofType(resources, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const pages = deployments.find(([, d]) => d.Properties.DistributionPaths)![1].Properties;
    expect(pages.DistributionPaths).toEqual(['/*']);
    expect(pages.Prune).toBe(false);
    expect(pages.SourceObjectKeys).toHaveLength(2); // the pages and config.json
    const assets = deployments.find(([, d]) => !d.Properties.DistributionPaths)![1].Properties;
    expect(assets.DestinationBucketKeyPrefix).toBe('assets/');
    expect(assets.SystemMetadata['cache-control']).toContain('immutable');
    expect(pages.SystemMetadata['cache-control']).toBe('no-cache');
  });

  it('resolves tokens of config.json at deploy time (values the stack only knows then)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const tokenStack = new Stack(app, 'SiteTokens', { env: { account: '123456789012', region: 'eu-west-1' } });
    const clientId = new CfnParameter(tokenStack, 'ClientId').valueAsString;
    new StorefrontSite(tokenStack, 'Site', {
      api: new HttpApi(tokenStack, 'Api'),
      oidc: { authority: `https://cognito-idp.eu-west-1.amazonaws.com/${clientId}-pool`, clientId },
    });
    const found = ofType(Template.fromStack(tokenStack).toJSON().Resources as Resources, 'Custom::CDKBucketDeployment');
    const pages = found.find(([, d]) => d.Properties.DistributionPaths)![1].Properties;
    expect(JSON.stringify(pages.SourceMarkers)).toContain('"Ref":"ClientId"');
  });

  it('serves the API same-origin: no CORS configuration anywhere on the HTTP API', () => {
    for (const [, api] of ofType(resources, 'AWS::ApiGatewayV2::Api')) expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it('grants Orders only to the checkout and the admin orders routes, each only what it needs', () => {
    const ordersTable = stack.getLogicalId(stack.tables.orders.node.defaultChild as any);
    const policies = ofType(resources, 'AWS::IAM::Policy');
    const onOrders = (statements: any[]) => statements.filter((s) => JSON.stringify(s.Resource).includes(ordersTable));
    // checkout writes orders; adminRead lists a customer's orders; adminErase clears their contact data.
    const allowed = (['checkout', 'adminRead', 'adminErase'] as const).map((name) => ({
      role: stack.getLogicalId(stack.functions[name].function.role!.node.defaultChild as any),
      actions: [...FUNCTIONS[name].tables.orders!].sort(),
    }));
    const seen = new Set<string>();
    for (const [, policy] of policies) {
      const statements = onOrders(policy.Properties.PolicyDocument.Statement);
      if (statements.length === 0) continue;
      expect(policy.Properties.Roles).toHaveLength(1);
      const grant = allowed.find((a) => a.role === policy.Properties.Roles[0].Ref);
      expect(grant, JSON.stringify(policy.Properties.Roles)).toBeDefined();
      seen.add(grant!.role);
      expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(grant!.actions);
      expect(JSON.stringify(statements)).not.toMatch(/Scan|DeleteItem|\*"/);
    }
    expect(seen.size).toBe(allowed.length);
    expect(FUNCTIONS.adminRead.tables.orders).toEqual(['dynamodb:BatchGetItem']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /checkout', AuthorizationType: 'NONE' });
  });

  it('site: false deploys the identity service alone', () => {
    const { resources: alone, stack: aloneStack } = synth({ site: false });
    expect(aloneStack.site).toBeUndefined();
    expect(ofType(alone, 'AWS::CloudFront::Distribution')).toEqual([]);
    expect(ofType(alone, 'AWS::S3::Bucket')).toEqual([]);
    expect(ofType(alone, 'Custom::CDKBucketDeployment')).toEqual([]);
  });

  it('refuses to synthesize without built pages, saying what to do', () => {
    expect(() => synth({ site: { distPath: '/nonexistent/dist' } })).toThrow(/npm run build:web.*site=false/);
  });
});
