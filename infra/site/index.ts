/**
 * The deployed site: the pages of web/dist in a private S3 bucket behind CloudFront (origin
 * access control), the API's routes on the same origin through CloudFront behaviours (so the
 * browser never needs CORS), security headers from a response headers policy (the CSP of
 * lib/http/site-headers.ts, HSTS, frame-ancestors 'none'), the console's client-side routes by a
 * CloudFront Function on the S3 behaviour only, and /config.json written at deploy time from
 * the stack's values (API base, OIDC authority and client id): nothing hard-coded in the bundle.
 *
 * Defaults: S3-managed encryption, SSL enforced, public access blocked, access logs (S3 and
 * CloudFront) in a private log bucket kept 90 days, HTTP/2 and 3, TLS 1.2+ once a custom domain
 * and certificate are given (the default *.cloudfront.net certificate is CloudFront's own).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  CacheQueryStringBehavior,
  CacheHeaderBehavior,
  CacheCookieBehavior,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { HSTS_MAX_AGE_SECONDS, originOf, PERMISSIONS_POLICY, siteContentSecurityPolicy } from '../../lib/http/site-headers';
import { BUILD_INPUTS_FILE, WEB_DIST, WEB_ENTRIES } from '../../lib/local/web-build';
import { ROUTES, type Route } from '../../lib/routes';
import { SPA_FALLBACK_CODE } from './spa-fallback';

export interface SiteOidcProps {
  /** The OIDC issuer the console signs in with (e.g. the Cognito user pool's issuer URL). */
  authority: string;
  clientId: string;
  /** @default 'openid email' */
  scope?: string;
  /** The provider's sign-out URL when its discovery names none (Cognito's /logout). @default none */
  signOutUrl?: string;
}

export interface StorefrontSiteProps {
  api: HttpApi;
  /** The route table whose paths CloudFront sends to the API. @default ROUTES */
  routes?: readonly Route[];
  /** The console's sign-in, written to /config.json. @default none (the console shows it is not configured) */
  oidc?: SiteOidcProps;
  /**
   * Origins the pages may call besides their own (CSP connect-src), e.g. a Cognito hosted-UI domain
   * for the token endpoint. The OIDC authority's origin is added when it is a literal URL.
   * @default none
   */
  connectSources?: string[];
  /** Built pages. @default web/dist (built by `npm run synth` / the CDK app before synth) */
  distPath?: string;
  /** A custom domain; TLS 1.2 (2021 policy) applies to it. @default the distribution's *.cloudfront.net name */
  domainNames?: string[];
  certificate?: ICertificate;
}

export class StorefrontSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly url: string;
  /** The custom domain's certificate; without one the distribution has CloudFront's default certificate. */
  readonly certificate?: ICertificate;
  /** The two BucketDeployments (hashed assets, then the pages and config.json). */
  readonly deployments: BucketDeployment[];

  constructor(scope: Construct, id: string, props: StorefrontSiteProps) {
    super(scope, id);
    this.certificate = props.certificate;
    const dist = props.distPath ?? WEB_DIST;
    for (const entry of WEB_ENTRIES) {
      if (!existsSync(resolve(dist, entry))) {
        throw new Error(`${resolve(dist, entry)} is missing: build the pages first (npm run build:web), or deploy without them (-c site=false)`);
      }
    }

    this.logBucket = new Bucket(this, 'LogBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are delivered with an ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      // Only build output lives here: it is redeployed from the repository on every deploy.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const authorityOrigin = props.oidc && !Token.isUnresolved(props.oidc.authority) ? originOf(props.oidc.authority) : null;
    const connect = [...new Set([...(props.connectSources ?? []), ...(authorityOrigin ? [authorityOrigin] : [])])];
    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'FluxKart site: CSP without inline scripts, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: siteContentSecurityPolicy(connect), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: PERMISSIONS_POLICY, override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    const fallback = new CloudFrontFunction(this, 'SpaFallback', {
      comment: 'Console client-side routes -> /admin/index.html (site paths only)',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(SPA_FALLBACK_CODE),
    });

    // The API on the same origin: one behaviour per first path segment of the route table.
    // Nothing cached (the API answers no-store; a 1 s max TTL only lets the Authorization header
    // be forwarded on GET), every method, every viewer header but Host.
    const apiCache = new CachePolicy(this, 'ApiCachePolicy', {
      comment: 'FluxKart API: not cached; forwards Authorization',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      cookieBehavior: CacheCookieBehavior.none(),
    });
    const apiBehavior: BehaviorOptions = {
      origin: new HttpOrigin(`${props.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: apiCache,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    for (const pattern of apiPathPatterns(props.routes ?? ROUTES)) additionalBehaviors[pattern] = apiBehavior;

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'FluxKart storefront, admin console and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [{ function: fallback, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      // Only settable with a custom certificate (the default *.cloudfront.net one has a fixed policy).
      minimumProtocolVersion: props.certificate ? SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      domainNames: props.domainNames,
      certificate: props.certificate,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });

    // Hashed assets first (immutable; old ones kept for pages still open), then the pages and
    // config.json (revalidated on every load), then one invalidation.
    const assets = new BucketDeployment(this, 'DeployAssets', {
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'assets/',
      sources: [Source.asset(resolve(dist, 'assets'))],
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
      prune: false,
      memoryLimit: 256,
    });
    const pages = new BucketDeployment(this, 'DeployPages', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(dist, { exclude: ['assets', 'assets/**', BUILD_INPUTS_FILE] }),
        Source.jsonData('config.json', {
          apiBase: '',
          oidc: props.oidc
            ? {
                authority: props.oidc.authority,
                clientId: props.oidc.clientId,
                scope: props.oidc.scope ?? 'openid email',
                ...(props.oidc.signOutUrl ? { signOutUrl: props.oidc.signOutUrl } : {}),
              }
            : null,
        }),
      ],
      cacheControl: [CacheControl.noCache()],
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    pages.node.addDependency(assets);
    this.deployments = [assets, pages];

    this.url = `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(Stack.of(this), 'SiteUrl', { value: this.url, description: 'The storefront (/) and the admin console (/admin/)' });
  }
}

/** CloudFront path patterns that send a route table's paths to the API: `/x` and `/x/*` per first segment. */
export function apiPathPatterns(routes: readonly Route[]): string[] {
  const segments = [...new Set(routes.map((route) => route.path.split('/')[1]!))].sort();
  return segments.flatMap((segment) => [`/${segment}`, `/${segment}/*`]);
}
