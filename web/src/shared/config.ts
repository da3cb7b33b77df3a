/**
 * The runtime configuration of the pages, fetched once from `/config.json` (written by the stack at
 * deploy time, served by lib/local/static.ts locally). Never hard-coded in the bundle.
 */
export interface OidcConfig {
  authority: string;
  clientId: string;
  scope: string;
}

export interface RuntimeConfig {
  /** Prefix of the API's routes; '' when the API is on the same origin as the pages. */
  apiBase: string;
  /** The console's sign-in, or null when the deployment has none. */
  oidc: OidcConfig | null;
}

let loading: Promise<RuntimeConfig> | undefined;

export function loadRuntimeConfig(): Promise<RuntimeConfig> {
  loading ??= fetch('/config.json', { cache: 'no-store' })
    .then((res) => {
      if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
      return res.json() as Promise<RuntimeConfig>;
    })
    .catch(() => ({ apiBase: '', oidc: null }));
  return loading;
}
