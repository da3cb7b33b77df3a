/**
 * The admin console's sign-in in AWS: a Cognito domain (the hosted UI / managed login of the
 * existing `AdminUserPool`) and the console's own app client — a public client (no secret) that
 * may only use the authorization code grant (the console always sends a PKCE S256 challenge:
 * oidc-client-ts does it for every code flow), with the scopes openid, email and profile and the
 * site's callback and sign-out URLs.
 *
 * The site's URL comes from the site construct (infra/site/), which itself needs this construct's
 * authority and client id: `addSiteUrl(url)` adds `<url>/admin/callback` and `<url>/admin/`
 * lazily, so either can be built first. Without any site URL the client allows the local console
 * (http://localhost:3000) only, so a stack without a site still synthesizes.
 *
 * Not here: the user pool and the `admins` group (infra/identity-stack.ts), the JWT authorizer
 * (which lists this client's id among its audiences there).
 *
 * The construct creates:
 * - `Domain`: a Cognito prefix domain, `<domainPrefix>.auth.<region>.amazoncognito.com`
 * - `Client`: `generateSecret: false`, `oAuth.flows.authorizationCodeGrant` only, one-hour access
 *   and ID tokens, user-existence errors hidden, Cognito users only (no federation)
 */
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { OAuthScope, UserPoolClient, UserPoolClientIdentityProvider, UserPoolDomain, type IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface ConsoleAuthProps {
  userPool: IUserPool;
  /**
   * Prefix of the Cognito domain; unique per region across AWS.
   * @default `fluxkart-<account id>`
   */
  domainPrefix?: string;
  /** Base URLs of the site (e.g. https://d123.cloudfront.net); more with addSiteUrl(). @default none */
  siteUrls?: string[];
}

/** What the console's /config.json needs (web/src/auth/oidc.ts). */
export interface ConsoleOidcRuntimeConfig {
  authority: string;
  clientId: string;
  scope: string;
  /** Cognito's /logout: its OIDC discovery document names no end-session endpoint. */
  signOutUrl: string;
}

export const CONSOLE_SCOPES = 'openid email profile';
const LOCAL_CONSOLE = 'http://localhost:3000';

export class ConsoleAuth extends Construct {
  readonly domain: UserPoolDomain;
  readonly client: UserPoolClient;
  /** The issuer of the pool's tokens (`iss`), where oidc-client-ts finds the discovery document. */
  readonly authority: string;
  readonly runtimeConfig: ConsoleOidcRuntimeConfig;
  /** The origins the console calls (CSP connect-src): the issuer (discovery, JWKS) and the domain (token). */
  readonly origins: string[];
  private readonly siteUrls: string[];

  constructor(scope: Construct, id: string, props: ConsoleAuthProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.siteUrls = [...(props.siteUrls ?? [])];
    this.domain = new UserPoolDomain(this, 'Domain', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `fluxkart-${stack.account}` },
    });
    const urls = (suffix: string) =>
      Lazy.list({ produce: () => (this.siteUrls.length ? this.siteUrls : [LOCAL_CONSOLE]).map((u) => `${u.replace(/\/$/, '')}${suffix}`) });
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: 'admin-console',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: urls('/admin/callback'),
        logoutUrls: urls('/admin/'),
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
      enableTokenRevocation: true,
    });
    this.authority = `https://cognito-idp.${stack.region}.amazonaws.com/${props.userPool.userPoolId}`;
    this.runtimeConfig = {
      authority: this.authority,
      clientId: this.client.userPoolClientId,
      scope: CONSOLE_SCOPES,
      signOutUrl: `${this.domain.baseUrl()}/logout`,
    };
    this.origins = [`https://cognito-idp.${stack.region}.amazonaws.com`, this.domain.baseUrl()];
  }

  /** Allows the console served at this base URL (callback `/admin/callback`, sign-out `/admin/`). */
  addSiteUrl(url: string): void {
    this.siteUrls.push(url);
  }
}
