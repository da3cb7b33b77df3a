/** A small fetch wrapper for the end-to-end tests against the local server. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export async function httpRequest(
  url: string,
  init: { method: string; body?: string; headers?: Record<string, string> },
): Promise<HttpAnswer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
