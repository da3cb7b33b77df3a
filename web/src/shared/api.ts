/**
 * Calls to the API from the pages: JSON in, JSON out, and the API's error contract
 * ({"error":{"code","message"}}) turned into an ApiError the page can show. Same origin by
 * default (apiBase '' from /config.json).
 */
import { loadRuntimeConfig } from './config';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const { apiBase } = await loadRuntimeConfig();
  let res: Response;
  try {
    res = await fetch(`${apiBase}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The shop could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `The shop answered ${res.status}. Try again in a moment.`);
  }
  return json as T;
}
